import type { Redis } from 'ioredis';

/**
 * How long a claim holds while its request runs. A replica that dies mid-run leaves its claim to
 * expire, so a later delivery of the same request runs instead of being dropped for good.
 */
const RUNNING_SECONDS = 60;

/**
 * Requests taken once across replicas, in Redis: claimed while one runs, remembered for
 * `doneSeconds` once its work is handed on, released when it failed before that so it may come again.
 */
export class ClaimLedger {
  constructor(
    private readonly redis: Redis,
    private readonly redisKey: (key: string) => string,
    private readonly doneSeconds: number,
  ) {}

  /** True when this request is new (and now claimed); false while it runs elsewhere or once it ran. */
  async claim(key: string): Promise<boolean> {
    return (await this.redis.set(this.redisKey(key), 'running', 'EX', RUNNING_SECONDS, 'NX')) === 'OK';
  }

  /** Its work is handed on: remember it for the whole span a repeat could arrive in. */
  async done(key: string): Promise<void> {
    await this.redis.set(this.redisKey(key), 'done', 'EX', this.doneSeconds);
  }

  /** It failed before its work was handed on: the same request may come again. */
  async release(key: string): Promise<void> {
    await this.redis.del(this.redisKey(key));
  }
}
