import type { TimelineEvent } from '../incidents/timeline.js';

/**
 * Where the bundle's containment audit and comms versions come from. The containment runner and the
 * comms service provide their own; until they are wired, both are read from the timeline, where
 * every containment attempt (`containment_*`) and comms change (`comms_*`) is recorded anyway.
 */
export interface EvidenceSources {
  /** Every containment attempt, in order: action, adapter, outcome, dry run, who, when. */
  containmentAudit(incidentId: string): Promise<readonly unknown[]>;
  /** Every comms version with its approvals, in order. */
  commsHistory(incidentId: string): Promise<readonly unknown[]>;
}

export function timelineEvidenceSources(
  timeline: (incidentId: string) => Promise<TimelineEvent[]>,
): EvidenceSources {
  const ofKind = (prefix: string) => async (incidentId: string) =>
    (await timeline(incidentId)).filter((event) => event.kind.startsWith(prefix));
  return { containmentAudit: ofKind('containment_'), commsHistory: ofKind('comms_') };
}
