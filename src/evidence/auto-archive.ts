import { z } from 'zod';
import type { IncidentChange, IncidentService, IncidentSubscriber } from '../incidents/service.js';
import {
  defineJob,
  isPermanent,
  type JobDefinition,
  type JobRuntime,
  jobIdOf,
  RETRY,
  retryDelay,
} from '../jobs/index.js';
import type { EvidenceService } from './service.js';

export const ARCHIVE_JOB = 'archive-evidence';

export const archivePayload = z.object({
  incidentId: z.string(),
  /** Who asked, or who resolved it (the bundle names them as the one who archived it). */
  actor: z.string(),
  trigger: z.enum(['command', 'resolved']),
  /** The request's idempotency key (command trigger id, Retry click, resolution time). */
  requestKey: z.string().regex(/^[A-Za-z0-9_.-]+$/),
});
export type ArchivePayload = z.infer<typeof archivePayload>;
/** Kept for services.ts: the archive job's payload as it is enqueued on resolution. */
export type ArchiveOnResolvePayload = ArchivePayload;

export interface ArchiveJobDeps {
  /** The evidence service built on the background chat (fail-fast: the runtime retries). */
  evidence: EvidenceService;
  incidents: IncidentService;
}

/**
 * Archive an incident: a job on the long lane (at Slack's pace a busy channel takes many minutes,
 * longer than a response_url lives, and must not hold up interactive work). The job id is the run
 * id: a retry, or another replica after a crash, resumes from the last history cursor. Every failed
 * attempt is shown at once in the channel and on the timeline with what failed and why; the last
 * one (or a refusal no retry can fix) offers a Retry button.
 */
export function archiveOnResolveJob(deps: ArchiveJobDeps): JobDefinition<ArchivePayload> {
  const jobId = (p: ArchivePayload) => jobIdOf('archive', p.incidentId, p.requestKey);
  return defineJob({
    name: ARCHIVE_JOB,
    lane: 'long',
    payload: archivePayload,
    jobId,
    retry: RETRY.long,
    handle: async (p, ctx) => {
      const request = { incidentId: p.incidentId, actor: p.actor, trigger: p.trigger, runId: ctx.jobId };
      try {
        const outcome = await deps.evidence.archive(request);
        return { location: outcome.reservation.location, manifestSha256: outcome.manifestSha256 };
      } catch (error) {
        const retryingAt =
          ctx.lastAttempt || isPermanent(error)
            ? undefined
            : new Date(Date.now() + retryDelay(ctx.attempt, RETRY.long, error as Error));
        await deps.evidence.reportFailure(request, error, {
          attempt: ctx.attempt,
          ...(retryingAt ? { retryingAt } : {}),
        });
        throw error;
      }
    },
  });
}

/** Enqueues the archive when an incident moves to resolved (services.ts subscribes it when configured). */
export function archiveOnResolve(jobs: JobRuntime, job: JobDefinition<ArchivePayload>): IncidentSubscriber {
  return async ({ before, incident, event }: IncidentChange) => {
    if (incident.status !== 'resolved' || before?.status === 'resolved' || !before) return;
    await jobs.enqueue(job, {
      incidentId: incident.id,
      actor: event.actor,
      trigger: 'resolved',
      requestKey: `resolved-${Date.parse(incident.resolvedAt ?? event.at)}`,
    });
  };
}
