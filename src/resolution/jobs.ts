import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { SLACK_RETRY } from '../reminders/jobs.js';

/**
 * The overdue corrective-action reminder: a delayed job on the reminder queue (same worker, retries
 * and post guard as update prompts), due when the action is. One job per action and due time; the
 * handler posts only if the action is still open, and only once.
 */
export const actionOverdueJob = {
  name: 'action-overdue',
  payload: z.object({
    actionId: z.string().regex(/^A\d+$/),
    incidentId: z.string(),
    dueAt: z.iso.datetime({ offset: true }),
  }),
  jobId: (p: { actionId: string; dueAt: string }) => `action-overdue-${p.actionId}-${Date.parse(p.dueAt)}`,
  options: {
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
    ...SLACK_RETRY,
  } satisfies JobsOptions,
};
export type ActionOverduePayload = z.infer<typeof actionOverdueJob.payload>;
