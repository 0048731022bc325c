import type { Redis } from 'ioredis';
import { ConcurrentUpdateError, IncidentNotFoundError } from '../errors.js';
import type { RedisKeys } from '../redis/keys.js';
import { confirmReplicated, NO_REPLICA_ACKS, type ReplicaAcks } from '../redis/replication.js';
import { type Incident, incidentSchema, isActive, SEVERITIES } from './model.js';
import { type TimelineEvent, type TimelineKind, timelineEventSchema } from './timeline.js';
import { type IncidentEntry, type Tombstone, tombstoneSchema } from './tombstone.js';

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

/** Raises the counter to ARGV[1] unless it is already there or beyond; returns the value before. */
const RAISE_SEQUENCE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return current
`;

/**
 * App Home's order as one score: severity first (sev1 lowest), then newest first. Both parts fit a
 * double exactly (sequence numbers stay far below 1e12).
 */
const SEQ_SPAN = 1e12;
function severityScore(incident: Incident): number {
  return SEVERITIES.indexOf(incident.severity) * SEQ_SPAN + (SEQ_SPAN - incident.seq);
}

/**
 * Deletes the record and its timeline only if the record is still the version the sweep read (a
 * reopen or a late event in between keeps the incident). KEYS: incident, timeline. ARGV: version.
 */
const DELETE_IF_UNCHANGED = `
local current = redis.call('GET', KEYS[1])
if not current then return 1 end
if cjson.decode(current)['version'] ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`;

/** Deletes a channel link only while it still names this incident. KEYS: link. ARGV: incident id. */
const UNLINK_IF_OURS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const MAX_UPDATE_ATTEMPTS = 5;

/** How many (incident, kinds) timeline reads `timelineOfKinds` keeps in memory. */
const TIMELINE_CACHE_ENTRIES = 200;

export class IncidentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly replicaAcks: ReplicaAcks = NO_REPLICA_ACKS,
  ) {}

  private readonly timelineCache = new Map<string, { length: number; events: TimelineEvent[] }>();

  /** Unique and gap-tolerant across replicas: INCR is atomic on the one Redis they share. */
  nextSequence(): Promise<number> {
    return this.redis.incr(this.keys.incidentSequence);
  }

  /**
   * Resolves once `redis.replicaAcks` replicas hold every write made so far on this connection to
   * the incident's keys and the global ones (its id, indexes, due prompt); throws
   * WritesNotReplicatedError otherwise. Run before telling anyone the incident exists.
   */
  confirmReplicated(id: string): Promise<void> {
    return confirmReplicated(this.redis, [this.keys.incident(id), this.keys.allIncidents], this.replicaAcks);
  }

  /** The last sequence number handed out (0 before the first incident). */
  async currentSequence(): Promise<number> {
    return Number((await this.redis.get(this.keys.incidentSequence)) ?? 0);
  }

  /** Never backwards: the id floor (id-floor.ts) raises the counter past ids that exist elsewhere. */
  async raiseSequenceTo(seq: number): Promise<number> {
    return Number(await this.redis.eval(RAISE_SEQUENCE, 1, this.keys.incidentSequence, String(seq)));
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

  // ── Retention (incidents/retention.ts): what is due, compaction, and what is left of an incident. ──

  /** Resolved, not yet compacted incidents whose retention check is due, longest waiting first. */
  retentionDue(nowMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.retentionDue, '-inf', nowMs, 'LIMIT', 0, limit);
  }

  /** The sweep looks at the incident again at `atMs` (XX: only while it is still waiting). */
  async recheckRetentionAt(id: string, atMs: number): Promise<void> {
    await this.redis.zadd(this.keys.retentionDue, 'XX', atMs, id);
  }

  /**
   * Enters the incidents from before the retention and App Home indexes existed (an upgraded
   * deployment), once: every incident not yet compacted is read, in pages, and re-indexed like a
   * save does (a resolved one's retention time NX: a time the sweep chose is kept). Idempotent; the
   * done mark is set only when it finished. Returns how many were entered.
   */
  async backfillRetentionIndex(page = 500): Promise<number> {
    if (await this.redis.exists(this.keys.retentionBackfilled)) return 0;
    const ids = await this.redis.zrange(this.keys.allIncidents, 0, -1);
    let entered = 0;
    for (let i = 0; i < ids.length; i += page) {
      const records = await Promise.all(ids.slice(i, i + page).map((id) => this.get(id)));
      const live = records.filter((i): i is Incident => i !== undefined);
      await Promise.all(live.map((incident) => this.syncIndexes(incident)));
      entered += live.length;
    }
    await this.redis.set(this.keys.retentionBackfilled, new Date().toISOString());
    return entered;
  }

  /** An id in the retention index whose record is gone and left no tombstone: nothing to wait for. */
  async dropRetentionEntry(id: string): Promise<void> {
    await this.redis.zrem(this.keys.retentionDue, id);
  }

  /**
   * Replaces a resolved incident (as read at `version`) by its tombstone, in idempotent steps on
   * their own hash tags: the tombstone (global), then the record and timeline (the incident's tag,
   * only if unchanged), then the index entries and channel links (`finishCompaction`). A crash
   * anywhere is finished by the next sweep. Returns false when the incident changed meanwhile
   * (reopened, a late event): then nothing is compacted.
   */
  async compact(tombstone: Tombstone, version: number): Promise<boolean> {
    const json = JSON.stringify(tombstoneSchema.parse(tombstone));
    await this.redis.hset(this.keys.tombstones, tombstone.id, json);
    const deleted = await this.redis.eval(
      DELETE_IF_UNCHANGED,
      2,
      this.keys.incident(tombstone.id),
      this.keys.timeline(tombstone.id),
      String(version),
    );
    if (Number(deleted) !== 1) {
      await this.redis.hdel(this.keys.tombstones, tombstone.id);
      return false;
    }
    await this.finishCompaction(tombstone);
    return true;
  }

  /** The last steps of `compact` (also what a sweep finds half done): index entries, channel links. */
  async finishCompaction(tombstone: Tombstone): Promise<void> {
    const channels = [tombstone.channelId, ...(tombstone.previousChannelIds ?? [])].filter((c): c is string =>
      Boolean(c),
    );
    // each link is a key of its own (no tag): one at a time, never in a transaction with another
    for (const channel of channels)
      await this.redis.eval(UNLINK_IF_OURS, 1, this.keys.channelIncident(channel), tombstone.id);
    const results = await this.redis
      .multi()
      .zrem(this.keys.activeIncidents, tombstone.id)
      .zrem(this.keys.activeBySeverity, tombstone.id)
      .zrem(this.keys.retentionDue, tombstone.id)
      .exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error(`compacting ${tombstone.id} was aborted`);
  }

  async tombstone(id: string): Promise<Tombstone | undefined> {
    const json = await this.redis.hget(this.keys.tombstones, id);
    return json ? tombstoneSchema.parse(JSON.parse(json)) : undefined;
  }

  /** The live record, else what compaction left of it; undefined for an id never declared. */
  async lookup(id: string): Promise<IncidentEntry | undefined> {
    const incident = await this.get(id);
    if (incident) return { kind: 'record', incident };
    const tombstone = await this.tombstone(id);
    return tombstone ? { kind: 'tombstone', tombstone } : undefined;
  }

  /**
   * App Home's bounded view, whatever the number of incidents: the `active` most severe (then
   * newest) active non-drill incidents with how many there are, and the `recent` newest incidents
   * (live or compacted). Two rounds: the three index reads in one pipeline (one slot, the global
   * tag), then at most `active + recent` record reads and one HMGET of tombstones, sent together.
   */
  async homeView(limits: { active: number; recent: number }): Promise<{
    activeCount: number;
    active: Incident[];
    recent: IncidentEntry[];
  }> {
    const indexes = await this.redis
      .pipeline()
      .zcard(this.keys.activeBySeverity)
      .zrange(this.keys.activeBySeverity, 0, Math.max(0, limits.active) - 1)
      .zrevrange(this.keys.allIncidents, 0, Math.max(0, limits.recent) - 1)
      .exec();
    const failed = indexes?.find(([error]) => error);
    if (!indexes || failed) throw failed?.[0] ?? new Error('reading the incident indexes was aborted');
    const activeCount = Number(indexes[0]![1]);
    const activeIds = limits.active > 0 ? (indexes[1]![1] as string[]) : [];
    const recentIds = limits.recent > 0 ? (indexes[2]![1] as string[]) : [];
    const ids = [...new Set([...activeIds, ...recentIds])];
    // records live under each incident's own tag: separate commands, sent at once
    const [records, tombstones] = await Promise.all([
      Promise.all(ids.map((id) => this.get(id))),
      recentIds.length ? this.redis.hmget(this.keys.tombstones, ...recentIds) : Promise.resolve([]),
    ]);
    const byId = new Map(ids.map((id, i) => [id, records[i]]));
    const active = activeIds
      .map((id) => byId.get(id))
      .filter((i): i is Incident => i !== undefined && isActive(i) && !i.drill);
    const recent: IncidentEntry[] = [];
    recentIds.forEach((id, i) => {
      const incident = byId.get(id);
      const tombstone = tombstones[i];
      if (incident) recent.push({ kind: 'record', incident });
      else if (tombstone)
        recent.push({ kind: 'tombstone', tombstone: tombstoneSchema.parse(JSON.parse(tombstone)) });
    });
    return { activeCount, active, recent };
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
    if (isActive(incident) && !incident.drill)
      multi.zadd(this.keys.activeBySeverity, severityScore(incident), incident.id);
    else multi.zrem(this.keys.activeBySeverity, incident.id);
    // first looked at when resolved (NX: a later save keeps the time the sweep chose); reopened: out
    if (isActive(incident)) multi.zrem(this.keys.retentionDue, incident.id);
    else
      multi.zadd(
        this.keys.retentionDue,
        'NX',
        Date.parse(incident.resolvedAt ?? incident.updatedAt),
        incident.id,
      );
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error(`indexing incident ${incident.id} was aborted`);
  }
}
