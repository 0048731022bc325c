/**
 * Every Redis key Quell writes, under one configurable prefix, laid out for Redis Cluster:
 * - global indexes and counters share ONE hash tag, `{<prefix>}`, so the indexes one write updates
 *   together (all and active incidents) sit on one slot;
 * - one incident's keys share the incident's tag, `{<incident id>}` (its record, timeline, and the
 *   features' keys: reminders, containment, comms, evidence, resolution);
 * - keys only ever used alone (channel links, once-claims) carry no tag and spread over the slots.
 * No transaction or script touches keys under two different tags.
 */
export function redisKeys(prefix: string) {
  return {
    incidentSequence: globalKey(prefix, 'incident-seq'),
    incident: (id: string) => `${prefix}:incident:{${id}}`,
    timeline: (id: string) => `${prefix}:incident:{${id}}:timeline`,
    channelIncident: (channelId: string) => `${prefix}:channel:${channelId}`,
    activeIncidents: globalKey(prefix, 'incidents:active'),
    allIncidents: globalKey(prefix, 'incidents:all'),
    /** Active non-drill incidents, most severe then newest first (App Home's bounded view). */
    activeBySeverity: globalKey(prefix, 'incidents:active-by-severity'),
    /** Resolved incidents not yet compacted, scored by when the retention sweep looks at them next. */
    retentionDue: globalKey(prefix, 'incidents:retention-due'),
    /** What is left of compacted incidents: id → tombstone JSON (incidents/tombstone.ts). */
    tombstones: globalKey(prefix, 'incidents:tombstones'),
    /** Set once the incidents from before the retention and App Home indexes were entered in them. */
    retentionBackfilled: globalKey(prefix, 'incidents:retention-backfilled'),
    idempotency: (scope: string, key: string) => `${prefix}:once:${scope}:${key}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;

/** A global index or counter: `{<prefix>}:<name>`, on the one slot all of them share. */
export function globalKey(prefix: string, name: string): string {
  return `{${prefix}}:${name}`;
}

/**
 * A BullMQ queue's prefix: `{<keyPrefix>:<queue>}`, a hash tag per queue, so every key of one queue
 * (BullMQ's scripts touch several at once) lands on one Redis Cluster slot while different queues
 * spread over the cluster.
 */
export function queuePrefix(prefix: string, queue: string): string {
  return `{${prefix}:${queue}}`;
}
