import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ChatError } from '../chat/port.js';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentChange, IncidentService } from '../incidents/service.js';
import { SYSTEM_ACTOR } from '../incidents/timeline.js';
import { bullPrefix } from '../redis/keys.js';
import type { EvidenceService } from './service.js';

export const EVIDENCE_QUEUE = 'quell-evidence';

/** One self-describing job: archive an incident that was just resolved. */
export const archiveOnResolveJob = {
  name: 'archive-on-resolve',
  payload: z.object({
    incidentId: z.string(),
    /** Who resolved it: the bundle names them as the one who (indirectly) archived it. */
    actor: z.string(),
    resolvedAt: z.iso.datetime({ offset: true }),
  }),
  /** One archive per resolution, however often the change is seen (no ':' in BullMQ job ids). */
  jobId: (p: { incidentId: string; resolvedAt: string }) =>
    `archive-${p.incidentId}-${Date.parse(p.resolvedAt)}`,
  options: {
    attempts: 6,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: 1000,
    removeOnFail: false,
  },
} as const;

/** Slack refusals that retrying cannot fix. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'missing_scope',
  'invalid_auth',
  'account_inactive',
]);

export interface AutoArchiveDeps {
  redis: Redis;
  config: QuellConfig;
  logger: Logger;
  incidents: IncidentService;
  evidence: EvidenceService;
}

/**
 * Archives an incident when it is resolved (services.ts subscribes `onChange` to incident changes
 * when `evidence.archiveOnResolve` is on), through a BullMQ job: the archive survives a restart
 * half-way, is retried with backoff when Slack or the store fails, and a final failure is written on
 * the timeline so a person runs `/incident archive` instead of assuming the evidence is safe.
 */
export class AutoArchive {
  private closed = false;

  private constructor(
    private readonly queue: Queue,
    private readonly worker: Worker,
    private readonly connections: Redis[],
  ) {}

  static async start(deps: AutoArchiveDeps): Promise<AutoArchive> {
    const { config, logger, incidents, evidence } = deps;
    const prefix = bullPrefix(config.redis.keyPrefix);
    const queueConnection = deps.redis.duplicate({ maxRetriesPerRequest: 1, lazyConnect: true });
    const workerConnection = deps.redis.duplicate({ maxRetriesPerRequest: null, lazyConnect: true });
    for (const c of [queueConnection, workerConnection]) c.on('error', () => undefined);
    const queue = new Queue(EVIDENCE_QUEUE, { connection: queueConnection, prefix });
    queue.on('error', (error) => logger.warn({ err: error }, 'evidence queue error'));

    const process = async (job: Job) => {
      const payload = archiveOnResolveJob.payload.parse(job.data);
      try {
        const outcome = await evidence.archive({
          incidentId: payload.incidentId,
          actor: payload.actor,
          trigger: 'resolved',
        });
        return { location: outcome.reservation.location, manifestSha256: outcome.manifest.manifestSha256 };
      } catch (error) {
        if (error instanceof ChatError && PERMANENT.has(error.code))
          throw new UnrecoverableError(error.message);
        throw error;
      }
    };
    const worker = new Worker(EVIDENCE_QUEUE, process, {
      connection: workerConnection,
      prefix,
      concurrency: 1,
    });
    worker.on('error', (error) => logger.warn({ err: error }, 'evidence worker error'));
    worker.on('failed', (job, error) => {
      if (!job) return;
      const final = Boolean(job.finishedOn);
      logger[final ? 'error' : 'warn'](
        { err: error, job: job.id, final },
        'automatic evidence archive failed',
      );
      if (!final) return;
      const { incidentId } = job.data as { incidentId: string };
      void incidents
        .record(
          incidentId,
          SYSTEM_ACTOR,
          'evidence_archive_failed',
          `could not archive the evidence automatically (${error.message}); run /incident archive in the channel`,
          { error: error.message, job: job.id ?? null },
        )
        .catch((err: unknown) => logger.error({ err }, 'could not record the archive failure'));
    });
    await worker.waitUntilReady();

    return new AutoArchive(queue, worker, [queueConnection, workerConnection]);
  }

  /** Enqueues an archive when an incident moves to resolved. */
  async onChange({ before, incident, event }: IncidentChange): Promise<void> {
    if (this.closed || incident.status !== 'resolved' || before?.status === 'resolved' || !before) return;
    const payload = {
      incidentId: incident.id,
      actor: event.actor,
      resolvedAt: incident.resolvedAt ?? event.at,
    };
    await this.queue.add(archiveOnResolveJob.name, payload, {
      ...archiveOnResolveJob.options,
      jobId: archiveOnResolveJob.jobId(payload),
    });
  }

  /** Waits until no archive job is waiting or running (tests; checks before a shutdown). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > deadline)
        throw new Error(`evidence archives still pending: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  get bull(): Queue {
    return this.queue;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.close();
    await this.queue.close();
    for (const c of this.connections) await c.quit().catch(() => c.disconnect());
  }
}
