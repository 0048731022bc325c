import type { Redis } from 'ioredis';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentService, IncidentSubscriber } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { type JobDefinition, type JobRuntime, PostGuard } from '../jobs/index.js';
import type { Logger } from '../logging/logger.js';
import type { ReplicaAcks } from '../redis/replication.js';
import { DueIndex } from './due-index.js';
import { postingLeaseMs, reminderMarkHorizonMs } from './horizon.js';
import { type ReminderJobs, reminderJobs } from './jobs.js';
import { reminderKeys } from './keys.js';
import type { EscalationStep, EscalationTargets } from './ladder.js';
import type { ReminderPresenter } from './presenter.js';
import { ReminderPrompter } from './prompter.js';
import { ReminderQueue } from './queue.js';
import { reminderScheduler } from './scheduler.js';
import { UpdateService } from './updates.js';

export interface RemindersDeps {
  config: QuellConfig;
  logger: Logger;
  clock: Clock;
  redis: Redis;
  store: IncidentStore;
  incidents: IncidentService;
  views: ReminderPresenter;
  jobs: JobRuntime;
  /** The background chat (fail-fast, timeouts): the job runtime does the retrying. */
  chat: ChatPort;
  /**
   * Told once per escalation ladder step, after the step is posted in the channel and before it is
   * recorded on the timeline (paging pages on it). A run retried after a crash between the two
   * tells it again with the same `step.key`: dedupe on it. A failure fails the run, which is retried
   * (the post itself is not repeated; the next step waits until this one is recorded).
   */
  onEscalationStep?: (incidentId: string, step: EscalationStep, targets: EscalationTargets) => Promise<void>;
  /** `redis.replicaAcks`, resolved: a prompt's post mark is held once replicas have it (PostGuard). */
  replicaAcks?: ReplicaAcks;
}

/**
 * The update-cadence reminders: structured updates and snoozes (request paths), the prompt
 * schedule, and its job types (prompt, escalation, reconciliation) on the background lane. The
 * schedule follows incident changes once services.ts subscribes `scheduleOnChange`; services.ts
 * also registers `jobTypes` and starts the reconciliation where workers run.
 */
export class Reminders {
  readonly queue: ReminderQueue;
  readonly updates: UpdateService;
  /** Re-plans an incident's prompts after each change; services.ts subscribes it to incident changes. */
  readonly scheduleOnChange: IncidentSubscriber;
  readonly jobs: ReminderJobs;
  private readonly prompter: ReminderPrompter;
  /** How long post marks live (horizon.ts); the start-up sweep reaches back no further. */
  private readonly markHorizonMs: number;

  constructor(private readonly deps: RemindersDeps) {
    const { config, clock, logger, redis, incidents, views, store, chat } = deps;
    this.jobs = reminderJobs({
      sendPrompt: (p) => this.prompter.sendPrompt(p),
      escalate: (p) => this.prompter.escalate(p),
      settle: (p) => this.prompter.settle(p),
      reconcile: () => this.reconcile(),
      recordFailure: (...args) => this.prompter.recordFailure(...args),
    });
    const keys = reminderKeys(config.redis.keyPrefix);
    const every = config.reminders.reconcileEvery;
    const index = new DueIndex(redis, keys.dueIndex, {
      // a scheduled prompt whose enqueue was not confirmed is checked by the next reconcile or two
      verifyAfterMs: every,
      graceMs: every,
      recheckMs: 5 * every,
    });
    this.queue = new ReminderQueue(deps.jobs, this.jobs, index, () => clock.now().getTime());
    this.markHorizonMs = reminderMarkHorizonMs(config);
    this.prompter = new ReminderPrompter({
      store,
      incidents,
      chat,
      views,
      queue: this.queue,
      guard: new PostGuard(redis, keys.postGuard, {
        postingLeaseMs: postingLeaseMs(config),
        horizonMs: this.markHorizonMs,
        ...(deps.replicaAcks ? { replicaAcks: deps.replicaAcks } : {}),
      }),
      redis,
      keys,
      config,
      clock,
      logger,
      ...(deps.onEscalationStep ? { onEscalationStep: deps.onEscalationStep } : {}),
    });
    // a failure reaches IncidentService, which hands the change to it again (redelivery.ts)
    this.scheduleOnChange = reminderScheduler(this.queue);
    this.updates = new UpdateService({ incidents, views, config, clock });
  }

  /** Every job type of this feature, for the runtime to register. */
  get jobTypes(): JobDefinition[] {
    return [
      this.jobs.updatePrompt,
      this.jobs.overdueEscalation,
      this.jobs.settlePrompts,
      this.jobs.reconcile,
    ] as JobDefinition[];
  }

  /**
   * The periodic reconciliation: re-adds the prompts the due-time index says need a check
   * (idempotent; reads no incident). Returns how many were checked.
   */
  reconcile(): Promise<number> {
    return this.queue.reconcile();
  }

  /** The start-up sweep: every active incident's due prompt gets its job and index entry. */
  async sweep(): Promise<number> {
    return this.queue.sweep(await this.deps.store.listActive(), this.markHorizonMs);
  }

  /**
   * Where workers run: once per process, puts back any prompt a swallowed subscriber failure may
   * have lost (the sweep), and makes sure the periodic reconciliation exists. Best effort: the
   * periodic run covers what the index knows.
   */
  async startReconciling(): Promise<void> {
    try {
      const due = await this.sweep();
      await this.queue.scheduleReconciliation(this.deps.config.reminders.reconcileEvery);
      this.deps.logger.info({ incidentsWithUpdateDue: due }, 'reminder schedule reconciled');
    } catch (error) {
      this.deps.logger.warn(
        { err: error },
        'reminder reconciliation failed at start; the periodic run will retry',
      );
    }
  }
}

export type { PromptFate, PromptReason } from './jobs.js';
export {
  type EscalationStep,
  type EscalationTargets,
  type Ladder,
  type LadderStepTargets,
  ladderFor,
} from './ladder.js';
export { type PostOnceDeps, type PostOnceRequest, postOnce } from './post-once.js';
export type { ReminderPresenter, SettledFacts, StructuredUpdate } from './presenter.js';
export { MAX_UPDATE_FIELD_LENGTH } from './updates.js';
