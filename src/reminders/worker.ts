import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentStore } from '../incidents/store.js';
import type { Logger } from '../logging/logger.js';
import { bullPrefix } from '../redis/keys.js';
import { overdueEscalationJob, reconcileJob, updatePromptJob } from './jobs.js';
import { REMINDER_QUEUE } from './keys.js';
import type { ReminderPrompter } from './prompter.js';
import type { ReminderQueue } from './queue.js';
import { slackBackoff } from './retry.js';

export interface ReminderWorkerDeps {
  redis: Redis;
  config: QuellConfig;
  logger: Logger;
  store: IncidentStore;
  queue: ReminderQueue;
  prompter: ReminderPrompter;
  /** BullMQ worker name, shown in CLIENT LIST; defaults to host-pid. */
  name?: string;
  /** Other features' jobs on the same queue, by job name (see Reminders.handleJob). */
  jobHandlers?: ReadonlyMap<string, ReminderJobHandler>;
  /** Other features' reconciliations, run with the reminder schedule's own. */
  reconcilers?: readonly (() => Promise<unknown>)[];
}

/** A job type another feature runs on the reminder queue (e.g. overdue corrective actions). */
export type ReminderJobHandler = (job: Job) => Promise<unknown>;

/**
 * Runs reminder jobs. Any number of workers (processes, replicas) may share one Redis: BullMQ hands
 * each job to one of them and the post guard turns its at-least-once delivery into one message.
 */
export class ReminderWorker {
  private closing?: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly connection: Redis,
    private readonly running: Promise<void>,
    private readonly logger: Logger,
  ) {}

  static async start(deps: ReminderWorkerDeps): Promise<ReminderWorker> {
    const { config, logger, queue, prompter, store } = deps;
    // A worker blocks on Redis and must ride out reconnects: BullMQ requires
    // maxRetriesPerRequest null on worker connections (it refuses the connection otherwise).
    const connection = deps.redis.duplicate({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      lazyConnect: true,
    });
    connection.on('error', () => {
      // reconnects are BullMQ's; a persistent failure shows up as failed jobs and worker 'error's
    });

    const reconcileAll = async () => {
      const due = await queue.reconcile(store);
      for (const reconcile of deps.reconcilers ?? []) await reconcile();
      return due;
    };

    const process = async (job: Job): Promise<unknown> => {
      switch (job.name) {
        case updatePromptJob.name:
          return prompter.sendPrompt(parsePayload(updatePromptJob.payload, job));
        case overdueEscalationJob.name:
          return prompter.escalate(parsePayload(overdueEscalationJob.payload, job));
        case reconcileJob.name:
          return { due: await reconcileAll() };
        default: {
          const handler = deps.jobHandlers?.get(job.name);
          if (handler) return handler(job);
          throw new UnrecoverableError(`unknown reminder job ${job.name}`);
        }
      }
    };

    const worker = new Worker(REMINDER_QUEUE, process, {
      connection,
      prefix: bullPrefix(config.redis.keyPrefix),
      concurrency: config.reminders.concurrency,
      autorun: false,
      ...(deps.name ? { name: deps.name } : {}),
      // a job whose worker died is handed to another worker ("stalled"); the post guard makes the
      // re-run harmless, so allow a few before BullMQ gives the job up as failed
      maxStalledCount: 5,
      settings: { backoffStrategy: (attempts, type, error) => slackBackoff(attempts, type, error) },
    });
    worker.on('error', (error) => logger.warn({ err: error }, 'reminder worker error'));
    worker.on('failed', (job, error) => {
      if (!job) return;
      const final = Boolean(job.finishedOn);
      logger[final ? 'error' : 'warn'](
        { err: error, job: job.id, attempts: job.attemptsMade, final },
        final ? 'reminder job failed for good' : 'reminder job failed; will retry',
      );
      if (final && (job.name === updatePromptJob.name || job.name === overdueEscalationJob.name)) {
        const what = job.name === updatePromptJob.name ? 'update prompt' : 'overdue escalation';
        const data = job.data as { incidentId?: string; dueAt?: string };
        if (data.incidentId && data.dueAt)
          void prompter
            .recordFailure(data.incidentId, what, data.dueAt, error.message)
            .catch((err: unknown) => logger.warn({ err }, 'could not record the reminder failure'));
      }
    });

    // Before taking jobs: put back any prompt a swallowed subscriber failure may have lost, and make
    // sure the periodic reconciliation exists. Best effort: the periodic run retries what fails.
    try {
      const due = await reconcileAll();
      await queue.scheduleReconciliation();
      logger.info({ incidentsWithUpdateDue: due }, 'reminder schedule reconciled');
    } catch (error) {
      logger.warn({ err: error }, 'reminder reconciliation failed at start; the periodic run will retry');
    }
    const running = worker.run().catch((error: unknown) => {
      logger.error({ err: error }, 'reminder worker stopped');
    });
    await worker.waitUntilReady();
    return new ReminderWorker(worker, connection, running, logger);
  }

  /**
   * Graceful stop: takes no new jobs, waits for the running ones to finish (a Slack post is bounded
   * by the client's timeout), then closes the connection. "close() will mark the worker as closing
   * so it will not pick up new jobs, and at the same time it will wait for all the current jobs"
   * (docs.bullmq.io/guide/workers/graceful-shutdown).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker.close();
      await this.running;
      await this.connection.quit().catch(() => this.connection.disconnect());
      this.logger.info('reminder worker stopped');
    })();
    return this.closing;
  }
}

function parsePayload<T>(
  schema: { safeParse(data: unknown): { success: true; data: T } | { success: false } },
  job: Job,
): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`malformed ${job.name} job ${job.id}`);
  return parsed.data;
}
