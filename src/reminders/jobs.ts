import { z } from 'zod';
import { defineJob, type JobDefinition, jobIdOf, RETRY } from '../jobs/index.js';

/**
 * The reminder job types on the shared job runtime (background lane): the update prompt, the
 * overdue escalation, and the periodic reconciliation. Payload schemas and job ids are module
 * constants (the schedule builds ids without the handlers); `reminderJobs` binds the handlers.
 */

const isoInstant = z.iso.datetime({ offset: true });

/** Why the clock started: lets the prompt say which update is due. */
export const PROMPT_REASONS = [
  'declared',
  'update',
  'severity',
  'reopened',
  'snoozed',
  'reconciled',
] as const;
export type PromptReason = (typeof PROMPT_REASONS)[number];

export const updatePromptPayload = z.object({
  incidentId: z.string(),
  /** The incident's nextUpdateDueAt this prompt is for; a prompt for any other due time is stale. */
  dueAt: isoInstant,
  /** When the update that is still missing first fell due (differs from dueAt after a snooze). */
  overdueSince: isoInstant,
  reason: z.enum(PROMPT_REASONS),
  /** When the clock (re)started: the declaration, the last update, the severity change... */
  since: isoInstant.optional(),
});
export type UpdatePromptPayload = z.infer<typeof updatePromptPayload>;

export const overdueEscalationPayload = z.object({
  incidentId: z.string(),
  /** The due time whose prompt went unanswered. */
  dueAt: isoInstant,
  overdueSince: isoInstant,
  promptedAt: isoInstant,
  /** The ladder step (0-based; beyond the configured steps: a repeat of the last). */
  step: z.number().int().nonnegative().default(0),
  /** When this step was planned for: the next one is planned from here. */
  at: isoInstant.optional(),
});
export type OverdueEscalationPayload = z.infer<typeof overdueEscalationPayload>;

/** One prompt and one escalation per (incident, due time), however often they are scheduled. */
export const promptJobId = (p: { incidentId: string; dueAt: string }) =>
  jobIdOf('prompt', p.incidentId, Date.parse(p.dueAt));
export const escalationJobId = (p: { incidentId: string; dueAt: string; step?: number }) =>
  jobIdOf('overdue', p.incidentId, Date.parse(p.dueAt), p.step ?? 0);

/** What became of the prompts of a due time that no longer applies; they are edited to say so. */
export const PROMPT_FATES = ['answered', 'snoozed', 'superseded', 'resolved'] as const;
export type PromptFate = (typeof PROMPT_FATES)[number];

export const settlePromptsPayload = z.object({
  incidentId: z.string(),
  /** The due time whose prompts (and ladder steps) are settled. */
  dueAt: isoInstant,
  fate: z.enum(PROMPT_FATES),
  /** Who answered or snoozed (a Slack user id), or the system actor. */
  actor: z.string(),
  at: isoInstant,
  /** Snoozed until. */
  until: isoInstant.optional(),
});
export type SettlePromptsPayload = z.infer<typeof settlePromptsPayload>;

export interface ReminderJobHandlers {
  /** `run.startedBefore`: an earlier run of this job started, so its post may be in the channel. */
  sendPrompt(payload: UpdatePromptPayload, run: { startedBefore: boolean }): Promise<unknown>;
  escalate(payload: OverdueEscalationPayload, run: { startedBefore: boolean }): Promise<unknown>;
  /** Edits the open prompts of a due time to drop their buttons and say what happened. */
  settle(payload: SettlePromptsPayload): Promise<unknown>;
  /** Re-adds the prompts the due-time index says need a check; returns how many were checked. */
  reconcile(): Promise<number>;
  /** Attempts ran out or Slack refused for good: say so on the timeline. */
  recordFailure(incidentId: string, what: string, dueAt: string, reason: string): Promise<void>;
}

export interface ReminderJobs {
  updatePrompt: JobDefinition<UpdatePromptPayload>;
  overdueEscalation: JobDefinition<OverdueEscalationPayload>;
  reconcile: JobDefinition<Record<string, never>>;
  settlePrompts: JobDefinition<SettlePromptsPayload>;
}

export function reminderJobs(run: ReminderJobHandlers): ReminderJobs {
  return {
    updatePrompt: defineJob({
      name: 'update-prompt',
      lane: 'background',
      payload: updatePromptPayload,
      jobId: promptJobId,
      // Slack may be down or rate limiting for a while: about two hours of tries
      retry: RETRY.slack,
      handle: (p, ctx) => run.sendPrompt(p, { startedBefore: ctx.startedBefore ?? false }),
      onGiveUp: (p, { error }) => run.recordFailure(p.incidentId, 'update prompt', p.dueAt, error.message),
    }),
    overdueEscalation: defineJob({
      name: 'update-overdue',
      lane: 'background',
      payload: overdueEscalationPayload,
      jobId: escalationJobId,
      retry: RETRY.slack,
      handle: (p, ctx) => run.escalate(p, { startedBefore: ctx.startedBefore ?? false }),
      onGiveUp: (p, { error }) =>
        run.recordFailure(p.incidentId, `overdue escalation (step ${p.step + 1})`, p.dueAt, error.message),
    }),
    settlePrompts: defineJob({
      name: 'update-prompt-settle',
      lane: 'background',
      payload: settlePromptsPayload,
      jobId: (p) => jobIdOf('settle', p.incidentId, Date.parse(p.dueAt)),
      retry: RETRY.slack,
      handle: (p) => run.settle(p),
    }),
    reconcile: defineJob({
      name: 'reconcile-reminders',
      lane: 'background',
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      jobId: () => jobIdOf('reconcile-reminders'),
      retry: RETRY.once,
      handle: async () => ({ due: await run.reconcile() }),
    }),
  };
}
