import { z } from 'zod';
import { durationField } from '../config/duration.js';
import { slackUsergroupId, slackUserId } from '../config/fields.js';

/**
 * `reminders:` in the config file. Cadences themselves live with the severities
 * (`severities.sev1.cadence`); this section says what happens around them.
 */
export const remindersConfigSchema = z
  .strictObject({
    /**
     * How long an update may stay missing after its prompt before Quell escalates (once).
     * Omitted: one more cadence of the incident's severity.
     */
    overdueAfter: durationField.optional(),
    /** Who is mentioned, besides the commander, when an update is overdue. */
    escalateTo: z
      .strictObject({
        users: z.array(slackUserId).default([]),
        usergroups: z.array(slackUsergroupId).default([]),
      })
      .prefault({}),
    /** The choices of the prompt's Snooze menu. */
    snoozeChoices: z.array(durationField).min(1).max(5).prefault(['10m', '20m', '30m']),
    /** A prompt posted more than this after its due time says it is late (Quell was down). */
    lateAfter: durationField.prefault('1m'),
    /** How often a worker re-checks that every active incident has its prompt scheduled. */
    reconcileEvery: durationField.prefault('1m'),
    /** No longer used (still accepted so existing files load): see `jobs.lanes.background.concurrency`. */
    concurrency: z.number().int().min(1).max(200).default(20),
  })
  .prefault({});

export type RemindersConfig = z.output<typeof remindersConfigSchema>;
