import type { Redis } from 'ioredis';

/**
 * A rate shared by every replica: GCRA (the generic cell rate algorithm) over one Redis key per
 * limit, so two Quell processes posting to the same channel share its one message per second, and
 * a 429 seen by one replica slows the others. Times come from Redis's own clock (TIME), so replicas
 * with skewed clocks agree. A reservation is atomic (one Lua script): the caller is told how long
 * to wait for its slot, or, when that wait exceeds what it can afford, is refused and reserves
 * nothing.
 *
 * KEYS[1] the limit's key. ARGV: interval ms, burst, max wait ms (-1: no reservation, a peek),
 * penalty ms (a 429's Retry-After: no slot before now + penalty).
 * Returns the wait in ms (>= 0) when reserved, or -(wait) - 1 when refused.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local maxWait = tonumber(ARGV[3])
local penalty = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if penalty > 0 then
  local blocked = now + penalty + tolerance
  if blocked > tat then tat = blocked end
  redis.call('SET', KEYS[1], tat, 'PX', tat - now + 1000)
  return 0
end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if wait > maxWait then return -wait - 1 end
local nextTat = tat + interval
redis.call('SET', KEYS[1], nextTat, 'PX', nextTat - now + 1000)
return wait
`;

/** One limit: at most `perMinute` calls a minute on average, `burst` of them back to back. */
export interface Rate {
  perMinute: number;
  burst: number;
}

export type Reservation = { granted: true; waitMs: number } | { granted: false; waitMs: number };

export class SharedPacer {
  constructor(
    private readonly redis: Redis,
    /** Key prefix, e.g. `quell:pace`; each limit's key is `<prefix>:{<name>}`. */
    private readonly prefix: string,
  ) {}

  /** Reserves the next slot of `name` if it comes within `maxWaitMs`. */
  async reserve(name: string, rate: Rate, maxWaitMs: number): Promise<Reservation> {
    const interval = Math.max(1, Math.round(60_000 / rate.perMinute));
    const result = Number(
      await this.redis.eval(RESERVE, 1, this.key(name), interval, Math.max(1, rate.burst), maxWaitMs, 0),
    );
    return result >= 0 ? { granted: true, waitMs: result } : { granted: false, waitMs: -result - 1 };
  }

  /** Slack said 429 with Retry-After: no replica gets a slot of `name` before it passes. */
  async penalize(name: string, rate: Rate, retryAfterMs: number): Promise<void> {
    const interval = Math.max(1, Math.round(60_000 / rate.perMinute));
    await this.redis.eval(
      RESERVE,
      1,
      this.key(name),
      interval,
      Math.max(1, rate.burst),
      0,
      Math.max(1, retryAfterMs),
    );
  }

  private key(name: string): string {
    return `${this.prefix}:{${name}}`;
  }
}
