import type { QuellConfig } from '../config/schema.js';
import { RETRY, type RetryPolicy } from '../jobs/index.js';

/** BullMQ re-delivers a job whose worker died this many times before giving it up (lane-worker.ts). */
const MAX_STALLED_RUNS = 5;

/**
 * How long a "posting" mark is held before another run treats its post as uncertain, and how long
 * after a timed-out post the look in the channel waits: twice what one background Slack call may
 * take (its timeout; its pacing wait and the 1 s net on top are in the 5 s), because a slow
 * workspace may store a message well after it stopped answering. The exactly-once guarantee
 * holds for posts Slack stores within this time of their request (35 s with the default 15 s).
 */
export function postingLeaseMs(config: QuellConfig): number {
  return 2 * config.jobs.slackTimeout.background + 5_000;
}

/**
 * How long the reminders' post marks live (the cadence horizon): longer than any run that may post
 * under one mark, i.e. a prompt or ladder-step job's retries (RETRY.slack, about two hours) and its
 * stalled re-deliveries, and at least three cadences of the slowest severity. After that nothing
 * can post for that due time again: its job is finished, and the due-time index (due-index.ts)
 * no longer names it, so reconciliation does not re-add it.
 */
export function reminderMarkHorizonMs(config: QuellConfig): number {
  const cadences = Object.values(config.severities)
    .map((s) => s.cadence)
    .filter((c): c is number => c !== null);
  const jobLife =
    retrySpanMs(RETRY.slack) +
    (MAX_STALLED_RUNS + 1) * (config.jobs.lockDuration + config.jobs.lanes.background.timeout) +
    postingLeaseMs(config);
  return Math.max(jobLife, 3 * Math.max(0, ...cadences));
}

/** The longest a job with this policy keeps being retried (every backoff at its maximum, +25 % for Retry-After). */
export function retrySpanMs(policy: RetryPolicy): number {
  let total = 0;
  for (let made = 1; made < policy.attempts; made++)
    total += Math.min(policy.maxMs, policy.baseMs * 2 ** (made - 1));
  return Math.ceil(total * 1.25);
}
