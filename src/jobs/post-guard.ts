import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Deletes the mark only if it is still ours (another run may have taken it after ours expired). */
const RELEASE_IF_OURS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Replaces the mark only if it still holds the value we saw (compare and set, with a TTL in ms). */
const SWAP_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

/** How long a run may hold the mark while it posts; after that another run may try. */
const POSTING_TTL_MS = 60_000;
/** Posted marks outlive the finished jobs (kept for the dedupe window), so a re-added job still finds them. */
const POSTED_TTL_MS = 30 * 24 * 3600 * 1000;

/** The Redis key of the mark for one post: incident, what is posted, the due time it is for. */
export type PostGuardKey = (incidentId: string, what: string, dueMs: number) => string;

export interface HeldClaim {
  outcome: 'claimed';
  /** The post failed before reaching the workspace: give the mark back so a retry can post. */
  release(): Promise<void>;
  /** The post may or may not have reached the workspace (timeout, connection lost). */
  markUncertain(since: Date): Promise<void>;
  confirm(postedAt: Date, ts: string): Promise<void>;
}

export type Claim =
  | HeldClaim
  | { outcome: 'posted'; postedAt: Date }
  | { outcome: 'busy' }
  /** An earlier attempt's outcome is unknown: look in the channel, then `resolve` or `takeOver`. */
  | {
      outcome: 'uncertain';
      since: Date;
      resolve(postedAt: Date, ts: string): Promise<void>;
      takeOver(): Promise<HeldClaim | { outcome: 'busy' }>;
    };

/**
 * Exactly-once posting on top of at-least-once jobs: before posting a prompt (or escalation, or an
 * overdue-action reminder) for a due time, a run takes a Redis SET NX mark on (incident, what, due time). The first run posts and
 * turns the mark into "posted"; a duplicate run (stalled-job redelivery, a re-added job, a second
 * worker) finds the mark and posts nothing. A post refused before it reached Slack (429, 5xx)
 * gives the mark back so the retry posts. A post whose fate is unknown (timeout, connection lost
 * mid-request) leaves an "uncertain" mark: the retry first looks for the message in the channel.
 *
 * Left open: a process killed between Slack's answer and the "posted" mark leaves a "posting" mark
 * that expires after a minute, and the redelivered job posts again. Slack's chat.postMessage takes
 * no idempotency key to close that window; losing the prompt instead would be worse.
 */
export class PostGuard {
  /** `keyOf` names the mark of one post; keep the incident id a hash tag (one cluster slot). */
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: PostGuardKey,
  ) {}

  async claim(incidentId: string, what: string, dueMs: number): Promise<Claim> {
    const key = this.keyOf(incidentId, what, dueMs);
    const token = `posting|${randomUUID()}`;
    const set = await this.redis.set(key, token, 'PX', POSTING_TTL_MS, 'NX');
    if (set === 'OK') return this.held(key, token);
    const current = await this.redis.get(key);
    if (current === null) return this.claim(incidentId, what, dueMs); // expired in between: try again
    if (current.startsWith('posted|')) return { outcome: 'posted', postedAt: instantOf(current) };
    if (current.startsWith('uncertain|'))
      return {
        outcome: 'uncertain',
        since: instantOf(current),
        resolve: async (postedAt, ts) => {
          await this.swap(key, current, `posted|${postedAt.toISOString()}|${ts}`, POSTED_TTL_MS);
        },
        takeOver: async () => {
          const mine = `posting|${randomUUID()}`;
          return (await this.swap(key, current, mine, POSTING_TTL_MS))
            ? this.held(key, mine)
            : { outcome: 'busy' };
        },
      };
    return { outcome: 'busy' };
  }

  async isPosted(incidentId: string, what: string, dueMs: number): Promise<boolean> {
    const value = await this.redis.get(this.keyOf(incidentId, what, dueMs));
    return value?.startsWith('posted|') ?? false;
  }

  private held(key: string, token: string): HeldClaim {
    return {
      outcome: 'claimed',
      release: async () => {
        await this.redis.eval(RELEASE_IF_OURS, 1, key, token);
      },
      markUncertain: async (since) => {
        await this.swap(key, token, `uncertain|${since.toISOString()}`, POSTED_TTL_MS);
      },
      confirm: async (postedAt, ts) => {
        await this.redis.set(key, `posted|${postedAt.toISOString()}|${ts}`, 'PX', POSTED_TTL_MS);
      },
    };
  }

  private async swap(key: string, expected: string, next: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(SWAP_IF_UNCHANGED, 1, key, expected, next, String(ttlMs))) === 1;
  }
}

function instantOf(mark: string): Date {
  const at = new Date(mark.split('|')[1] ?? '');
  return Number.isNaN(at.getTime()) ? new Date() : at;
}
