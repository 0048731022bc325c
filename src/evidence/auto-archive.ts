import { z } from 'zod';
import type { IncidentChange, IncidentService, IncidentSubscriber } from '../incidents/service.js';
import { SYSTEM_ACTOR } from '../incidents/timeline.js';
import { defineJob, type JobDefinition, type JobRuntime, jobIdOf, RETRY } from '../jobs/index.js';
import type { EvidenceService } from './service.js';

export const archiveOnResolvePayload = z.object({
  incidentId: z.string(),
  /** Who resolved it: the bundle names them as the one who (indirectly) archived it. */
  actor: z.string(),
  resolvedAt: z.iso.datetime({ offset: true }),
});
export type ArchiveOnResolvePayload = z.infer<typeof archiveOnResolvePayload>;

export interface ArchiveJobDeps {
  /** The evidence service built on the background chat (fail-fast: the runtime retries). */
  evidence: EvidenceService;
  incidents: IncidentService;
}

/**
 * Archive an incident that was just resolved: a job on the long lane (reading a busy channel's
 * history takes minutes and must not hold up interactive work). It survives a restart half-way,
 * is retried with backoff when Slack or the store fails (the one Slack classification of
 * src/jobs), and a final failure is written on the timeline so a person runs `/incident archive`
 * instead of assuming the evidence is safe.
 */
export function archiveOnResolveJob(deps: ArchiveJobDeps): JobDefinition<ArchiveOnResolvePayload> {
  return defineJob({
    name: 'archive-on-resolve',
    lane: 'long',
    payload: archiveOnResolvePayload,
    /** One archive per resolution, however often the change is seen. */
    jobId: (p) => jobIdOf('archive', p.incidentId, Date.parse(p.resolvedAt)),
    retry: RETRY.long,
    handle: async (p) => {
      const outcome = await deps.evidence.archive({
        incidentId: p.incidentId,
        actor: p.actor,
        trigger: 'resolved',
      });
      return { location: outcome.reservation.location, manifestSha256: outcome.manifest.manifestSha256 };
    },
    onGiveUp: async (p, { error }) => {
      await deps.incidents.record(
        p.incidentId,
        SYSTEM_ACTOR,
        'evidence_archive_failed',
        `could not archive the evidence automatically (${error.message}); run /incident archive in the channel`,
        { error: error.message, job: jobIdOf('archive', p.incidentId, Date.parse(p.resolvedAt)) },
      );
    },
  });
}

/** Enqueues the archive when an incident moves to resolved (services.ts subscribes it when configured). */
export function archiveOnResolve(
  jobs: JobRuntime,
  job: JobDefinition<ArchiveOnResolvePayload>,
): IncidentSubscriber {
  return async ({ before, incident, event }: IncidentChange) => {
    if (incident.status !== 'resolved' || before?.status === 'resolved' || !before) return;
    await jobs.enqueue(job, {
      incidentId: incident.id,
      actor: event.actor,
      resolvedAt: incident.resolvedAt ?? event.at,
    });
  };
}
