import type { ChatMessage } from '../chat/port.js';
import type { Incident } from './model.js';
import type { TimelineEvent } from './timeline.js';

/** How incident state becomes chat messages; implemented by the Block Kit builders in src/slack/blocks. */
export interface IncidentPresenter {
  summary(incident: Incident): ChatMessage;
  announcement(incident: Incident): ChatMessage;
  /** The in-channel notice of a change, e.g. "<@U1> raised severity SEV2 → SEV1". */
  changeNotice(incident: Incident, event: TimelineEvent): ChatMessage;
  setupFailures(incident: Incident, failures: readonly string[]): ChatMessage;
}
