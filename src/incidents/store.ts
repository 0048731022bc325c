import type { Redis } from 'ioredis';
import { ConcurrentUpdateError, IncidentNotFoundError } from '../errors.js';
import type { RedisKeys } from '../redis/keys.js';
import { type Incident, incidentSchema, isActive } from './model.js';
import { type TimelineEvent, type TimelineKind, timelineEventSchema } from './timeline.js';

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

/** How many (incident, kinds) timeline reads `timelineOfKinds` keeps in memory. */
const TIMELINE_CACHE_ENTRIES = 200;

export class IncidentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private readonly timelineCache = new Map<string, { length: number; events: TimelineEvent[] }>();

  /** Unique and gap-tolerant across replicas: INCR is atomic on the one Redis they share. */
  nextSequence(): Promise<number> {
    return this.redis.incr(this.keys.incidentSequence);
  }

  /**
   * The record (and its first timeline event) first, under the incident's hash tag, then the
   * indexes, under the global tag: two slots on a Redis Cluster, so two steps. A crash in between
   * leaves a record the indexes miss; the resumed declare's next save re-indexes it (`update` →
   * `syncIndexes`), and readers of the indexes skip ids whose record is missing.
   */
  async create(incident: Incident, event: TimelineEvent): Promise<void> {
    const result = await this.runSave(incident, -1, event);
    if (result !== 1) throw new Error(`incident ${incident.id} already exists`);
    await this.syncIndexes(incident);
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

  /** The channel stops being this incident's (it moved to a private follow-up). */
  async unlinkChannel(channelId: string, incidentId: string): Promise<void> {
    if ((await this.redis.get(this.keys.channelIncident(channelId))) === incidentId)
      await this.redis.del(this.keys.channelIncident(channelId));
  }

  /** Active incidents; an index entry left behind by a crash (record missing or resolved) is skipped. */
  async listActive(): Promise<Incident[]> {
    const ids = await this.redis.zrange(this.keys.activeIncidents, 0, -1);
    const incidents = await Promise.all(ids.map((id) => this.get(id)));
    return incidents.filter((i): i is Incident => i !== undefined && isActive(i));
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
        await this.syncIndexes(next);
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
   * The timeline events of the given kinds, oldest first, read incrementally: drafts must appear
   * instantly even on a long timeline, and the timeline is append-only, so what was read before is
   * kept (per incident and kinds, in this process) and only newer entries are fetched. Entries of
   * other kinds are skipped by a text test on the stored JSON (which always holds `"kind":"<kind>"`,
   * as written by JSON.stringify) and never parsed.
   */
  async timelineOfKinds(id: string, kinds: readonly TimelineKind[]): Promise<TimelineEvent[]> {
    const cacheKey = `${id}\u0000${kinds.join(',')}`;
    let cached = this.timelineCache.get(cacheKey);
    const key = this.keys.timeline(id);
    const items = await this.redis.lrange(key, cached?.length ?? 0, -1);
    if (cached && items.length === 0 && (await this.redis.llen(key)) < cached.length) cached = undefined; // the list was replaced (never in production: timelines are append-only)
    const events = cached ? [...cached.events] : [];
    const markers = kinds.map((k) => `"kind":${JSON.stringify(k)}`);
    for (const json of items) {
      if (!markers.some((m) => json.includes(m))) continue;
      const event = timelineEventSchema.parse(JSON.parse(json));
      if (kinds.includes(event.kind)) events.push(event);
    }
    this.timelineCache.delete(cacheKey); // re-insert: the Map's order is least recently used first
    this.timelineCache.set(cacheKey, { length: (cached?.length ?? 0) + items.length, events });
    if (this.timelineCache.size > TIMELINE_CACHE_ENTRIES)
      this.timelineCache.delete(this.timelineCache.keys().next().value!);
    return events;
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

  /** What a claim holds (undefined when nobody claimed the key, or it expired). */
  async readClaim(scope: string, key: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.idempotency(scope, key))) ?? undefined;
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

  /**
   * Both indexes share the global hash tag, so one MULTI updates them together. Every save re-asserts
   * the incident's entries (idempotent), which is what heals an index a crash left incomplete.
   */
  private async syncIndexes(incident: Incident): Promise<void> {
    const multi = this.redis.multi().zadd(this.keys.allIncidents, incident.seq, incident.id);
    if (isActive(incident)) multi.zadd(this.keys.activeIncidents, incident.seq, incident.id);
    else multi.zrem(this.keys.activeIncidents, incident.id);
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error(`indexing incident ${incident.id} was aborted`);
  }
}
