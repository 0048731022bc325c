import type { ChatMessage } from '../chat/port.js';
import type { Incident } from '../incidents/model.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import type { ObligationTypeConfig } from './config.js';
import type { Obligation } from './model.js';

/** A type as people choose it: its id and config. */
export interface ObligationType extends ObligationTypeConfig {
  id: string;
}

/** How obligations become chat messages; implemented by src/slack/blocks/obligations.ts. */
export interface ObligationPresenter {
  /** The in-channel notice of an add, report or waiver (the event says which). */
  changed(incident: Incident, obligation: Obligation, event: TimelineEvent): ChatMessage;
  /** "This incident may start a notification clock": how to add it. */
  proposal(incident: Incident, type: ObligationType, marker: string): ChatMessage;
  reminder(
    incident: Incident,
    obligation: Obligation,
    type: ObligationType | undefined,
    marker: string,
  ): ChatMessage;
  /** The deadline passed with nothing submitted: commander and targets are mentioned. */
  overdue(
    incident: Incident,
    obligation: Obligation,
    targets: { users: readonly string[]; usergroups: readonly string[] },
    marker: string,
  ): ChatMessage;
  /** `/incident obligations`: every obligation of the incident and the types that can be added. */
  list(incident: Incident, types: readonly ObligationType[]): ChatMessage;
}
