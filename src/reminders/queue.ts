import type { Incident } from '../incidents/model.js';
import type { JobRuntime } from '../jobs/index.js';
import type { DueEntry, DueIndex } from './due-index.js';
import {
  escalationJobId,
  type OverdueEscalationPayload,
  promptJobId,
  type ReminderJobs,
  type SettlePromptsPayload,
  type UpdatePromptPayload,
} from './jobs.js';

/** Prompts re-added per round trip, and round trips per reconcile run at most. */
const RECONCILE_BATCH = 500;
const RECONCILE_BATCHES = 40;

/**
 * The reminder timers: one delayed job per (incident, due time) on the job runtime, with the id
 * derived from both, so scheduling the same prompt twice (a retried change, reconciliation,
 * another replica) leaves exactly one job. Every scheduled prompt is also in the due-time index
 * until it is posted, which is what reconciliation reads. Enqueueing runs on request paths (a slash
 * command changes severity); the runtime's queue connection fails fast, and a prompt missed that
 * way is put back by reconciliation.
 */
export class ReminderQueue {
  constructor(
    private readonly jobs: JobRuntime,
    private readonly types: ReminderJobs,
    readonly index: DueIndex,
    private readonly now: () => number,
  ) {}

  /** The lane's BullMQ queue (tests and inspection). */
  get bull() {
    return this.jobs.queue(this.types.updatePrompt.lane);
  }

  /**
   * Schedules the prompt of a new due time (and forgets `previousDueAt`'s in the index): indexed
   * first, so a failed enqueue or a crash before it is found by the next reconciliation.
   */
  async schedulePrompt(payload: UpdatePromptPayload, previousDueAt: string | null = null): Promise<void> {
    const dueMs = Date.parse(payload.dueAt);
    await this.index.scheduling(payload.incidentId, dueMs, msOf(previousDueAt), this.now());
    await this.jobs.enqueue(this.types.updatePrompt, payload, { at: new Date(payload.dueAt) });
    await this.index.queued(payload.incidentId, dueMs);
  }

  /** No update is due any more (resolved, or a severity without cadence): the index forgets it. */
  async unschedule(incidentId: string, previousDueAt: string): Promise<void> {
    await this.index.scheduling(incidentId, null, msOf(previousDueAt), this.now());
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
   * Incremental reconciliation: re-adds the prompt job of every indexed prompt whose check time has
   * come (its scheduling was not confirmed, or it is overdue and not posted), in bounded batches,
   * without reading any incident. Adding is idempotent (same id), so this is safe at any time, from
   * any number of replicas; a re-added job whose due time has moved on posts nothing and leaves the
   * index. Returns how many prompts were checked.
   */
  async reconcile(): Promise<number> {
    let checked = 0;
    for (let batch = 0; batch < RECONCILE_BATCHES; batch++) {
      const now = this.now();
      const due = await this.index.dueForCheck(now, RECONCILE_BATCH);
      if (due.length === 0) break;
      await this.enqueueAll(due);
      await this.index.checked(due, now);
      checked += due.length;
      if (due.length < RECONCILE_BATCH) break;
    }
    return checked;
  }

  /**
   * The start-up sweep (once per worker process): every active incident's current due time gets
   * its job and its index entry, whatever a swallowed failure lost. Due times older than
   * `maxAgeMs` (the post marks' horizon) are left alone: past it, a mark can no longer tell a
   * posted prompt from a lost one, and re-posting an old prompt would be the duplicate.
   * Returns how many incidents have an update due.
   */
  async sweep(active: readonly Incident[], maxAgeMs: number): Promise<number> {
    const oldest = this.now() - maxAgeMs;
    const due = active
      .filter((i) => i.nextUpdateDueAt !== null && Date.parse(i.nextUpdateDueAt) >= oldest)
      .map((i) => ({ incidentId: i.id, dueMs: Date.parse(i.nextUpdateDueAt!) }));
    for (let i = 0; i < due.length; i += RECONCILE_BATCH) {
      const batch = due.slice(i, i + RECONCILE_BATCH);
      await this.enqueueAll(batch);
      await this.index.ensure(batch);
    }
    return due.length;
  }

  /** One repeating reconcile job for all replicas, every `everyMs`. */
  async scheduleReconciliation(everyMs: number): Promise<void> {
    await this.jobs.every(this.types.reconcile, everyMs, {});
  }

  private async enqueueAll(entries: readonly DueEntry[]): Promise<void> {
    await this.jobs.enqueueMany(
      this.types.updatePrompt,
      entries.map(({ incidentId, dueMs }) => {
        const dueAt = new Date(dueMs).toISOString();
        return {
          payload: { incidentId, dueAt, overdueSince: dueAt, reason: 'reconciled' as const },
          options: { at: new Date(dueMs) },
        };
      }),
    );
  }
}

function msOf(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}
