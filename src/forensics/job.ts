import { z } from 'zod';
import { defineJob, jobIdOf, RETRY } from '../jobs/index.js';
import type { CollectJobPayload, ForensicsService } from './service.js';

export const COLLECT_JOB = 'forensics-collect';

const payload = z.object({
  incidentId: z.string().min(1),
  collector: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/),
  trigger: z.enum(['declared', 'containment', 'command', 'recollect']),
  actor: z.string().min(1),
  requestKey: z.string().regex(/^[A-Za-z0-9_.-]{1,120}$/),
  since: z.iso.datetime({ offset: true }).optional(),
}) satisfies z.ZodType<CollectJobPayload>;

/**
 * One collector run on the long lane, keyed by incident, collector and request: a resent command
 * or a redelivered event collects once. A run never fails the job for the vendor's sake (what it
 * fetched is kept and the error is recorded); only Quell's own failures (Redis, disk) are retried.
 */
export const collectJob = (forensics: ForensicsService) =>
  defineJob({
    name: COLLECT_JOB,
    lane: 'long',
    payload,
    jobId: (p) => jobIdOf('forensics', p.incidentId, p.collector, p.requestKey),
    retry: RETRY.long,
    handle: async (p, ctx) => {
      const summary = await forensics.run(p, ctx.jobId);
      return summary ? { records: summary.records, error: summary.error?.kind ?? null } : { planned: true };
    },
  });
