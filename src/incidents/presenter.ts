import type { ChatMessage } from '../chat/port.js';
import type { AnnouncementFollowUp } from './announcements.js';
import type { Incident } from './model.js';
import type { TimelineEvent } from './timeline.js';

/** How incident state becomes chat messages; implemented by the Block Kit builders in src/slack/blocks. */
export interface IncidentPresenter {
  summary(incident: Incident): ChatMessage;
  /** The announcement as it stands now (edited as the incident changes). */
  announcement(incident: Incident): ChatMessage;
  /** A reply in the announcement's thread: what changed. */
  announcementFollowUp(incident: Incident, followUp: AnnouncementFollowUp): ChatMessage;
  /** Told in the public channel an incident left for its private follow-up: whom to ask, not where. */
  movedToPrivate(incident: Incident): ChatMessage;
  /** The in-channel notice of a change, e.g. "<@U1> raised severity SEV2 → SEV1". */
  changeNotice(incident: Incident, event: TimelineEvent): ChatMessage;
  setupFailures(incident: Incident, failures: readonly string[]): ChatMessage;
}
