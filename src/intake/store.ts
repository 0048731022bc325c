import type { Redis } from 'ioredis';

/**
 * Intake's Redis state. One hash per alert fingerprint holds everything about it (the incident it
 * opened, how often it fired, the channel message that counts the repeats), so every operation is
 * on one key and the layout is Redis-Cluster safe: the key carries the fingerprint's own hash tag,
 * `<prefix>:intake:{<source>/<fingerprint>}`. Delivery marks (replay protection) are single keys used
 * alone. The claim is a field set only when empty (or when it still names the incident the caller
 * saw), so of a burst of 1,000 alerts with one fingerprint exactly one declares.
 */

/** An alert's incident: claimed by a job (`pending:<job>`) until declared, then the incident id. */
export type Claim = { won: true } | { won: false; incidentId: string } | { won: false; pendingFor: string };

export interface FireCounts {
  count: number;
  firstMs: number;
  lastMs: number;
  /** How many fires the channel message last showed. */
  shown: number;
  channel?: string;
  messageTs?: string;
  incidentId?: string;
  /** When the sender last said it resolved, if after the last fire. */
  resolvedMs?: number;
  /** What the card shows besides the counts (JSON the service wrote). */
  card?: string;
}

/** Fingerprint hashes outlive their incident by a while (repeats of a resolved alert open a new one). */
const FINGERPRINT_TTL_SECONDS = 30 * 24 * 3600;
const PENDING = 'pending:';

const CLAIM = `
local current = redis.call('HGET', KEYS[1], 'incident')
if (not current) or (ARGV[3] ~= '' and current == ARGV[3]) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'incident', ARGV[1], 'count', 0, 'first', ARGV[2], 'last', ARGV[2], 'shown', 0)
  redis.call('EXPIRE', KEYS[1], ${FINGERPRINT_TTL_SECONDS})
  return ''
end
return current`;

const SETTLE = `
if redis.call('HGET', KEYS[1], 'incident') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'incident', ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('HGET', KEYS[1], 'incident') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

const FIRE = `
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HSET', KEYS[1], 'last', ARGV[1])
redis.call('HDEL', KEYS[1], 'resolved')
if not redis.call('HGET', KEYS[1], 'first') then redis.call('HSET', KEYS[1], 'first', ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ${FINGERPRINT_TTL_SECONDS})
return count`;

/** Field set while a card edit is scheduled: a burst schedules one edit, not one per alert. */
const FLUSH_PENDING = 'flush';

export class IntakeStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  fingerprintKey(source: string, fingerprint: string): string {
    return `${this.prefix}:intake:{${source}/${fingerprint}}`;
  }

  /**
   * Takes the fingerprint for `job` when nobody holds it, or when it still names `replacing` (the
   * resolved incident the caller saw). Otherwise says who holds it.
   */
  async claim(
    source: string,
    fingerprint: string,
    job: string,
    nowMs: number,
    replacing = '',
  ): Promise<Claim> {
    const holder = (await this.redis.eval(
      CLAIM,
      1,
      this.fingerprintKey(source, fingerprint),
      `${PENDING}${job}`,
      String(nowMs),
      replacing,
    )) as string;
    if (holder === '' || holder === `${PENDING}${job}`) return { won: true };
    return holder.startsWith(PENDING)
      ? { won: false, pendingFor: holder.slice(PENDING.length) }
      : { won: false, incidentId: holder };
  }

  /** The claim by `job` now names its incident. False when someone else holds it. */
  async settle(source: string, fingerprint: string, job: string, incidentId: string): Promise<boolean> {
    const key = this.fingerprintKey(source, fingerprint);
    return (await this.redis.eval(SETTLE, 1, key, `${PENDING}${job}`, incidentId)) === 1;
  }

  /** Gives up `job`'s claim (its declare failed for good), so the next alert tries again. */
  async release(source: string, fingerprint: string, job: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.fingerprintKey(source, fingerprint), `${PENDING}${job}`);
  }

  /** Counts one fire of the alert; returns the total. */
  async fire(source: string, fingerprint: string, nowMs: number): Promise<number> {
    return Number(await this.redis.eval(FIRE, 1, this.fingerprintKey(source, fingerprint), String(nowMs)));
  }

  /** True for exactly one caller until `flushStarting`: that caller schedules the card edit. */
  async needsFlush(source: string, fingerprint: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.fingerprintKey(source, fingerprint), FLUSH_PENDING, '1')) === 1;
  }

  /** The scheduled edit begins: fires from now on schedule the next one. */
  async flushStarting(source: string, fingerprint: string): Promise<void> {
    await this.redis.hdel(this.fingerprintKey(source, fingerprint), FLUSH_PENDING);
  }

  async counts(source: string, fingerprint: string): Promise<FireCounts | undefined> {
    const h = await this.redis.hgetall(this.fingerprintKey(source, fingerprint));
    if (!h.incident) return undefined;
    return {
      count: Number(h.count ?? 0),
      firstMs: Number(h.first ?? 0),
      lastMs: Number(h.last ?? 0),
      shown: Number(h.shown ?? 0),
      ...(h.channel ? { channel: h.channel } : {}),
      ...(h.ts ? { messageTs: h.ts } : {}),
      ...(h.incident.startsWith(PENDING) ? {} : { incidentId: h.incident }),
      ...(h.resolved ? { resolvedMs: Number(h.resolved) } : {}),
      ...(h.card ? { card: h.card } : {}),
    };
  }

  /** The sender says the alert resolved (shown on the card until it fires again). */
  async resolved(source: string, fingerprint: string, nowMs: number): Promise<void> {
    await this.redis.hset(this.fingerprintKey(source, fingerprint), 'resolved', nowMs);
  }

  async setCard(source: string, fingerprint: string, card: string): Promise<void> {
    await this.redis.hset(this.fingerprintKey(source, fingerprint), 'card', card);
  }

  /**
   * The unattended-run token for one action of this alert's incident: the one kept, else `create`'s
   * (kept first-writer-wins), so a retried job presses the same confirmation and resumes its run.
   */
  async autoRunToken(
    source: string,
    fingerprint: string,
    action: string,
    create: () => Promise<string>,
  ): Promise<string> {
    const key = this.fingerprintKey(source, fingerprint);
    const field = `autorun:${action}`;
    const kept = await this.redis.hget(key, field);
    if (kept) return kept;
    const token = await create();
    if (await this.redis.hsetnx(key, field, token)) return token;
    return (await this.redis.hget(key, field)) ?? token;
  }

  /** Where the alert's counting message is, once posted. */
  async setMessage(source: string, fingerprint: string, channel: string, ts: string): Promise<void> {
    await this.redis.hset(this.fingerprintKey(source, fingerprint), 'channel', channel, 'ts', ts);
  }

  async setShown(source: string, fingerprint: string, shown: number): Promise<void> {
    await this.redis.hset(this.fingerprintKey(source, fingerprint), 'shown', shown);
  }

  /**
   * Marks a delivery seen (replay protection); false when it already was within the window. The key
   * is used alone, so it carries no hash tag and spreads over the cluster.
   */
  async firstDelivery(kind: 'alert' | 'signature', id: string, windowMs: number): Promise<boolean> {
    const set = await this.redis.set(`${this.prefix}:intake:seen:${kind}:${id}`, '1', 'PX', windowMs, 'NX');
    return set === 'OK';
  }

  /** Forgets a delivery mark (its alert could not be queued, so the sender's retry must get through). */
  async forgetDelivery(kind: 'alert' | 'signature', id: string): Promise<void> {
    await this.redis.del(`${this.prefix}:intake:seen:${kind}:${id}`);
  }
}
