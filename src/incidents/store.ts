import type { Redis } from 'ioredis';
import { ConcurrentUpdateError, IncidentNotFoundError } from '../errors.js';
import type { RedisKeys } from '../redis/keys.js';
import { type Incident, incidentSchema, isActive } from './model.js';
import { type TimelineEvent, timelineEventSchema } from './timeline.js';

/**
 * Writes the incident only if nobody changed it since it was read (same version), and appends the
 * timeline event in the same step, so a change and its record can never come apart.
 * KEYS: incident, timeline, active set. ARGV: expected version, new JSON, event JSON, id, active flag.
 */
const SAVE_WITH_EVENT = `
local current = redis.call('GET', KEYS[1])
local expected = tonumber(ARGV[1])
if expected == -1 then
  if current then return 0 end
else
  if not current then return -1 end
  if cjson.decode(current)['version'] ~= expected then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[3]) end
return 1
`;

const MAX_UPDATE_ATTEMPTS = 5;

export class IncidentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Unique and gap-tolerant across replicas: INCR is atomic on the one Redis they share. */
  nextSequence(): Promise<number> {
    return this.redis.incr(this.keys.incidentSequence);
  }

  async create(incident: Incident, event: TimelineEvent): Promise<void> {
    const result = await this.runSave(incident, -1, event);
    if (result !== 1) throw new Error(`incident ${incident.id} already exists`);
    await this.redis
      .multi()
      .zadd(this.keys.allIncidents, incident.seq, incident.id)
      .zadd(this.keys.activeIncidents, incident.seq, incident.id)
      .exec();
  }

  async get(id: string): Promise<Incident | undefined> {
    const json = await this.redis.get(this.keys.incident(id));
    return json ? incidentSchema.parse(JSON.parse(json)) : undefined;
  }

  async require(id: string): Promise<Incident> {
    const incident = await this.get(id);
    if (!incident) throw new IncidentNotFoundError(id);
    return incident;
  }

  async findByChannel(channelId: string): Promise<Incident | undefined> {
    const id = await this.redis.get(this.keys.channelIncident(channelId));
    return id ? this.get(id) : undefined;
  }

  async linkChannel(channelId: string, incidentId: string): Promise<void> {
    await this.redis.set(this.keys.channelIncident(channelId), incidentId);
  }

  async listActive(): Promise<Incident[]> {
    const ids = await this.redis.zrange(this.keys.activeIncidents, 0, -1);
    const incidents = await Promise.all(ids.map((id) => this.get(id)));
    return incidents.filter((i): i is Incident => i !== undefined);
  }

  /**
   * Read-modify-write with optimistic concurrency. `change` returns the new incident and the
   * timeline event describing it (or null for a change not worth a timeline entry); it is re-run on
   * a fresh read if someone else saved in between.
   */
  async update(
    id: string,
    change: (current: Incident) => { incident: Incident; event: TimelineEvent | null },
  ): Promise<{ before: Incident; incident: Incident; event: TimelineEvent | null }> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const before = await this.require(id);
      const { incident, event } = change(before);
      const next = { ...incident, version: before.version + 1 };
      const result = await this.runSave(next, before.version, event);
      if (result === 1) {
        await this.syncActiveSet(next);
        return { before, incident: next, event };
      }
      if (result === -1) throw new IncidentNotFoundError(id);
    }
    throw new ConcurrentUpdateError(id);
  }

  async appendTimeline(event: TimelineEvent): Promise<void> {
    await this.redis.rpush(
      this.keys.timeline(event.incidentId),
      JSON.stringify(timelineEventSchema.parse(event)),
    );
  }

  async timeline(id: string): Promise<TimelineEvent[]> {
    const items = await this.redis.lrange(this.keys.timeline(id), 0, -1);
    return items.map((json) => timelineEventSchema.parse(JSON.parse(json)));
  }

  /**
   * Claims `scope:key` once. Returns null to the first caller; later callers get the value the
   * first one stored (e.g. the incident id a retried declare already created).
   */
  async claimOnce(scope: string, key: string, value: string, ttlSeconds: number): Promise<string | null> {
    const redisKey = this.keys.idempotency(scope, key);
    const set = await this.redis.set(redisKey, value, 'EX', ttlSeconds, 'NX');
    if (set === 'OK') return null;
    return (await this.redis.get(redisKey)) ?? value;
  }

  async setClaim(scope: string, key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.idempotency(scope, key), value, 'EX', ttlSeconds);
  }

  private runSave(incident: Incident, expectedVersion: number, event: TimelineEvent | null): Promise<number> {
    return this.redis.eval(
      SAVE_WITH_EVENT,
      2,
      this.keys.incident(incident.id),
      this.keys.timeline(incident.id),
      String(expectedVersion),
      JSON.stringify(incidentSchema.parse(incident)),
      event ? JSON.stringify(timelineEventSchema.parse(event)) : '',
    ) as Promise<number>;
  }

  private async syncActiveSet(incident: Incident): Promise<void> {
    if (isActive(incident)) await this.redis.zadd(this.keys.activeIncidents, incident.seq, incident.id);
    else await this.redis.zrem(this.keys.activeIncidents, incident.id);
  }
}
