import { z } from 'zod';
import { defineJob, type JobDefinition, type JobRuntime, jobIdOf } from '../jobs/index.js';
import type { DriftSchedule } from './kit.js';

/**
 * The re-verification job (drift.ts): one per incident and instant. Checks land on a grid
 * (`containment.reverify`), so every run of an incident schedules the same job id and one chain of
 * checks runs per incident, however many controls are in force; each check schedules the next
 * before it reads the targets, so a check that fails does not end the chain.
 */
const payload = z.object({ incidentId: z.string().min(1), at: z.number().int().nonnegative() });
export type DriftCheckPayload = z.output<typeof payload>;

export const CONTAINMENT_REVERIFY_JOB = 'containment-reverify';

export function containmentDriftJob(
  reverify: (incidentId: string) => Promise<unknown>,
): JobDefinition<DriftCheckPayload> {
  return defineJob({
    name: CONTAINMENT_REVERIFY_JOB,
    lane: 'background',
    payload,
    jobId: (p) => jobIdOf('containment-reverify', p.incidentId, p.at),
    // the next check is already scheduled; a failed one is retried briefly, then the next takes over
    retry: { attempts: 3, baseMs: 5_000, maxMs: 30_000 },
    handle: async (p) => {
      await reverify(p.incidentId);
    },
  });
}

/** The DriftSchedule of the job runtime: `definition` is read when first used (it closes over the service). */
export function jobDriftSchedule(
  jobs: JobRuntime,
  definition: () => JobDefinition<DriftCheckPayload>,
): DriftSchedule {
  return {
    async checkAt(incidentId, at) {
      await jobs.enqueue(definition(), { incidentId, at: at.getTime() }, { at });
    },
  };
}
