import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentStore } from '../incidents/store.js';
import type { Logger } from '../logging/logger.js';
import { bullPrefix } from '../redis/keys.js';
import {
  type OverdueEscalationPayload,
  overdueEscalationJob,
  reconcileJob,
  type UpdatePromptPayload,
  updatePromptJob,
} from './jobs.js';
import { REMINDER_QUEUE } from './keys.js';

export interface ReminderQueueDeps {
  redis: Redis;
  config: QuellConfig;
  clock: Clock;
  logger: Logger;
}

const RECONCILE_BATCH = 200;

/**
 * The reminder timers: one delayed BullMQ job per (incident, due time), with the id derived from
 * both, so scheduling the same prompt twice (a retried change, reconciliation, another replica)
 * leaves exactly one job.
 *
 * Enqueueing runs on request paths (a slash command changes severity), so its connection fails fast
 * (no offline queue, one retry) instead of holding the request while Redis is away; a prompt missed
 * that way is put back by reconciliation. The connection is opened on first use.
 */
export class ReminderQueue {
  private queue?: Queue;
  private connection?: Redis;

  constructor(private readonly deps: ReminderQueueDeps) {}

  get bull(): Queue {
    if (!this.queue) {
      this.connection = this.deps.redis.duplicate({
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: true,
      });
      this.connection.on('error', () => {
        // failures surface through the commands that fail
      });
      this.queue = new Queue(REMINDER_QUEUE, {
        connection: this.connection,
        prefix: bullPrefix(this.deps.config.redis.keyPrefix),
      });
      this.queue.on('error', (error) => this.deps.logger.warn({ err: error }, 'reminder queue error'));
    }
    return this.queue;
  }

  async schedulePrompt(payload: UpdatePromptPayload): Promise<void> {
    const job = updatePromptJob.payload.parse(payload);
    await this.bull.add(updatePromptJob.name, job, {
      ...updatePromptJob.options,
      jobId: updatePromptJob.jobId(job),
      delay: this.delayUntil(job.dueAt),
    });
  }

  async scheduleEscalation(payload: OverdueEscalationPayload, at: Date): Promise<void> {
    const job = overdueEscalationJob.payload.parse(payload);
    await this.bull.add(overdueEscalationJob.name, job, {
      ...overdueEscalationJob.options,
      jobId: overdueEscalationJob.jobId(job),
      delay: this.delayUntil(at.toISOString()),
    });
  }

  /**
   * Removes the prompt and escalation of a due time that no longer applies (its id can be freed:
   * the incident never returns to an earlier due time). Tidiness only: a job that runs anyway finds
   * its due time superseded and posts nothing.
   */
  async cancel(incidentId: string, dueAt: string): Promise<void> {
    for (const jobId of [
      updatePromptJob.jobId({ incidentId, dueAt }),
      overdueEscalationJob.jobId({ incidentId, dueAt }),
    ]) {
      // an active (locked) job cannot be removed; it will find its due time superseded
      await this.bull.remove(jobId).catch(() => 0);
    }
  }

  /**
   * Makes sure every active incident with a due update has its prompt job. Adding is idempotent
   * (same id), so this is safe at any time, from any number of replicas. Returns how many incidents
   * have an update due.
   */
  async reconcile(store: IncidentStore): Promise<number> {
    const due = (await store.listActive()).filter((i) => i.nextUpdateDueAt !== null);
    for (let i = 0; i < due.length; i += RECONCILE_BATCH) {
      const batch = due.slice(i, i + RECONCILE_BATCH).map((incident) => {
        const data = updatePromptJob.payload.parse({
          incidentId: incident.id,
          dueAt: incident.nextUpdateDueAt!,
          overdueSince: incident.nextUpdateDueAt!,
          reason: 'reconciled',
        });
        return {
          name: updatePromptJob.name,
          data,
          opts: {
            ...updatePromptJob.options,
            jobId: updatePromptJob.jobId(data),
            delay: this.delayUntil(data.dueAt),
          },
        };
      });
      await this.bull.addBulk(batch);
    }
    return due.length;
  }

  /** One repeating reconcile job for all replicas (a BullMQ job scheduler, upserted idempotently). */
  async scheduleReconciliation(): Promise<void> {
    await this.bull.upsertJobScheduler(
      reconcileJob.schedulerId,
      { every: this.deps.config.reminders.reconcileEvery },
      { name: reconcileJob.name, opts: reconcileJob.options },
    );
  }

  async close(): Promise<void> {
    if (!this.queue) return;
    await this.queue.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
    this.queue = undefined;
    this.connection = undefined;
  }

  private delayUntil(iso: string): number {
    return Math.max(0, Date.parse(iso) - this.deps.clock.now().getTime());
  }
}
