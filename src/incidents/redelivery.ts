import { z } from 'zod';
import { defineJob, jobIdOf, RETRY } from '../jobs/index.js';
import { incidentSchema } from './model.js';
import type { IncidentChange } from './service.js';
import { timelineEventSchema } from './timeline.js';

const changeSchema = z.object({
  before: incidentSchema.nullable(),
  incident: incidentSchema,
  event: timelineEventSchema,
});

const redeliveryPayload = z.object({
  /** Top level, so a give-up is written on the incident's timeline (services.ts recordJobFailure). */
  incidentId: z.string().min(1),
  change: changeSchema,
  /** The subscribers that failed on this change, by their subscription name. */
  subscribers: z.array(z.string().min(1)).min(1),
});

export type RedeliveryPayload = z.output<typeof redeliveryPayload>;

/** The payload for a change some subscribers failed on. */
export function redeliveryOf(change: IncidentChange, subscribers: readonly string[]): RedeliveryPayload {
  return { incidentId: change.incident.id, change, subscribers: [...subscribers] };
}

/**
 * A stored change whose subscribers (reminders, archive on resolve, paging, forensics...) failed
 * (Redis away for a moment, Slack down) is handed to them again by a durable job, with Slack's
 * backoff (about two hours of tries), instead of being logged and forgotten. Subscribers are
 * idempotent and read current state where it matters, so a late or repeated change does no harm.
 */
export function changeRedeliveryJob(redeliver: (change: IncidentChange, names: string[]) => Promise<void>) {
  return defineJob({
    name: 'incident-change-redelivery',
    lane: 'background',
    payload: redeliveryPayload,
    // one per stored change: each save raises the version
    jobId: (p) =>
      jobIdOf('redeliver', p.incidentId, p.change.incident.version, Date.parse(p.change.event.at)),
    retry: RETRY.slack,
    handle: (p) => redeliver(p.change, p.subscribers),
  });
}
