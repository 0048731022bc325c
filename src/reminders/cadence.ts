import type { QuellConfig } from '../config/schema.js';
import { cadenceFor } from '../incidents/cadence.js';
import type { Severity } from '../incidents/model.js';

/**
 * Cadence rules of the reminders feature; pure functions. (When the clock starts on declare,
 * severity change and reopen is IncidentService's, in src/incidents/cadence.ts.)
 */

/**
 * After a structured update the next one is due one cadence later, or at the time the author
 * promised if that is earlier. A severity without cadence only has the promised time, if any.
 */
export function nextDueAfterUpdate(
  now: Date,
  cadenceMs: number | null,
  promised: Date | null,
): string | null {
  const byCadence = cadenceMs === null ? null : now.getTime() + cadenceMs;
  const promisedMs = promised?.getTime() ?? null;
  const due =
    byCadence === null ? promisedMs : promisedMs === null ? byCadence : Math.min(byCadence, promisedMs);
  return due === null ? null : new Date(due).toISOString();
}

/** How long after its prompt a missing update is escalated: configured, else one more cadence. */
export function overdueAfterMs(severity: Severity, config: QuellConfig): number | null {
  return config.reminders.overdueAfter ?? cadenceFor(severity, config);
}

/** A prompt posted this long after its due time says so: it fell due while nothing was running. */
export function isLate(dueAt: string, postedAt: Date, config: QuellConfig): boolean {
  return postedAt.getTime() - Date.parse(dueAt) > config.reminders.lateAfter;
}
