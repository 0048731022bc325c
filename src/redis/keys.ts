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

/** BullMQ's prefix: a hash tag, so each queue's keys stay on one cluster slot. */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}:bull`;
}
