import { z } from 'zod';

/**
 * A notification obligation of one incident: a legal or contractual clock that started when the
 * organisation became aware (GDPR Art. 33, EU AI Act Art. 73, sector rules). Stored on the incident
 * itself (`Incident.obligations`), so every change goes through the incident's one change path
 * (version, timeline event, pinned summary). Name, authority and citation are copied from the
 * config type when added: a later config edit never rewrites what the record said.
 */

const isoInstant = z.iso.datetime({ offset: true });

/** Who did it, when, and the reference the authority gave (a case number, a portal receipt). */
export const submissionSchema = z.object({
  at: isoInstant,
  by: z.string(),
  reference: z.string(),
});
export type Submission = z.infer<typeof submissionSchema>;

export const OBLIGATION_STATUSES = ['open', 'submitted', 'waived'] as const;
export type ObligationStatus = (typeof OBLIGATION_STATUSES)[number];

export const obligationSchema = z.object({
  /** The config type id, e.g. `gdpr-art33`; one obligation per type and incident. */
  type: z.string(),
  name: z.string(),
  authority: z.string(),
  citation: z.string(),
  /** A drill's clock: shown and reminded as a drill, in the drill channel only. */
  drill: z.boolean(),
  awareAt: isoInstant,
  deadlineAt: isoInstant,
  addedBy: z.string(),
  addedAt: isoInstant,
  /** The type allows an initial report that meets the deadline, followed by a complete one. */
  phased: z.boolean(),
  status: z.enum(OBLIGATION_STATUSES),
  /** The initial (possibly incomplete) report of a phased obligation. */
  initial: submissionSchema.optional(),
  /** The complete report: the obligation is met. */
  submitted: submissionSchema.optional(),
  waived: z.object({ at: isoInstant, by: z.string(), reason: z.string() }).optional(),
});
export type Obligation = z.infer<typeof obligationSchema>;

/** Whether the deadline is still to be met: nothing (initial or complete) submitted, not waived. */
export function awaitsReport(obligation: Obligation): boolean {
  return obligation.status === 'open' && !obligation.initial;
}

/** Whether the obligation still holds the incident open (the restart gate): not complete nor waived. */
export function isOutstanding(obligation: Obligation): boolean {
  return obligation.status === 'open';
}

/** One line for the gate, the postmortem and the bundle: what was submitted, when, by whom. */
export function describeOutcome(o: Obligation): string {
  if (o.status === 'waived' && o.waived)
    return `waived by ${o.waived.by} at ${o.waived.at}: ${o.waived.reason}`;
  if (o.status === 'submitted' && o.submitted)
    return `submitted by ${o.submitted.by} at ${o.submitted.at}${o.submitted.reference ? `, reference ${o.submitted.reference}` : ''}`;
  if (o.initial)
    return `initial report by ${o.initial.by} at ${o.initial.at}${o.initial.reference ? ` (${o.initial.reference})` : ''}; complete report outstanding`;
  return `open, due ${o.deadlineAt}`;
}
