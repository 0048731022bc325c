import { z } from 'zod';
import { durationField } from '../config/duration.js';

const lane = (concurrency: number, timeout: string) =>
  z
    .strictObject({
      /** Jobs of this lane one process runs at the same time. */
      concurrency: z.number().int().min(1).max(200).default(concurrency),
      /** A run that takes longer fails (and is retried): a stuck job never holds a slot for good. */
      timeout: durationField.prefault(timeout),
    })
    .prefault({});

/**
 * `jobs:` in the config file: the job runtime's lanes, how long finished jobs are kept for
 * deduplication, Slack Web API timeouts, and how long shutdown waits for running jobs.
 */
export const jobsConfigSchema = z
  .strictObject({
    lanes: z
      .strictObject({
        interactive: lane(20, '1m'),
        // background jobs (prompts, ladder steps, settles) wait on Slack and Redis, not CPU: a process
        // posts at most concurrency ÷ run time, and 20 slots × ~0.25 s per run under load capped two
        // processes near the 167 prompts/s of 10,000 incidents at a 60 s cadence (the backlog made
        // p99 6 s). 50 slots leave headroom; each holds one pending Slack call and a few Redis replies.
        background: lane(50, '2m'),
        long: lane(2, '30m'),
      })
      .prefault({}),
    /**
     * Finished and failed jobs are kept at least this long, so a resend with the same job id (a
     * double click, a Slack redelivery, reconciliation) maps to the job that already ran.
     */
    dedupeWindow: durationField
      .refine((ms) => ms >= 3_600_000, 'must be at least 1h (Slack resends for longer than that)')
      .prefault('24h'),
    /**
     * A job whose process died (kill -9, OOM) is handed to another replica once its lock expires:
     * locks last this long (renewed at half of it while the job runs) and stalled jobs are looked
     * for as often. Shorter: faster recovery, more Redis traffic.
     */
    lockDuration: durationField
      .refine((ms) => ms >= 1_000, 'must be at least 1s (locks are renewed at half of it)')
      .prefault('30s'),
    /** SIGTERM/SIGINT: how long running jobs may finish before they are handed back to other replicas. */
    drainTimeout: durationField.prefault('25s'),
    /** Every Slack Web API call gives up after this long (request path, then jobs). */
    slackTimeout: z
      .strictObject({
        request: durationField.prefault('10s'),
        background: durationField.prefault('15s'),
      })
      .prefault({}),
  })
  .prefault({});

export type JobsConfig = z.output<typeof jobsConfigSchema>;
