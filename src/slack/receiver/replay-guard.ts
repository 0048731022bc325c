import type { Redis } from 'ioredis';
import { SIGNATURE_WINDOW_SECONDS } from './signature.js';

/**
 * Exact replays of a signed request (same timestamp, body and signature) are dropped while the
 * signature could still pass the timestamp check. A signature is claimed while its request runs and
 * recorded for the whole window only once its work is durable (the response went out: Bolt acks after
 * the listener queued its job), so a request that failed before that can be delivered again.
 * Slack's own retries carry a new signature and `X-Slack-Retry-Num`: they pass here and meet the
 * durable-work dedupe (the request's idempotency key) instead.
 */
export class ReplayGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(signature: string): string {
    return `${this.prefix}:signature-seen:${signature.slice(3)}`;
  }

  /** True when this signature is new (and now claimed); false for a replay. */
  async claim(signature: string): Promise<boolean> {
    // claimed for the request's own run; `done` extends it to the whole window
    return (await this.redis.set(this.key(signature), 'running', 'EX', 60, 'NX')) === 'OK';
  }

  /** The request's work is durable: remember its signature for as long as it could be replayed. */
  async done(signature: string): Promise<void> {
    // both directions of the window, plus a minute of clock skew between replicas
    await this.redis.set(this.key(signature), 'done', 'EX', 2 * SIGNATURE_WINDOW_SECONDS + 60);
  }

  /** The request failed before its work was durable: the same request may come again. */
  async release(signature: string): Promise<void> {
    await this.redis.del(this.key(signature));
  }
}
