import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { defineJob, type JobDefinition, jobIdOf, RETRY } from '../jobs/index.js';
import type { RetentionConfig } from './config.js';
import type { Incident } from './model.js';
import type { IncidentStore } from './store.js';
import { type ArchivedBundle, tombstoneOf } from './tombstone.js';

/**
 * The one retention mechanism: what takes a resolved incident's state out of Redis once a verified
 * evidence bundle holds it. A periodic background-lane job (one replica per run) reads the
 * incidents whose check is due from a sorted index (`incidents:retention-due`, entered when an
 * incident is resolved), re-verifies each one's newest bundle, and
 * - before any bundle made at or after the resolution verifies: looks again `recheckAfter` later;
 * - once one does: purges each registered part whose time has come (`afterMs` after the bundle:
 *   revision text at `evidence.revisionRetention`), and at `compactAfter` purges the remaining parts
 *   and replaces the record, its timeline, index entries and channel links by a tombstone
 *   (incidents/tombstone.ts) so lookups and App Home still name it and say where the bundle is.
 * Nothing is purged without a bundle verified just now; every step is idempotent, so a crash or a
 * second replica running the same sweep at worst repeats work.
 */

/** Per-incident state another feature keeps, leaving Redis through this mechanism. */
export interface RetentionPart {
  /** For logs: `revisions`, `comms`... */
  readonly name: string;
  /** How long after the verified bundle it goes; undefined: with the compaction (`compactAfter`). */
  readonly afterMs?: number;
  /** Deletes the incident's keys of this part (idempotent). */
  purge(incidentId: string): Promise<void>;
}

/** The newest bundle of an incident, verified now (EvidenceService.latestVerifiedBundle). */
export interface BundleCheck extends ArchivedBundle {
  ok: boolean;
  problems: string[];
}

export interface RetentionDeps {
  store: IncidentStore;
  config: RetentionConfig;
  verifiedBundle: (incidentId: string) => Promise<BundleCheck | undefined>;
  parts: readonly RetentionPart[];
  clock: Clock;
  logger: Logger;
}

export type RetentionOutcome =
  | 'compacted'
  | 'parts-purged'
  | 'waiting'
  | 'no-bundle'
  | 'bundle-failed'
  | 'changed'
  | 'gone';

export interface SweepReport {
  looked: number;
  outcomes: Partial<Record<RetentionOutcome, number>>;
}

/** Incidents checked at the same time within one sweep. */
const SWEEP_WIDTH = 8;

export class Retention {
  /** The sweep as a durable job (services.ts registers it and runs it every `sweepEvery`). */
  readonly job: JobDefinition<Record<string, never>>;

  constructor(private readonly deps: RetentionDeps) {
    this.job = retentionSweepJob(this);
  }

  /** One sweep: at most `batchSize` due incidents, oldest due first. */
  async sweep(): Promise<SweepReport> {
    const { store, config, clock, logger } = this.deps;
    const report: SweepReport = { looked: 0, outcomes: {} };
    if (!config.enabled) return report;
    const backfilled = await store.backfillRetentionIndex();
    if (backfilled > 0)
      logger.info(
        { incidents: backfilled },
        'incidents from before the retention and App Home indexes entered in them',
      );
    const ids = await store.retentionDue(clock.now().getTime(), config.batchSize);
    let next = 0;
    // a few incidents at a time: each check is a handful of round trips and a bundle re-hash
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        report.looked++;
        let outcome: RetentionOutcome;
        try {
          outcome = await this.check(id);
        } catch (error) {
          // one incident's failure (a bundle store down) must not stop the others
          logger.warn({ err: error, incident: id }, 'retention check failed; looking again later');
          await store.recheckRetentionAt(id, clock.now().getTime() + config.recheckAfter);
          continue;
        }
        report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_WIDTH, ids.length) }, worker));
    if (report.looked > 0) logger.info({ ...report.outcomes, looked: report.looked }, 'retention sweep');
    return report;
  }

  /** Looks at one resolved incident and does what its time allows. */
  async check(id: string): Promise<RetentionOutcome> {
    const { store, config, clock, logger } = this.deps;
    const now = clock.now().getTime();
    const incident = await store.get(id);
    if (!incident) {
      // a crash after the record was replaced: finish; else an entry with nothing behind it
      const tombstone = await store.tombstone(id);
      if (tombstone) {
        await store.finishCompaction(tombstone);
        return 'compacted';
      }
      await store.dropRetentionEntry(id);
      return 'gone';
    }
    if (incident.status !== 'resolved') {
      await store.dropRetentionEntry(id);
      return 'changed';
    }
    const bundle = await this.deps.verifiedBundle(id);
    if (!bundle || !coversResolution(bundle, incident)) {
      await store.recheckRetentionAt(id, now + config.recheckAfter);
      return 'no-bundle';
    }
    if (!bundle.ok) {
      logger.error(
        { incident: id, location: bundle.location, problems: bundle.problems.slice(0, 5) },
        'evidence bundle failed verification: the incident stays in Redis until a bundle verifies',
      );
      await store.recheckRetentionAt(id, now + config.recheckAfter);
      return 'bundle-failed';
    }
    const archivedAt = Date.parse(bundle.archivedAt);
    const compactAt = archivedAt + config.compactAfter;
    const dueParts = this.deps.parts.filter((p) => archivedAt + (p.afterMs ?? config.compactAfter) <= now);
    for (const part of dueParts) await part.purge(id);
    if (compactAt <= now) {
      const compacted = await store.compact(tombstoneOf(incident, bundle, clock.now()), incident.version);
      if (!compacted) return 'changed'; // saved meanwhile: the next sweep looks again
      logger.info({ incident: id, bundle: bundle.location }, 'resolved incident compacted to a tombstone');
      return 'compacted';
    }
    // next: the earliest part still to go, or the compaction
    const later = this.deps.parts
      .map((p) => archivedAt + (p.afterMs ?? config.compactAfter))
      .filter((at) => at > now);
    await store.recheckRetentionAt(id, Math.min(compactAt, ...later));
    return dueParts.length > 0 ? 'parts-purged' : 'waiting';
  }
}

/** Only a bundle made at or after the resolution holds the whole incident. */
function coversResolution(bundle: BundleCheck, incident: Incident): boolean {
  const resolvedAt = Date.parse(incident.resolvedAt ?? incident.updatedAt);
  return Date.parse(bundle.archivedAt) >= resolvedAt;
}

const sweepPayload = z.object({}).strict() as z.ZodType<Record<string, never>>;

/** The sweep as a durable background-lane job; services.ts runs it every `retention.sweepEvery`. */
export function retentionSweepJob(retention: Retention): JobDefinition<Record<string, never>> {
  return defineJob({
    name: 'retention-sweep',
    lane: 'background',
    payload: sweepPayload,
    jobId: () => jobIdOf('retention-sweep'),
    // the next scheduled run is the retry
    retry: RETRY.once,
    handle: async () => retention.sweep(),
  });
}
