import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from '../logging/logger.js';
import { metrics } from '../ops/metrics.js';
import type { RedisClient } from '../redis/client.js';
import { closeWithin } from '../redis/connection.js';
import { classifyJobError, JobTimeoutError, retryDelay } from './classify.js';
import type { GiveUp, JobContext, JobDefinition, LaneName } from './define.js';

export interface LaneWorkerOptions {
  lane: LaneName;
  queueName: string;
  prefix: string;
  connection: RedisClient;
  laneConfig: { concurrency: number; timeout: number };
  /** jobs.lockDuration: how soon a dead worker's job goes to another. */
  lockDuration: number;
  definitions: ReadonlyMap<string, JobDefinition>;
  logger: Logger;
  name?: string;
  /** The runtime's fallback for definitions without their own `onGiveUp`. */
  onGiveUp?: (definition: JobDefinition, payload: unknown, giveUp: GiveUp) => Promise<void>;
}

interface Running {
  job: Job;
  token: string | undefined;
  abort: AbortController;
}

/**
 * The worker of one lane in this process: looks the job's definition up by name, parses the
 * payload, runs the handler under the job's timeout, classifies failures (retry or give up), calls
 * the definition's `onGiveUp` once, and on stop hands unfinished jobs back to the queue.
 */
export class LaneWorker {
  private readonly running = new Map<string, Running>();
  private readonly worker: Worker;
  private readonly runLoop: Promise<void>;
  private stopping?: Promise<void>;

  private constructor(private readonly options: LaneWorkerOptions) {
    const { lane, definitions, logger } = options;
    this.worker = new Worker(options.queueName, (job, token) => this.process(job, token), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.laneConfig.concurrency,
      autorun: false,
      ...(options.name ? { name: options.name } : {}),
      // a job whose worker died is handed to another worker ("stalled"); handlers are idempotent
      // (post guard, step records), so allow a few re-runs before BullMQ gives the job up
      maxStalledCount: 5,
      lockDuration: options.lockDuration,
      stalledInterval: options.lockDuration,
      settings: {
        backoffStrategy: (attemptsMade, _type, error, job) => {
          const retry = definitions.get(job?.name ?? '')?.retry ?? { baseMs: 1_000, maxMs: 60_000 };
          return retryDelay(attemptsMade, retry, error);
        },
      },
    });
    this.worker.on('error', (error) => logger.warn({ err: error, lane }, 'job worker error'));
    this.worker.on('failed', (job, error) => {
      if (job) void this.failed(job, error);
    });
    this.runLoop = this.worker.run().catch((error: unknown) => {
      logger.error({ err: error, lane }, 'job worker stopped');
    });
  }

  static start(options: LaneWorkerOptions): LaneWorker {
    return new LaneWorker(options);
  }

  isRunning(): boolean {
    return !this.stopping && this.worker.isRunning();
  }

  ready(): Promise<void> {
    return this.worker.waitUntilReady().then(() => undefined);
  }

  private async process(job: Job, token: string | undefined): Promise<unknown> {
    const definition = this.options.definitions.get(job.name);
    if (!definition) throw new UnrecoverableError(`no job type ${job.name} on lane ${this.options.lane}`);
    const parsed = definition.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed ${job.name} job ${job.id}`);
    const timeoutMs = definition.timeoutMs ?? this.options.laneConfig.timeout;
    const abort = new AbortController();
    const id = job.id ?? '';
    this.running.set(id, { job, token, abort });
    const attempt = job.attemptsMade + 1;
    const ctx: JobContext = {
      jobId: id,
      attempt,
      lastAttempt: attempt >= (job.opts.attempts ?? 1),
      // BullMQ counts every start (attemptsStarted), stalled ones included; this run is one of them
      startedBefore: job.attemptsMade > 0 || job.attemptsStarted > 1 || job.stalledCounter > 0,
      lane: this.options.lane,
      signal: abort.signal,
      logger: this.options.logger.child({ job: id, jobName: job.name, attempt }),
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort(new JobTimeoutError(job.name, timeoutMs));
        reject(new JobTimeoutError(job.name, timeoutMs));
      }, timeoutMs);
    });
    const startedAt = Date.now();
    try {
      const result = await Promise.race([definition.handle(parsed.data, ctx), timedOut]);
      metrics.job(this.options.lane, job.name, 'completed', Date.now() - startedAt);
      return result;
    } catch (error) {
      metrics.job(this.options.lane, job.name, 'failed', Date.now() - startedAt);
      throw classifyJobError(error);
    } finally {
      clearTimeout(timer);
      this.running.delete(id);
    }
  }

  private async failed(job: Job, error: Error): Promise<void> {
    const { logger, definitions } = this.options;
    const final = Boolean(job.finishedOn);
    logger[final ? 'error' : 'warn'](
      { err: error, job: job.id, jobName: job.name, attempts: job.attemptsMade, final },
      final ? 'job given up' : 'job failed; will retry',
    );
    if (!final) return;
    metrics.job(this.options.lane, job.name, 'given_up');
    const definition = definitions.get(job.name);
    const parsed = definition?.payload.safeParse(job.data);
    if (!definition || !parsed?.success) return;
    const giveUp: GiveUp = {
      error,
      permanent: error instanceof UnrecoverableError || error.name === 'UnrecoverableError',
      attempts: job.attemptsMade,
    };
    try {
      if (definition.onGiveUp) await definition.onGiveUp(parsed.data, giveUp);
      else await this.options.onGiveUp?.(definition, parsed.data, giveUp);
    } catch (err) {
      logger.warn({ err, job: job.id }, 'could not record the job failure');
    }
  }

  /**
   * Stops taking jobs and lets the running ones finish until `deadline` (epoch ms). What is still
   * running then is aborted and moved back to waiting, so another replica picks it up at once
   * (a job that cannot be moved, Redis being away, is re-delivered by BullMQ's stall check).
   * Never outlives the deadline by more than a moment, also with Redis unreachable.
   */
  stop(deadline: number): Promise<void> {
    this.stopping ??= (async () => {
      // the last second before the deadline is for handing back and closing
      const graceful = this.worker.close();
      const finished = await settlesBefore(graceful, deadline - Date.now() - 1_000);
      if (!finished) {
        const left = [...this.running.values()];
        for (const { abort } of left) abort.abort(new Error('shutting down'));
        await Promise.all(left.map(({ job, token }) => settlesBefore(job.moveToWait(token), 400)));
        if (left.length)
          this.options.logger.warn(
            { lane: this.options.lane, handedBack: left.map((r) => r.job.id) },
            'drain time ran out: unfinished jobs handed back',
          );
        await settlesBefore(this.worker.close(true), 250);
      }
      await settlesBefore(this.runLoop, 100);
      await closeWithin(this.options.connection, 200);
    })();
    return this.stopping;
  }
}

/** Whether `promise` settles within `ms` (it keeps running either way). */
async function settlesBefore(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}
