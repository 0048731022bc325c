import type { z } from 'zod';
import type { Logger } from '../logging/logger.js';

/**
 * Lanes keep short work from waiting behind long work: each lane is its own BullMQ queue with its
 * own workers and concurrency.
 * - `interactive`: someone is waiting for it (declare, updates, button follow-ups). Seconds.
 * - `background`: timers and tidying nobody watches live (reminders, overdue actions, summaries).
 * - `long`: minutes of work (archives, playbooks, postmortems, forensic collectors).
 */
export const LANES = ['interactive', 'background', 'long'] as const;
export type LaneName = (typeof LANES)[number];

/**
 * How often a job is tried and how long it waits between tries. Backoff doubles from `baseMs` up to
 * `maxMs`, never shorter than a Retry-After Slack sent (see classify.ts). Permanent failures
 * (UnrecoverableError, Slack refusals such as channel_not_found) are never retried.
 */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const RETRY = {
  /** Slack may be down or rate limiting for a while: about two hours of tries, then give up. */
  slack: { attempts: 30, baseMs: 1_000, maxMs: 5 * 60_000 },
  /** Someone is waiting: a few quick tries (about half a minute), then say it failed. */
  interactive: { attempts: 5, baseMs: 500, maxMs: 10_000 },
  /** Long work that restarts from scratch: a few spaced tries. */
  long: { attempts: 6, baseMs: 30_000, maxMs: 10 * 60_000 },
  /** Exactly one try (a retry would do more harm than a failure). */
  once: { attempts: 1, baseMs: 0, maxMs: 0 },
} as const satisfies Record<string, RetryPolicy>;

/** What a handler learns about the run it is in. */
export interface JobContext {
  /** The BullMQ job id (the definition's `jobId(payload)`, or the one given at enqueue). */
  jobId: string;
  /** 1 on the first try, 2 on the first retry... */
  attempt: number;
  /** Whether a failure of this run is the last one (no retry follows). */
  lastAttempt: boolean;
  /**
   * Whether an earlier run of this job started: a failed try, or a run whose worker died (a stalled
   * job handed over, which `attempt` does not count). Its effects may have happened unrecorded.
   * Always set by the runtime; optional for handlers run directly (tests), meaning no.
   */
  startedBefore?: boolean;
  lane: LaneName;
  /** Aborted when the job's `timeoutMs` passes or shutdown's drain time runs out: stop early. */
  signal: AbortSignal;
  logger: Logger;
}

/** Why a job was given up: its last error, and whether retrying could ever have helped. */
export interface GiveUp {
  error: Error;
  /** true: refused for good (UnrecoverableError); false: attempts ran out on transient errors. */
  permanent: boolean;
  attempts: number;
}

export interface JobDefinition<P = unknown> {
  /** Unique across the runtime; the BullMQ job name. */
  readonly name: string;
  readonly lane: LaneName;
  /** Parsed at enqueue (bad input throws, nothing is queued) and again at run (malformed → permanent). */
  readonly payload: z.ZodType<P, unknown>;
  /**
   * The dedupe key: enqueueing a payload whose id is already stored (waiting, running, or finished
   * within the dedupe window) adds nothing. Build it with `jobIdOf(...)`: BullMQ ids never contain
   * ':' and are not plain integers.
   */
  jobId(payload: P): string;
  readonly retry: RetryPolicy;
  /** A run that takes longer fails (retryable) and its signal aborts. Default: the lane's. */
  readonly timeoutMs?: number;
  /** The work. Throw to fail the run: classify.ts decides retry or give up. Returns the job's result. */
  handle(payload: P, ctx: JobContext): Promise<unknown>;
  /**
   * Called once when the job is given up (permanent failure or attempts exhausted): the feature
   * writes the timeline entry that tells people to act. Its own failure is logged, never thrown.
   */
  onGiveUp?(payload: P, giveUp: GiveUp): Promise<void>;
}

export interface JobSpec<S extends z.ZodType> {
  name: string;
  lane: LaneName;
  payload: S;
  jobId(payload: z.output<S>): string;
  retry: RetryPolicy;
  timeoutMs?: number;
  handle(payload: z.output<S>, ctx: JobContext): Promise<unknown>;
  onGiveUp?(payload: z.output<S>, giveUp: GiveUp): Promise<void>;
}

const JOB_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * One self-describing job type: name, lane, payload schema, dedupe key, retry policy, handler.
 * Features build theirs where the handler's dependencies are at hand (usually a `jobs.ts` factory
 * taking the feature's services) and services.ts registers them with the runtime.
 */
export function defineJob<S extends z.ZodType>(spec: JobSpec<S>): JobDefinition<z.output<S>> {
  if (!JOB_NAME.test(spec.name))
    throw new Error(`job name "${spec.name}" must be lower-case letters, digits and dashes`);
  if (spec.retry.attempts < 1) throw new Error(`job ${spec.name}: retry.attempts must be at least 1`);
  // S is the schema itself; its parse result is z.output<S>, which is what the definition carries
  return { ...spec } as unknown as JobDefinition<z.output<S>>;
}

/**
 * A BullMQ-safe job id from parts: anything but letters, digits, '_' and '-' becomes '_' (BullMQ
 * refuses ':' in custom ids; '.' and '|' are common in Slack ts and keys), parts joined by '-'.
 * The result never is a plain integer (BullMQ's own ids are), since callers start with a word.
 */
export function jobIdOf(...parts: readonly (string | number)[]): string {
  const id = parts.map((part) => String(part).replace(/[^A-Za-z0-9_-]/g, '_')).join('-');
  assertJobId(id);
  return id;
}

export class InvalidJobIdError extends Error {}

export function assertJobId(id: string): void {
  if (!id || id.includes(':') || /^\d+$/.test(id) || id.length > 512)
    throw new InvalidJobIdError(
      `job id "${id.slice(0, 80)}" is not usable: no ':', not a plain integer, 1-512 characters`,
    );
}
