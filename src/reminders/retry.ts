import { UnrecoverableError } from 'bullmq';
import { ChatError, ChatUnavailableError } from '../chat/port.js';

/**
 * Slack error codes (HTTP 200, ok:false) that mean "Slack had a problem, try again", unlike the
 * rest (channel_not_found, is_archived, invalid_blocks...), which will fail the same way every time.
 */
const TRANSIENT_SLACK_CODES = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** A failure worth another attempt; `retryAfterMs` is the least wait before it. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryLaterError';
  }
}

/**
 * What a job throws when posting failed. Permanent refusals become UnrecoverableError, which BullMQ
 * fails at once without using the remaining attempts; everything else (429, 5xx, network, a Redis
 * hiccup) is retried with the 'slack' backoff.
 */
export function asJobError(error: unknown): Error {
  if (error instanceof UnrecoverableError || error instanceof RetryLaterError) return error;
  if (error instanceof ChatUnavailableError)
    return new RetryLaterError(error.message, error.retryAfterMs, { cause: error });
  if (error instanceof ChatError) {
    if (TRANSIENT_SLACK_CODES.has(error.code))
      return new RetryLaterError(error.message, undefined, { cause: error });
    return new UnrecoverableError(error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}

export const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * The worker's backoffStrategy for jobs with `backoff: { type: 'slack' }`: exponential from `delay`,
 * capped at five minutes, never shorter than the Retry-After Slack sent, with a little jitter so
 * that many prompts failing together do not come back together.
 */
export function slackBackoff(attemptsMade: number, _type?: string, error?: Error, baseMs = 1_000): number {
  const exponential = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.round(exponential * (0.8 + Math.random() * 0.2));
  const asked = error instanceof RetryLaterError ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(jittered, asked);
}
