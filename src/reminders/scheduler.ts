import { isActive } from '../incidents/model.js';
import type { IncidentChange, IncidentSubscriber } from '../incidents/service.js';
import type { PromptFate, PromptReason } from './jobs.js';
import type { ReminderQueue } from './queue.js';

const REASON_OF_KIND: Record<string, PromptReason> = {
  declared: 'declared',
  update: 'update',
  severity_changed: 'severity',
  status_changed: 'reopened',
  update_snoozed: 'snoozed',
};

/**
 * Keeps the prompt jobs in step with the incidents: whenever a change moves nextUpdateDueAt
 * (declare, update, snooze, severity change, reopen) the prompt for the new due time is scheduled
 * and the old one dropped; resolving (due time null) drops it. The due time is IncidentService's
 * to compute; this only follows it, so every path that moves the clock moves the prompt.
 *
 * Each due time is put in the due-time index before its job is enqueued (and the old one taken
 * out), so reconciliation every `reminders.reconcileEvery` finds a prompt whose enqueue failed or
 * whose process died in between. IncidentService swallows subscriber failures (the change itself
 * has been saved): a failure before the index write is put back by the start-up sweep.
 */
export function reminderScheduler(queue: ReminderQueue): IncidentSubscriber {
  return async ({ before, incident, event }: IncidentChange) => {
    const previous = before && isActive(before) ? before.nextUpdateDueAt : null;
    const next = isActive(incident) ? incident.nextUpdateDueAt : null;
    if (previous === next) return;
    if (next) {
      const overdueSince =
        event.kind === 'update_snoozed' && typeof event.data.overdueSince === 'string'
          ? event.data.overdueSince
          : next;
      await queue.schedulePrompt(
        {
          incidentId: incident.id,
          dueAt: next,
          overdueSince,
          reason: REASON_OF_KIND[event.kind] ?? 'reconciled',
          since: event.at,
        },
        previous,
      );
    } else if (previous) await queue.unschedule(incident.id, previous);
    if (previous) {
      await queue.cancel(incident.id, previous);
      // the prompts of the old due time lose their buttons and say what became of them
      await queue.scheduleSettle({
        incidentId: incident.id,
        dueAt: previous,
        fate: fateOf(event.kind, next),
        actor: event.actor,
        at: event.at,
        ...(event.kind === 'update_snoozed' && next ? { until: next } : {}),
      });
    }
  };
}

function fateOf(kind: string, next: string | null): PromptFate {
  if (kind === 'update') return 'answered';
  if (kind === 'update_snoozed') return 'snoozed';
  return next === null ? 'resolved' : 'superseded';
}
