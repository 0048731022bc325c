import { z } from 'zod';
import { defineJob, type JobDefinition, jobIdOf, RETRY } from '../jobs/index.js';

/**
 * The obligation timers on the job runtime (background lane): a reminder at each configured offset
 * before the deadline, the escalation at the deadline, and the proposal posted when a declared
 * incident matches a type. Ids derive from (incident, type, deadline, offset), so adding the same
 * obligation twice, a re-run after a crash or a second replica leave one job each.
 */

const isoInstant = z.iso.datetime({ offset: true });

export const obligationTimerPayload = z.object({
  incidentId: z.string(),
  type: z.string(),
  /** The deadline this timer is for; an obligation whose deadline moved makes it stale. */
  deadlineAt: isoInstant,
  /** How long before the deadline (0: the deadline itself, the escalation). */
  beforeMs: z.number().int().nonnegative(),
});
export type ObligationTimerPayload = z.infer<typeof obligationTimerPayload>;

export const proposalPayload = z.object({ incidentId: z.string(), type: z.string() });
export type ProposalPayload = z.infer<typeof proposalPayload>;

export const reminderJobId = (p: ObligationTimerPayload) =>
  jobIdOf('obl-remind', p.incidentId, p.type, Date.parse(p.deadlineAt), p.beforeMs);
export const overdueJobId = (p: ObligationTimerPayload) =>
  jobIdOf('obl-overdue', p.incidentId, p.type, Date.parse(p.deadlineAt));

export interface ObligationJobHandlers {
  remind(payload: ObligationTimerPayload): Promise<unknown>;
  escalate(payload: ObligationTimerPayload): Promise<unknown>;
  propose(payload: ProposalPayload): Promise<unknown>;
  recordFailure(incidentId: string, what: string, reason: string): Promise<void>;
}

export interface ObligationJobs {
  reminder: JobDefinition<ObligationTimerPayload>;
  overdue: JobDefinition<ObligationTimerPayload>;
  proposal: JobDefinition<ProposalPayload>;
}

export function obligationJobs(run: ObligationJobHandlers): ObligationJobs {
  return {
    reminder: defineJob({
      name: 'obligation-reminder',
      lane: 'background',
      payload: obligationTimerPayload,
      jobId: reminderJobId,
      retry: RETRY.slack,
      handle: (p) => run.remind(p),
      onGiveUp: (p, { error }) => run.recordFailure(p.incidentId, `${p.type} reminder`, error.message),
    }),
    overdue: defineJob({
      name: 'obligation-overdue',
      lane: 'background',
      payload: obligationTimerPayload,
      jobId: overdueJobId,
      retry: RETRY.slack,
      handle: (p) => run.escalate(p),
      onGiveUp: (p, { error }) =>
        run.recordFailure(p.incidentId, `${p.type} missed-deadline escalation`, error.message),
    }),
    proposal: defineJob({
      name: 'obligation-proposal',
      lane: 'background',
      payload: proposalPayload,
      jobId: (p) => jobIdOf('obl-propose', p.incidentId, p.type),
      retry: RETRY.slack,
      handle: (p) => run.propose(p),
      onGiveUp: (p, { error }) => run.recordFailure(p.incidentId, `${p.type} proposal`, error.message),
    }),
  };
}
