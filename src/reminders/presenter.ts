import type { ChatMessage } from '../chat/port.js';
import type { Incident } from '../incidents/model.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import type { PromptFate, PromptReason } from './jobs.js';

/** A structured update: the four things every update answers. */
export interface StructuredUpdate {
  impact: string;
  containment: string;
  /** Facts kept apart from hypotheses. */
  investigation: string;
  /** When the next update will come (ISO), as promised in this one; null when none is due. */
  nextUpdateAt: string | null;
}

export interface PromptFacts {
  incident: Incident;
  /** The due time this prompt is for. */
  dueAt: string;
  /** When the missing update first fell due (earlier than dueAt after a snooze). */
  overdueSince: string;
  reason: PromptReason;
  /** When the clock (re)started, if known. */
  since?: string;
  /** Posted well after its due time because nothing was running then. */
  late: boolean;
  cadenceMs: number | null;
  /** block_id for the prompt's actions: how Quell recognises its own prompt in the channel. */
  marker: string;
}

export interface EscalationFacts {
  incident: Incident;
  dueAt: string;
  overdueSince: string;
  promptedAt: string;
  users: readonly string[];
  usergroups: readonly string[];
  /** Whether this step mentions the commander (default true). */
  commander?: boolean;
  /** The ladder step (0-based, default 0) and how many steps the ladder has (default 1); beyond them, a repeat. */
  step?: number;
  steps?: number;
  marker: string;
}

/** What became of a prompt (or ladder step) whose due time no longer applies. */
export interface SettledFacts {
  incident: Incident;
  fate: PromptFate;
  /** Who answered or snoozed: a Slack user id, or the system actor. */
  actor: string;
  at: string;
  until?: string;
  /** 'prompt' or 'overdue…': which message is edited. */
  kind: string;
}

/** How reminders become chat messages; implemented by the Block Kit builders in src/slack/blocks. */
export interface ReminderPresenter {
  prompt(facts: PromptFacts): ChatMessage;
  escalation(facts: EscalationFacts): ChatMessage;
  /** The structured update as posted in the incident channel. */
  update(incident: Incident, event: TimelineEvent, update: StructuredUpdate): ChatMessage;
  /** The prompt or ladder step, edited in place: no buttons, what happened instead. */
  settled(facts: SettledFacts): ChatMessage;
  /** The in-channel notice that someone snoozed the prompt. */
  snoozed(incident: Incident, event: TimelineEvent): ChatMessage;
}
