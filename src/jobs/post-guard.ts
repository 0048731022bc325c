import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { confirmReplicated, type ReplicaAcks } from '../redis/replication.js';

/** Replaces the mark only if it still holds the value we saw (compare and set, with a TTL in ms). */
const SWAP_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

/** Deletes the mark only if it is still ours (a refused post gives it back). */
const RELEASE_IF_OURS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface PostGuardOptions {
  /**
   * How long a run may hold the "posting" mark before another run treats its post as uncertain
   * (looks in the channel, then takes over), and how long after an uncertain post (a timeout) the
   * look waits, so that a request still on its way in has landed. Longer than one post can take:
   * the Slack call's timeout plus its pacing wait. Default 60 s.
   */
  postingLeaseMs?: number;
  /**
   * How long every mark lives: longer than any run that may post under it (its retries and
   * stalled re-deliveries). Default 30 days, for callers that have not derived their own.
   */
  horizonMs?: number;
  /**
   * `redis.replicaAcks`, resolved: a mark is held only once this many replicas have it, so a
   * failover cannot forget a post under way and let another run post it again. Default none.
   */
  replicaAcks?: ReplicaAcks;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_HORIZON_MS = 30 * 24 * 3600 * 1000;

/** The Redis key of the mark for one post: incident, what is posted, the due time it is for. */
export type PostGuardKey = (incidentId: string, what: string, dueMs: number) => string;

export interface HeldClaim {
  outcome: 'claimed';
  /** The post failed before reaching the workspace: give the mark back so a retry can post. */
  release(): Promise<void>;
  /** The post may or may not have reached the workspace (timeout, connection lost). */
  markUncertain(since: Date): Promise<void>;
  /** The post was found (or made): nobody posts it again. */
  confirm(postedAt: Date, ts: string): Promise<void>;
}

export type Claim =
  | HeldClaim
  | { outcome: 'posted'; postedAt: Date; ts?: string }
  | { outcome: 'busy' }
  /**
   * An earlier attempt may have reached the workspace (its post timed out, or its run died while
   * holding the mark): look in the channel, then `resolve` with what was found or `takeOver`.
   */
  | {
      outcome: 'uncertain';
      since: Date;
      resolve(postedAt: Date, ts: string): Promise<void>;
      takeOver(): Promise<HeldClaim | { outcome: 'busy' }>;
    };

/**
 * Exactly-once posting on top of at-least-once jobs: before posting a prompt (or escalation, or an
 * overdue-action reminder) for a due time, a run takes a Redis SET NX mark on (incident, what, due
 * time): `posting|<token>|<since>`. The first run posts and turns the mark into "posted"; a
 * duplicate run (stalled-job redelivery, a re-added job, a second worker) finds the mark and posts
 * nothing. A post refused before it reached Slack (429, 5xx) gives the mark back so the retry posts.
 *
 * A post whose fate is unknown never leads to a second post without a look in the channel first:
 * - its request timed out or lost the connection: the mark becomes "uncertain", and the look waits
 *   for the lease to pass (a slow Slack may still be storing the message it answered too late);
 * - its process died after Slack accepted it and before the mark said "posted": the "posting" mark
 *   stays (it lives the whole horizon), and once its lease has passed the next run reads it as
 *   uncertain;
 * - the mark itself is gone (expired, or lost with Redis data) while the job has run before: the
 *   caller says so (`claim(..., { startedBefore })`) and a fresh mark comes back uncertain.
 * Slack's chat.postMessage takes no idempotency key; the look (by the message's block_id marker)
 * is what closes the window.
 */
export class PostGuard {
  private readonly leaseMs: number;
  private readonly horizonMs: number;

  /** `keyOf` names the mark of one post; keep the incident id a hash tag (one cluster slot). */
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: PostGuardKey,
    options: PostGuardOptions = {},
  ) {
    this.leaseMs = options.postingLeaseMs ?? DEFAULT_LEASE_MS;
    this.horizonMs = Math.max(options.horizonMs ?? DEFAULT_HORIZON_MS, this.leaseMs);
    this.replicaAcks = options.replicaAcks;
  }

  private readonly replicaAcks: ReplicaAcks | undefined;

  /** How long the marks live (callers keep related records as long). */
  get horizon(): number {
    return this.horizonMs;
  }

  /**
   * Takes the mark of one post. `startedBefore`: an earlier run of the same job started (see
   * JobContext.startedBefore), so a missing mark does not prove that nothing was posted.
   */
  async claim(
    incidentId: string,
    what: string,
    dueMs: number,
    options: { startedBefore?: boolean } = {},
  ): Promise<Claim> {
    const key = this.keyOf(incidentId, what, dueMs);
    const now = Date.now();
    const token = `posting|${randomUUID()}|${now}`;
    const set = await this.redis.set(key, token, 'PX', this.horizonMs, 'NX');
    if (set === 'OK') {
      await this.replicated(key, token);
      return options.startedBefore ? this.uncertain(key, token, new Date(now)) : this.held(key, token);
    }
    const current = await this.redis.get(key);
    if (current === null) return this.claim(incidentId, what, dueMs, options); // expired in between
    if (current.startsWith('posted|')) {
      const ts = current.split('|')[2];
      return { outcome: 'posted', postedAt: instantOf(current), ...(ts ? { ts } : {}) };
    }
    if (current.startsWith('uncertain|')) {
      const since = Date.parse(current.split('|')[1] ?? '');
      // the request that timed out may still be on its way in: look once it would have landed
      if (Number.isFinite(since) && now - since < this.leaseMs) return { outcome: 'busy' };
      return this.uncertain(key, current, Number.isFinite(since) ? new Date(since) : new Date(now));
    }
    if (current.startsWith('posting|')) {
      const since = postingSince(current);
      // the holder's lease ran out: its run died, or hung past any Slack timeout, maybe after posting
      if (since !== undefined && now - since >= this.leaseMs)
        return this.uncertain(key, current, new Date(since));
    }
    return { outcome: 'busy' };
  }

  /** The new mark is on a replica, or given back (the run fails and is retried) before anything is posted. */
  private async replicated(key: string, token: string): Promise<void> {
    if (!this.replicaAcks) return;
    try {
      await confirmReplicated(this.redis, [key], this.replicaAcks);
    } catch (error) {
      await this.redis.eval(RELEASE_IF_OURS, 1, key, token).catch(() => undefined);
      throw error;
    }
  }

  async isPosted(incidentId: string, what: string, dueMs: number): Promise<boolean> {
    const value = await this.redis.get(this.keyOf(incidentId, what, dueMs));
    return value?.startsWith('posted|') ?? false;
  }

  private uncertain(key: string, current: string, since: Date): Claim {
    return {
      outcome: 'uncertain',
      since,
      resolve: async (postedAt, ts) => {
        await this.swap(key, current, posted(postedAt, ts));
      },
      takeOver: async () => {
        const mine = `posting|${randomUUID()}|${Date.now()}`;
        return (await this.swap(key, current, mine)) ? this.held(key, mine) : { outcome: 'busy' };
      },
    };
  }

  private held(key: string, token: string): HeldClaim {
    return {
      outcome: 'claimed',
      release: async () => {
        await this.redis.eval(RELEASE_IF_OURS, 1, key, token);
      },
      markUncertain: async (since) => {
        await this.swap(key, token, `uncertain|${since.toISOString()}`);
      },
      confirm: async (postedAt, ts) => {
        await this.redis.set(key, posted(postedAt, ts), 'PX', this.horizonMs);
      },
    };
  }

  private async swap(key: string, expected: string, next: string): Promise<boolean> {
    return (await this.redis.eval(SWAP_IF_UNCHANGED, 1, key, expected, next, String(this.horizonMs))) === 1;
  }
}

const posted = (at: Date, ts: string) => `posted|${at.toISOString()}|${ts}`;

function instantOf(mark: string): Date {
  const at = new Date(mark.split('|')[1] ?? '');
  return Number.isNaN(at.getTime()) ? new Date() : at;
}

/** When a "posting" mark was taken (epoch ms); undefined for an older version's mark (it expires in a minute). */
function postingSince(mark: string): number | undefined {
  const since = Number(mark.split('|')[2]);
  return Number.isFinite(since) && since > 0 ? since : undefined;
}
