import type { IncidentStore } from '../incidents/store.js';
import type { JobRuntime } from '../jobs/index.js';
import {
  escalationJobId,
  type OverdueEscalationPayload,
  promptJobId,
  type ReminderJobs,
  type SettlePromptsPayload,
  type UpdatePromptPayload,
} from './jobs.js';

const RECONCILE_BATCH = 200;

/**
 * The reminder timers: one delayed job per (incident, due time) on the job runtime, with the id
 * derived from both, so scheduling the same prompt twice (a retried change, reconciliation,
 * another replica) leaves exactly one job. Enqueueing runs on request paths (a slash command
 * changes severity); the runtime's queue connection fails fast, and a prompt missed that way is
 * put back by reconciliation.
 */
export class ReminderQueue {
  constructor(
    private readonly jobs: JobRuntime,
    private readonly types: ReminderJobs,
  ) {}

  /** The lane's BullMQ queue (tests and inspection). */
  get bull() {
    return this.jobs.queue(this.types.updatePrompt.lane);
  }

  async schedulePrompt(payload: UpdatePromptPayload): Promise<void> {
    await this.jobs.enqueue(this.types.updatePrompt, payload, { at: new Date(payload.dueAt) });
  }

  async scheduleEscalation(payload: OverdueEscalationPayload, at: Date): Promise<void> {
    await this.jobs.enqueue(this.types.overdueEscalation, payload, { at });
  }

  /** Edits the prompts of a due time that no longer applies (answered, snoozed, superseded, resolved). */
  async scheduleSettle(payload: SettlePromptsPayload): Promise<void> {
    await this.jobs.enqueue(this.types.settlePrompts, payload);
  }

  /**
   * Removes the prompt and escalation of a due time that no longer applies (its id can be freed:
   * the incident never returns to an earlier due time). Tidiness only: a job that runs anyway finds
   * its due time superseded and posts nothing.
   */
  async cancel(incidentId: string, dueAt: string): Promise<void> {
    // an active (locked) job cannot be removed; it will find its due time superseded
    await this.jobs.remove(this.types.updatePrompt, promptJobId({ incidentId, dueAt }));
    // the ladder's pending step (its index is not known here) finds its due time superseded
    await this.jobs.remove(this.types.overdueEscalation, escalationJobId({ incidentId, dueAt, step: 0 }));
  }

  /**
   * Makes sure every active incident with a due update has its prompt job. Adding is idempotent
   * (same id), so this is safe at any time, from any number of replicas. Returns how many incidents
   * have an update due.
   */
  async reconcile(store: IncidentStore): Promise<number> {
    const due = (await store.listActive()).filter((i) => i.nextUpdateDueAt !== null);
    for (let i = 0; i < due.length; i += RECONCILE_BATCH) {
      await this.jobs.enqueueMany(
        this.types.updatePrompt,
        due.slice(i, i + RECONCILE_BATCH).map((incident) => ({
          payload: {
            incidentId: incident.id,
            dueAt: incident.nextUpdateDueAt!,
            overdueSince: incident.nextUpdateDueAt!,
            reason: 'reconciled' as const,
          },
          options: { at: new Date(incident.nextUpdateDueAt!) },
        })),
      );
    }
    return due.length;
  }

  /** One repeating reconcile job for all replicas, every `everyMs`. */
  async scheduleReconciliation(everyMs: number): Promise<void> {
    await this.jobs.every(this.types.reconcile, everyMs, {});
  }
}
