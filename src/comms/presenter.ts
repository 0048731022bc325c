import type { ChatMessage } from '../chat/port.js';
import type { Incident } from '../incidents/model.js';
import type { Approvers } from './config.js';
import type { ApprovedMessage, CommsDraft, CommsLogEntry } from './model.js';

/** Where an approved message goes, resolved for one incident. */
export type ResolvedDestination = { kind: 'channel'; channel: string } | { kind: 'none' };

export interface DraftView {
  incident: Incident;
  draft: CommsDraft;
  destination: ResolvedDestination;
  approvers: Approvers;
  /** The approval or rejection and, after an approval, what publishing did. */
  decision?: Extract<CommsLogEntry, { kind: 'approved' | 'rejected' }>;
  publication?: Extract<CommsLogEntry, { kind: 'published' | 'publish_failed' }>;
}

export interface PublicationView {
  incident: Incident;
  draft: CommsDraft;
  approved: ApprovedMessage;
  /** Set for drills: where it would have gone had this been real. */
  drillInsteadOf?: ResolvedDestination;
}

export interface TalkingPoints {
  incident: Incident;
  approved?: ApprovedMessage;
  /** When the approved text said more would be shared (ISO), if it promised a time. */
  shareMoreBy?: string;
  /** Why the approved text may be out of date: its "share more by" passed, or a newer update exists. */
  stale?: { reasons: ('newer-update' | 'share-more-by-passed')[]; newerUpdateAt?: string };
}

/** How comms state becomes chat messages; implemented by the Block Kit builders in src/slack/blocks. */
export interface CommsPresenter {
  /** The draft in the incident channel: text, lint findings, and Edit / Approve / Reject while open. */
  draft(view: DraftView): ChatMessage;
  /** The approved text as published to its destination. */
  publication(view: PublicationView): ChatMessage;
}
