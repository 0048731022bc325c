import { globalKey } from '../redis/keys.js';

/**
 * Redis keys of the reminders feature, under the configured prefix. The incident id is a hash tag,
 * like the incident's own keys, so everything about one incident stays on one cluster slot; the
 * due-time index is global, under the tag every global index shares (`{<prefix>}`).
 */
export function reminderKeys(prefix: string) {
  return {
    /** Marks one prompt or escalation as being posted / posted: the exactly-once guard. */
    postGuard: (incidentId: string, what: string, dueMs: number) =>
      `${prefix}:reminder:{${incidentId}}:${what}:${dueMs}`,
    /** Hash of the prompts and ladder steps still showing buttons: ts → { channel, dueAt, what }. */
    openPrompts: (incidentId: string) => `${prefix}:reminder:{${incidentId}}:open-prompts`,
    /** Sorted set of the prompts scheduled and not yet posted (due-index.ts). */
    dueIndex: globalKey(prefix, 'reminders:due'),
  };
}

export type ReminderKeys = ReturnType<typeof reminderKeys>;
