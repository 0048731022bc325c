import type { Clock } from '../clock.js';
import type { ContainmentService } from '../containment/index.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentStore } from '../incidents/store.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import type { CorrectiveActions } from './actions.js';
import { type GateChecks, type GateItemId, isEvaluable } from './gate.js';
import { checkItem, type EvidenceFacts, type GateFacts } from './gate-checks.js';
import type { RollbackInventory } from './inventory-service.js';
import type { ResolutionStore } from './store.js';

/** The evidence feature's record of a bundle, as the timeline's `evidence_archived` event holds it. */
export interface ArchivedBundle {
  version: number;
  location: string;
  manifestSha256: string;
  storage: string;
}

/**
 * Re-checks a stored bundle against its manifest (services.ts wires the evidence feature's verifier).
 * `unverifiable` when this process cannot read the bundle back (e.g. a store it has no reader for).
 */
export type EvidenceVerifier = (
  bundle: ArchivedBundle,
) => Promise<{ ok: true } | { ok: false; problem: string } | { unverifiable: string }>;

export interface GateRecordDeps {
  store: ResolutionStore;
  incidentStore: IncidentStore;
  containment: Pick<ContainmentService, 'runs'>;
  actions: Pick<CorrectiveActions, 'ofIncident'>;
  inventory: Pick<RollbackInventory, 'list'>;
  verifyEvidence?: EvidenceVerifier;
  /** The comms feature's confirmed-root-cause event kind. */
  rootCauseEvent: string;
  clock: Clock;
}

const EVIDENCE_ARCHIVED = 'evidence_archived';

function latestBundle(timeline: readonly TimelineEvent[]): (ArchivedBundle & { at: string }) | undefined {
  const event = timeline.findLast((e) => e.kind === EVIDENCE_ARCHIVED);
  if (!event) return undefined;
  const { version, location, manifestSha256, storage } = event.data;
  if (typeof version !== 'number' || typeof location !== 'string' || typeof manifestSha256 !== 'string')
    return undefined;
  return { version, location, manifestSha256, storage: String(storage ?? ''), at: event.at };
}

/** Gathers what Quell knows about an incident and checks each evaluated gate item against it. */
export class GateRecord {
  constructor(private readonly deps: GateRecordDeps) {}

  async checks(incident: Incident, evaluated: readonly GateItemId[]): Promise<GateChecks> {
    if (evaluated.length === 0) return {};
    const facts = await this.facts(incident);
    const checks: GateChecks = {};
    for (const item of evaluated) if (isEvaluable(item)) checks[item] = checkItem(item, facts);
    return checks;
  }

  private async facts(incident: Incident): Promise<GateFacts> {
    const { incidentStore, containment, actions, inventory } = this.deps;
    const [timeline, runs, corrective, objects] = await Promise.all([
      incidentStore.timeline(incident.id),
      containment.runs(incident.id),
      actions.ofIncident(incident.id),
      inventory.list(incident.id),
    ]);
    const rootCause = timeline.findLast((e) => e.kind === this.deps.rootCauseEvent);
    return {
      drill: incident.drill,
      runs,
      evidence: await this.evidence(incident.id, latestBundle(timeline)),
      actions: corrective,
      ...(rootCause ? { rootCause } : {}),
      inventory: objects,
    };
  }

  /** A bundle is re-checked once; bundles are never overwritten, so a pass stays true. */
  private async evidence(
    incidentId: string,
    archive: ReturnType<typeof latestBundle>,
  ): Promise<EvidenceFacts> {
    if (!archive) return {};
    const { store, verifyEvidence, clock } = this.deps;
    const verifiedAt = await store.bundleVerifiedAt(incidentId, archive.version, archive.manifestSha256);
    if (verifiedAt) return { archive, verification: { ok: true, at: verifiedAt } };
    if (!verifyEvidence) return { archive, verification: { unverifiable: 'no verifier configured' } };
    const result = await verifyEvidence(archive).catch((error: unknown) => ({
      ok: false as const,
      problem: (error as Error).message,
    }));
    if ('unverifiable' in result || !result.ok) return { archive, verification: result };
    const at = clock.now().toISOString();
    await store.setBundleVerified(incidentId, archive.version, archive.manifestSha256, at);
    return { archive, verification: { ok: true, at } };
  }
}
