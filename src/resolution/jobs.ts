import { z } from 'zod';
import { defineJob, type JobDefinition, jobIdOf, RETRY } from '../jobs/index.js';

/**
 * The overdue corrective-action reminder: a delayed job on the background lane, due when the
 * action is, and a periodic reconciliation that puts back a reminder whose enqueue failed. One job
 * per action and due time; the handler posts only if the action is still open, and only once.
 */
export const actionOverduePayload = z.object({
  actionId: z.string().regex(/^A\d+$/),
  incidentId: z.string(),
  dueAt: z.iso.datetime({ offset: true }),
});
export type ActionOverduePayload = z.infer<typeof actionOverduePayload>;

export const actionOverdueJobId = (p: { actionId: string; dueAt: string }) =>
  jobIdOf('action-overdue', p.actionId, Date.parse(p.dueAt));

export interface ActionJobHandlers {
  remind(payload: ActionOverduePayload): Promise<unknown>;
  /** Re-adds the reminder of every open action; returns how many are open. */
  reconcile(): Promise<number>;
  /** The reminder could not be posted for good: say so on the incident's timeline. */
  recordFailure(payload: ActionOverduePayload, reason: string): Promise<void>;
}

export interface ActionJobs {
  overdue: JobDefinition<ActionOverduePayload>;
  reconcile: JobDefinition<Record<string, never>>;
}

export function actionJobs(run: ActionJobHandlers): ActionJobs {
  return {
    overdue: defineJob({
      name: 'action-overdue',
      lane: 'background',
      payload: actionOverduePayload,
      jobId: actionOverdueJobId,
      retry: RETRY.slack,
      handle: (p) => run.remind(p),
      onGiveUp: (p, { error }) => run.recordFailure(p, error.message),
    }),
    reconcile: defineJob({
      name: 'reconcile-actions',
      lane: 'background',
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      jobId: () => jobIdOf('reconcile-actions'),
      retry: RETRY.once,
      handle: async () => ({ open: await run.reconcile() }),
    }),
  };
}
