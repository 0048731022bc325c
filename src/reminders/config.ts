import { z } from 'zod';
import { durationField, parseDuration } from '../config/duration.js';
import { slackUsergroupId, slackUserId } from '../config/fields.js';

/**
 * `reminders:` in the config file. Cadences themselves live with the severities
 * (`severities.sev1.cadence`); this section says what happens around them.
 */
/**
 * When a ladder step comes, counted from the time the update fell due: a duration (`45m`) or a
 * number of the severity's cadences (`2x`: two cadences).
 */
const ladderTime = z.string().transform((text, ctx): LadderTime => {
  const cadences = /^(\d+(?:\.\d+)?)x$/.exec(text.trim());
  if (cadences && Number(cadences[1]) > 0) return { cadences: Number(cadences[1]) };
  const ms = parseDuration(text);
  if (ms !== undefined) return { ms };
  ctx.addIssue({
    code: 'custom',
    message: `"${text}" is neither a duration (45m, 1h) nor a number of cadences (2x)`,
  });
  return z.NEVER;
});
export type LadderTime = { ms: number } | { cadences: number };

const ladderStep = z.strictObject({
  after: ladderTime,
  /** Mention the incident commander (everyone here when nobody holds the role). */
  commander: z.boolean().default(true),
  /** Mention `reminders.escalateTo` too. */
  escalateTo: z.boolean().default(false),
  users: z.array(slackUserId).default([]),
  usergroups: z.array(slackUsergroupId).default([]),
});

/** One severity's ladder: each step once, in order, then the last one again every `repeatEvery`. */
export const ladderSchema = z.strictObject({
  steps: z.array(ladderStep).min(1).max(10),
  repeatEvery: ladderTime,
});
export type LadderConfig = z.output<typeof ladderSchema>;

export const remindersConfigSchema = z
  .strictObject({
    /**
     * How long an update may stay missing after its prompt before Quell escalates (once).
     * Omitted: one more cadence of the incident's severity.
     */
    overdueAfter: durationField.optional(),
    /**
     * The escalation ladder for a missing update, per severity (`sev1`...) or `default`. Omitted:
     * with `overdueAfter`, one step at that time (commander and `escalateTo`) repeated at the same
     * interval; without it, the commander after one cadence, then commander and `escalateTo` after
     * two, repeated every cadence. It stops when an update is posted or the incident resolves.
     */
    ladder: z
      .strictObject({
        default: ladderSchema.optional(),
        sev1: ladderSchema.optional(),
        sev2: ladderSchema.optional(),
        sev3: ladderSchema.optional(),
        sev4: ladderSchema.optional(),
      })
      .prefault({}),
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
