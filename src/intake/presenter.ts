import type { ChatMessage } from '../chat/port.js';
import type { Severity } from '../incidents/model.js';

/** What the alert card shows: the alert, how often it fired, and the rule's suggested playbook. */
export interface AlertCardView {
  incidentId: string;
  ruleId: string;
  source: string;
  severity: Severity;
  drill: boolean;
  summary: string;
  /** A few labels, as the sender sent them (shown as plain text, never as mentions or links). */
  labels: Record<string, string>;
  url?: string;
  fires: { count: number; firstAt: Date; lastAt: Date };
  /** When the sender last said it resolved (the incident stays open: people resolve it). */
  resolvedAt?: Date;
  playbook?: SuggestedPlaybook;
}

export interface SuggestedPlaybook {
  name: string;
  description?: string;
  /** In run order; each with whether it may run unattended. */
  actions: { name: string; irreversible: boolean; undoable: boolean }[];
  /** Set when the rule auto-runs: what ran by itself and what waits for a person. */
  autoRun?: { ran: string[]; skipped: string[] };
}

export interface DecisionOverdueView {
  incidentId: string;
  ruleId: string;
  deadlineMs: number;
  commander?: string;
}

/** Implemented by src/slack/blocks/intake.ts. */
export interface IntakePresenter {
  /** The alert's message in the incident channel, edited as repeats come in. */
  alertCard(view: AlertCardView): ChatMessage;
  /** The decision deadline passed and no commander has acted. */
  decisionOverdue(view: DecisionOverdueView): ChatMessage;
}

/** Run-button values: `<incident id>|playbook|<name>` or `<incident id>|action|<name>`. */
export function runButtonValue(incidentId: string, kind: 'playbook' | 'action', name: string): string {
  return `${incidentId}|${kind}|${name}`;
}
