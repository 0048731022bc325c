import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ReminderKeys } from './keys.js';

/** Deletes the mark only if it is still ours (another run may have taken it after ours expired). */
const RELEASE_IF_OURS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** How long a run may hold the mark while it posts; after that another run may try. */
const POSTING_TTL_MS = 60_000;
/** Posted marks outlive the finished jobs (kept a week), so a re-added job still finds them. */
const POSTED_TTL_SECONDS = 30 * 24 * 3600;

export type Claim =
  | { outcome: 'claimed'; release(): Promise<void>; confirm(postedAt: Date, ts: string): Promise<void> }
  | { outcome: 'posted'; postedAt: Date }
  | { outcome: 'busy' };

/**
 * Exactly-once posting on top of at-least-once jobs: before posting a prompt (or escalation) for a
 * due time, a run takes a Redis SET NX mark on (incident, what, due time). The first run posts and
 * turns the mark into "posted"; a duplicate run (stalled-job redelivery, a re-added job, a second
 * worker) finds the mark and posts nothing. A failed post removes the mark so the retry can post.
 *
 * The one window left: a process that dies after Slack accepted the message but before the mark
 * says "posted" leaves a "posting" mark that expires; the redelivered job then posts again. Slack's
 * chat.postMessage has no idempotency key to close that window; losing the prompt instead would be worse.
 */
export class PostGuard {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ReminderKeys,
  ) {}

  async claim(incidentId: string, what: string, dueMs: number): Promise<Claim> {
    const key = this.keys.postGuard(incidentId, what, dueMs);
    const token = `posting:${randomUUID()}`;
    const set = await this.redis.set(key, token, 'PX', POSTING_TTL_MS, 'NX');
    if (set !== 'OK') {
      const current = await this.redis.get(key);
      if (current?.startsWith('posted|')) return { outcome: 'posted', postedAt: postedAtOf(current) };
      if (current !== null) return { outcome: 'busy' };
      // the other run's mark expired between our SET and GET: try once more
      return this.claim(incidentId, what, dueMs);
    }
    return {
      outcome: 'claimed',
      release: async () => {
        await this.redis.eval(RELEASE_IF_OURS, 1, key, token);
      },
      confirm: async (postedAt: Date, ts: string) => {
        await this.redis.set(key, `posted|${postedAt.toISOString()}|${ts}`, 'EX', POSTED_TTL_SECONDS);
      },
    };
  }

  async isPosted(incidentId: string, what: string, dueMs: number): Promise<boolean> {
    const value = await this.redis.get(this.keys.postGuard(incidentId, what, dueMs));
    return value?.startsWith('posted|') ?? false;
  }
}

function postedAtOf(mark: string): Date {
  const at = new Date(mark.split('|')[1] ?? '');
  return Number.isNaN(at.getTime()) ? new Date() : at;
}
