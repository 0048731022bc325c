import type { TimelineEvent } from '../incidents/timeline.js';
import type { EvidenceSink } from './bundle-writer.js';

/**
 * Where the bundle's containment audit and comms versions come from. services.ts passes the
 * containment and comms services' own records (`evidenceSourcesFrom`) over the timeline fallback
 * (`timelineEvidenceSources`), where every containment attempt and comms change is recorded anyway.
 */
export interface EvidenceSources {
  /** Every containment attempt, in order: action, adapter, outcome, dry run, who, when. */
  containmentAudit(incidentId: string): Promise<readonly unknown[]>;
  /** Every comms version with its approvals, in order. */
  commsHistory(incidentId: string): Promise<readonly unknown[]>;
  /** The rollback inventory (what the agent changed, and how each was reversed or why not). */
  rollbackInventory?(incidentId: string): Promise<readonly unknown[]>;
  /** Notification obligations: what was due to whom by when, and what was submitted when, by whom, with which reference. */
  obligations?(incidentId: string): Promise<readonly unknown[]>;
  /** Forensic collectors' runs and the agent timeline, written through the sink (src/forensics). */
  forensics?(incidentId: string, sink: EvidenceSink): Promise<void>;
}

export function timelineEvidenceSources(
  timeline: (incidentId: string) => Promise<TimelineEvent[]>,
): EvidenceSources {
  const ofKind = (prefix: string) => async (incidentId: string) =>
    (await timeline(incidentId)).filter((event) => event.kind.startsWith(prefix));
  return { containmentAudit: ofKind('containment_'), commsHistory: ofKind('comms_') };
}

/** The containment runner's append-only audit list (issue 5). */
export interface ContainmentAuditSource {
  audit(incidentId: string): Promise<readonly unknown[]>;
}

/** The comms service's drafts (every version) and its approval/publication log (issue 6). */
export interface CommsHistorySource {
  history(incidentId: string): Promise<{ drafts: readonly unknown[]; log: readonly unknown[] }>;
}

/**
 * The real services as evidence sources. Comms come out as one record per line: every draft with all
 * its versions (`record: 'draft'`), then every override, approval, rejection and publication in order
 * (`record: 'log'`).
 */
export function evidenceSourcesFrom(services: {
  containment?: ContainmentAuditSource;
  comms?: CommsHistorySource;
}): Partial<EvidenceSources> {
  const { containment, comms } = services;
  return {
    ...(containment ? { containmentAudit: (incidentId: string) => containment.audit(incidentId) } : {}),
    ...(comms
      ? {
          commsHistory: async (incidentId: string) => {
            const { drafts, log } = await comms.history(incidentId);
            return [
              ...drafts.map((draft) => ({ record: 'draft', ...(draft as object) })),
              ...log.map((entry) => ({ record: 'log', ...(entry as object) })),
            ];
          },
        }
      : {}),
  };
}
