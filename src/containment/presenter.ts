import type { ChatMessage } from '../chat/port.js';
import type { ContainmentRun } from './model.js';

/** What the containment service shows people; Block Kit lives in src/slack/blocks/containment.ts. */
export interface CatalogEntry {
  name: string;
  description: string;
  adapter: string;
  target: string;
  irreversible: boolean;
  undoable: boolean;
}

export interface PlaybookEntry {
  name: string;
  description: string;
  groups: string[][];
  irreversible: boolean;
}

export interface Catalog {
  actions: CatalogEntry[];
  playbooks: PlaybookEntry[];
}

export interface ConfirmationStep {
  action: string;
  target: string;
  irreversible: boolean;
  consequence?: string;
}

export interface ConfirmationView {
  token: string;
  incidentId: string;
  title: string;
  /** Groups in order; the steps of one group run in parallel. */
  groups: ConfirmationStep[][];
  dryRun: boolean;
  drill: boolean;
  kind: 'action' | 'playbook' | 'undo' | 'retry';
}

export type StepState = 'pending' | 'running' | 'ok' | 'failed' | 'dry_run';

export interface StepReport {
  action: string;
  target: string;
  runId?: string;
  state: StepState;
  detail?: string;
  error?: string;
  verify?: {
    outcome: 'verified' | 'not_verified' | 'failed';
    observed: string;
    /** Recorded but true everywhere only by then (caches); verified again at that time. */
    effectiveBy?: string;
    /** Work still running that the control did not stop (yet). */
    inFlight?: string[];
  };
  durationMs?: number;
  /** Dry runs: what would have been sent (redacted). */
  wouldSend?: { method: string; url: string; body?: unknown }[];
  irreversible: boolean;
  undoable: boolean;
}

export interface ExecutionReport {
  incidentId: string;
  kind: 'action' | 'playbook' | 'undo' | 'retry' | 'reapply';
  title: string;
  playbookRunId?: string;
  by: string;
  dryRun: boolean;
  drill: boolean;
  groups: StepReport[][];
  finished: boolean;
  durationMs: number;
}

export interface ContainmentPresenter {
  catalog(catalog: Catalog): ChatMessage;
  confirmation(view: ConfirmationView): ChatMessage;
  /** The channel message that shows a run as it progresses and when it is done. */
  report(report: ExecutionReport): ChatMessage;
  /** Controls in force (and recent runs) for `/contain status`, with their last re-verification. */
  status(incidentId: string, runs: ContainmentRun[]): ChatMessage;
  /** A control in force stopped holding: what was seen, and a one-click re-apply (token). */
  drift(alert: DriftAlert): ChatMessage;
}

export interface DriftAlert {
  incidentId: string;
  runId: string;
  action: string;
  target: string;
  observed: string;
  /** When the drift was first seen (ISO). */
  since: string;
  /** The one-use token the Re-apply button carries. */
  token: string;
  playbook?: { name: string; id: string };
}
