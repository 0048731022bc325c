/**
 * Every Redis key Quell writes, under one configurable prefix. Keys that a script touches together
 * share a `{hash tag}` so they land on one Redis Cluster slot.
 */
export function redisKeys(prefix: string) {
  return {
    incidentSequence: `${prefix}:incident-seq`,
    incident: (id: string) => `${prefix}:incident:{${id}}`,
    timeline: (id: string) => `${prefix}:incident:{${id}}:timeline`,
    channelIncident: (channelId: string) => `${prefix}:channel:${channelId}`,
    activeIncidents: `${prefix}:incidents:active`,
    allIncidents: `${prefix}:incidents:all`,
    idempotency: (scope: string, key: string) => `${prefix}:once:${scope}:${key}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;

/**
 * A BullMQ queue's prefix: `{<keyPrefix>:<queue>}`, a hash tag per queue, so every key of one queue
 * (BullMQ's scripts touch several at once) lands on one Redis Cluster slot while different queues
 * spread over the cluster.
 */
export function queuePrefix(prefix: string, queue: string): string {
  return `{${prefix}:${queue}}`;
}

/** Transitional: the single-hash-tag prefix of the queues before the job runtime's lanes. */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}:bull`;
}
