import type { Incident } from '../../src/incidents/model.js';
import type { BundleCheck } from '../../src/incidents/retention.js';
import type { IncidentStore } from '../../src/incidents/store.js';
import type { TimelineEvent } from '../../src/incidents/timeline.js';

/** Incidents written through the store's real write paths (create, update, appendTimeline). */

export const DECLARED_AT = Date.parse('2026-11-01T09:00:00Z');

export function incidentAt(seq: number, overrides: Partial<Incident> = {}): Incident {
  const at = new Date(DECLARED_AT + seq * 1000).toISOString();
  return {
    id: `INC-${seq}`,
    seq,
    title: `Support agent issued refunds without approval (${seq})`,
    description: 'The helpdesk agent refunded orders outside its policy and emailed customers about it.',
    severity: (['sev1', 'sev2', 'sev3', 'sev4'] as const)[seq % 4]!,
    status: 'investigating',
    drill: false,
    channelId: `C${String(seq).padStart(9, '0')}`,
    channelName: `inc-20261101-support-agent-issued-refunds-${seq}`,
    roles: { commander: 'U0ALICE', scribe: 'U0BOB' },
    agent: { name: 'helpdesk-agent', model: 'gpt-4.1', environment: 'production' },
    declaredBy: 'U0ALICE',
    createdAt: at,
    updatedAt: at,
    nextUpdateDueAt: null,
    version: 0,
    ...overrides,
  };
}

function event(incident: Incident, kind: TimelineEvent['kind'], text: string, data = {}): TimelineEvent {
  return { incidentId: incident.id, at: incident.updatedAt, actor: 'U0ALICE', kind, text, data };
}

/** A declared incident with a channel and a few updates, as a real one has. */
export async function declareSeeded(store: IncidentStore, seq: number, updates = 6): Promise<Incident> {
  const incident = incidentAt(seq);
  await store.create(incident, event(incident, 'declared', `declared ${incident.id}: ${incident.title}`));
  await store.linkChannel(incident.channelId!, incident.id);
  for (let i = 0; i < updates; i++)
    await store.appendTimeline(
      event(
        incident,
        'update',
        `Impact: ${40 + i} refunds issued; the agent is paused; next update in 30 minutes.`,
        {
          impact: `${40 + i} refunds`,
          nextUpdateAt: incident.createdAt,
        },
      ),
    );
  return incident;
}

/** Resolves it and records its archived bundle (the `evidence_archived` event the archive writes). */
export async function resolveAndArchive(store: IncidentStore, id: string, at: Date): Promise<void> {
  const resolvedAt = at.toISOString();
  await store.update(id, (c) => {
    const incident = { ...c, status: 'resolved' as const, resolvedAt, updatedAt: resolvedAt };
    return { incident, event: event(incident, 'status_changed', 'status: resolved', { to: 'resolved' }) };
  });
  const archivedAt = new Date(at.getTime() + 60_000).toISOString();
  await store.update(id, (c) => {
    const incident = { ...c, updatedAt: archivedAt };
    return {
      incident,
      event: {
        ...event(incident, 'evidence_archived', `archived the evidence as bundle v1 at /evidence/${id}/v1`, {
          location: `/evidence/${id}/v1`,
          storage: 'local',
          version: 1,
          manifestSha256: 'a'.repeat(64),
        }),
        at: archivedAt,
      },
    };
  });
}

/** The newest evidence_archived event as a verified bundle (bundle re-hashing is tested with real bundles elsewhere). */
export async function bundleFromTimeline(store: IncidentStore, id: string): Promise<BundleCheck | undefined> {
  const archived = (await store.timelineOfKinds(id, ['evidence_archived'])).at(-1);
  if (!archived) return undefined;
  const data = archived.data as {
    location: string;
    version: number;
    storage: string;
    manifestSha256: string;
  };
  return { ok: true, problems: [], ...data, archivedAt: archived.at };
}
