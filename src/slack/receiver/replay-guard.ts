import type { Redis } from 'ioredis';
import { ClaimLedger } from '../claims.js';
import { SIGNATURE_WINDOW_SECONDS } from './signature.js';

/**
 * Exact replays of a signed request (same timestamp, body and signature) are dropped while the
 * signature could still pass the timestamp check. A signature is claimed while its request runs and
 * recorded for the whole window only once its work is durable (the response went out: Bolt acks after
 * the listener queued its job), so a request that failed before that can be delivered again.
 * Slack's own retries carry a new signature and `X-Slack-Retry-Num`: they pass here and meet the
 * durable-work dedupe (the request's idempotency key) instead.
 */
export class ReplayGuard extends ClaimLedger {
  constructor(redis: Redis, prefix: string) {
    // remembered for both directions of the window, plus a minute of clock skew between replicas
    super(
      redis,
      (signature) => `${prefix}:signature-seen:${signature.slice(3)}`,
      2 * SIGNATURE_WINDOW_SECONDS + 60,
    );
  }
}
