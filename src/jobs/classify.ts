import { UnrecoverableError } from 'bullmq';
import { ChatError, ChatUnavailableError } from '../chat/port.js';

/**
 * The one Slack retry classification for every job. Slack error codes (HTTP 200, ok:false) that
 * mean "Slack had a problem, try again"; every other code (channel_not_found, is_archived,
 * invalid_blocks, missing_scope...) fails the same way every time and is never retried.
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

/** A run that exceeded its job's timeout: retried like any transient failure. */
export class JobTimeoutError extends RetryLaterError {
  constructor(jobName: string, timeoutMs: number) {
    super(`${jobName} did not finish within ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

export { UnrecoverableError };

/**
 * What a job's failure means for the runtime: permanent refusals become UnrecoverableError (BullMQ
 * fails the job at once, without using the remaining attempts); 429, 5xx, timeouts, network and
 * Redis hiccups become RetryLaterError (carrying Slack's Retry-After). Unknown errors are retried:
 * a bug then costs a few attempts, a lost job would cost an incident.
 */
export function classifyJobError(error: unknown): UnrecoverableError | RetryLaterError {
  if (error instanceof UnrecoverableError || error instanceof RetryLaterError) return error;
  if (error instanceof ChatUnavailableError)
    return new RetryLaterError(error.message, error.retryAfterMs, { cause: error });
  if (error instanceof ChatError) {
    if (TRANSIENT_SLACK_CODES.has(error.code))
      return new RetryLaterError(error.message, undefined, { cause: error });
    return new UnrecoverableError(error.message);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RetryLaterError(message, undefined, { cause: error });
}

export function isPermanent(error: unknown): boolean {
  return error instanceof UnrecoverableError || classifyJobError(error) instanceof UnrecoverableError;
}

/**
 * The wait before the next attempt: exponential from `baseMs` capped at `maxMs`, with a little
 * jitter so that many jobs failing together do not come back together, and never shorter than the
 * Retry-After Slack sent.
 */
export function retryDelay(
  attemptsMade: number,
  policy: { baseMs: number; maxMs: number },
  error?: Error,
): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.round(exponential * (0.8 + Math.random() * 0.2));
  const asked = error instanceof RetryLaterError ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(jittered, asked);
}
