import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * One self-describing module per job type: name, payload schema, dedupe key (the BullMQ job id) and
 * retry policy. The handlers live in the worker, which binds them to the services they need.
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

const DAY_SECONDS = 24 * 3600;

/**
 * Finished jobs are kept for a week, so that re-adding a job with the same id (reconciliation, a
 * retried subscriber) is ignored by BullMQ rather than creating a second job: "if you add a job with
 * an existing id then that job will just be ignored" while the old one is still stored
 * (docs.bullmq.io/guide/jobs/job-ids). The post guard (PostGuard) keeps its marks longer still, so
 * even a re-add after that week cannot post twice.
 */
const KEEP_FINISHED: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 7 * DAY_SECONDS },
  removeOnFail: { age: 30 * DAY_SECONDS },
};

/**
 * Slack may be down or rate limiting for a while: retry for about two hours (backoff doubles from
 * 1 s up to 5 min, or waits as long as Slack's Retry-After says), then give up and say so on the
 * timeline. The 'slack' type is the worker's backoffStrategy (see retry.ts).
 */
export const SLACK_RETRY: Pick<JobsOptions, 'attempts' | 'backoff'> = {
  attempts: 30,
  backoff: { type: 'slack', delay: 1_000 },
};

/** BullMQ custom ids must not contain ':' and must not be plain integers. */
function safeIdPart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

export const updatePromptJob = {
  name: 'update-prompt',
  payload: z.object({
    incidentId: z.string(),
    /** The incident's nextUpdateDueAt this prompt is for; a prompt for any other due time is stale. */
    dueAt: isoInstant,
    /** When the update that is still missing first fell due (differs from dueAt after a snooze). */
    overdueSince: isoInstant,
    reason: z.enum(PROMPT_REASONS),
    /** When the clock (re)started: the declaration, the last update, the severity change... */
    since: isoInstant.optional(),
  }),
  jobId: (p: { incidentId: string; dueAt: string }) =>
    `prompt-${safeIdPart(p.incidentId)}-${Date.parse(p.dueAt)}`,
  options: { ...KEEP_FINISHED, ...SLACK_RETRY } satisfies JobsOptions,
};
export type UpdatePromptPayload = z.infer<typeof updatePromptJob.payload>;

export const overdueEscalationJob = {
  name: 'update-overdue',
  payload: z.object({
    incidentId: z.string(),
    /** The due time whose prompt went unanswered. */
    dueAt: isoInstant,
    overdueSince: isoInstant,
    promptedAt: isoInstant,
  }),
  jobId: (p: { incidentId: string; dueAt: string }) =>
    `overdue-${safeIdPart(p.incidentId)}-${Date.parse(p.dueAt)}`,
  options: { ...KEEP_FINISHED, ...SLACK_RETRY } satisfies JobsOptions,
};
export type OverdueEscalationPayload = z.infer<typeof overdueEscalationJob.payload>;

/** Run by one worker every `reminders.reconcileEvery` (a BullMQ job scheduler). */
export const reconcileJob = {
  name: 'reconcile',
  schedulerId: 'reconcile-reminders',
  options: { removeOnComplete: true, removeOnFail: 50 } satisfies JobsOptions,
};
