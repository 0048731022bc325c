/**
 * The job runtime: everything Quell does after an ack or on a timer runs as a job in Redis
 * (BullMQ), so it survives the process that accepted it.
 *
 * Define a job (one per job type, in the feature that owns the work, bound to its services):
 *
 *   export const archiveJob = (deps: ArchiveDeps) =>
 *     defineJob({
 *       name: 'archive-on-resolve',               // unique, lower-case-dashes
 *       lane: 'long',                             // see below
 *       payload: z.object({ incidentId: z.string(), resolvedAt: z.iso.datetime() }),
 *       jobId: (p) => jobIdOf('archive', p.incidentId, Date.parse(p.resolvedAt)), // the dedupe key
 *       retry: RETRY.long,                        // or RETRY.slack / RETRY.interactive / RETRY.once
 *       handle: async (p, ctx) => deps.evidence.archive(...),  // throw to fail; ctx.signal aborts
 *       onGiveUp: async (p, { error, permanent }) => { ...timeline entry... },
 *     });
 *
 * Pick a lane by who waits: `interactive` (a person is looking at "Declaring…": declare, updates,
 * button follow-ups), `background` (timers nobody watches live: reminders, overdue actions,
 * summary refreshes), `long` (minutes: archives, playbooks, postmortems, collectors). Each lane has
 * its own queue and workers, so long work never delays interactive work. Concurrency and the
 * per-run timeout are per lane (`jobs.lanes` in the config file).
 *
 * Register it in services.ts (`jobs.register(def)`), then enqueue with `jobs.enqueue(def, payload,
 * { at | delayMs })`. The job id is `def.jobId(payload)`: derive it from the request's idempotency
 * key (trigger id, view id, action ts, event id) with `jobIdOf(...)` (no ':' allowed). Enqueueing
 * the same id again while the job is stored (waiting, running, or finished less than
 * `jobs.dedupeWindow` ago, default 24 h) adds nothing, so a resend maps to the same job.
 *
 * Failures: throw anything. classify.ts decides: Slack refusals (channel_not_found, invalid_blocks,
 * ...) and UnrecoverableError are given up at once; 429 / 5xx / timeouts / network / Redis are
 * retried with exponential backoff that honours Retry-After. When a job is given up, its
 * `onGiveUp` runs once (write the timeline entry there). Handlers must be idempotent: a job runs at
 * least once (a crash re-delivers it); PostGuard makes a Slack post exactly-once.
 *
 * Jobs post with the background ChatPort (fail-fast: no in-client retries, per-call timeout,
 * shared Redis pacing per method and channel), never the request-path client.
 */

export {
  classifyJobError,
  isPermanent,
  JobTimeoutError,
  RetryLaterError,
  retryDelay,
  UnrecoverableError,
} from './classify.js';
export type { JobsConfig } from './config.js';
export { jobsConfigSchema } from './config.js';
export {
  assertJobId,
  defineJob,
  type GiveUp,
  InvalidJobIdError,
  type JobContext,
  type JobDefinition,
  jobIdOf,
  LANES,
  type LaneName,
  RETRY,
  type RetryPolicy,
} from './define.js';
export { type Rate, type Reservation, SharedPacer } from './pacer.js';
export { type Claim, type HeldClaim, PostGuard, type PostGuardKey } from './post-guard.js';
export {
  type EnqueueOptions,
  JobRuntime,
  laneQueueName,
  type WorkerOptions,
  withDeadline,
} from './runtime.js';
