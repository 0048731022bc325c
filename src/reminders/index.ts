import type { Redis } from 'ioredis';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentService, IncidentSubscriber } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { Logger } from '../logging/logger.js';
import { reminderKeys } from './keys.js';
import { PostGuard } from './post-guard.js';
import type { ReminderPresenter } from './presenter.js';
import { ReminderPrompter } from './prompter.js';
import { ReminderQueue } from './queue.js';
import { reminderScheduler } from './scheduler.js';
import { UpdateService } from './updates.js';
import { type ReminderJobHandler, ReminderWorker } from './worker.js';

export interface RemindersDeps {
  config: QuellConfig;
  logger: Logger;
  clock: Clock;
  redis: Redis;
  store: IncidentStore;
  incidents: IncidentService;
  views: ReminderPresenter;
}

/**
 * The update-cadence reminders: structured updates and snoozes (request paths), the prompt
 * schedule, and the worker that posts due prompts. The schedule follows incident changes once
 * services.ts subscribes `scheduleOnChange`; other features' jobs are registered there too.
 */
export class Reminders {
  readonly queue: ReminderQueue;
  readonly updates: UpdateService;
  /** Re-plans an incident's prompts after each change; services.ts subscribes it to incident changes. */
  readonly scheduleOnChange: IncidentSubscriber;
  private readonly workers = new Set<ReminderWorker>();
  private readonly jobHandlers = new Map<string, ReminderJobHandler>();
  private readonly reconcilers: (() => Promise<unknown>)[] = [];

  constructor(private readonly deps: RemindersDeps) {
    const { config, clock, logger, redis, incidents, views } = deps;
    this.queue = new ReminderQueue({ redis, config, clock, logger });
    this.scheduleOnChange = reminderScheduler(this.queue);
    this.updates = new UpdateService({ incidents, views, config, clock });
  }

  /**
   * Lets another feature run its own job type on this queue and its workers (same connection,
   * retries, graceful stop). Register before startWorker; add jobs through `queue.bull`.
   * `reconcile` re-adds that feature's jobs from its own records; it runs whenever the reminder
   * schedule is reconciled (worker start and periodically), so a failed add is never lost.
   */
  handleJob(
    name: string,
    handler: ReminderJobHandler,
    options: { reconcile?: () => Promise<unknown> } = {},
  ): void {
    this.jobHandlers.set(name, handler);
    if (options.reconcile) this.reconcilers.push(options.reconcile);
  }

  /**
   * Starts a worker in this process. `chat` should be a background client that fails fast on
   * 429/5xx (see BACKGROUND_CLIENT_OPTIONS in src/slack/web-chat.ts) so BullMQ does the retrying.
   */
  async startWorker(options: { chat: ChatPort; name?: string }): Promise<ReminderWorker> {
    const { config, logger, clock, redis, store, incidents, views } = this.deps;
    const prompter = new ReminderPrompter({
      store,
      incidents,
      chat: options.chat,
      views,
      queue: this.queue,
      guard: new PostGuard(redis, reminderKeys(config.redis.keyPrefix)),
      config,
      clock,
      logger,
    });
    const worker = await ReminderWorker.start({
      redis,
      config,
      logger,
      store,
      queue: this.queue,
      prompter,
      jobHandlers: this.jobHandlers,
      reconcilers: this.reconcilers,
      ...(options.name ? { name: options.name } : {}),
    });
    this.workers.add(worker);
    return worker;
  }

  /** Stops this process's workers (finishing their running jobs), then the queue connection. */
  async close(): Promise<void> {
    // closing twice is harmless: a worker already closed by its owner resolves at once
    for (const worker of this.workers) await worker.close();
    this.workers.clear();
    await this.queue.close();
  }
}

export type { PromptReason } from './jobs.js';
export type { ReminderPresenter, StructuredUpdate } from './presenter.js';
export { MAX_UPDATE_FIELD_LENGTH } from './updates.js';
export { ReminderWorker } from './worker.js';
