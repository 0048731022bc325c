import type { ChatMessage } from '../chat/port.js';
import type { Incident } from '../incidents/model.js';
import type { GateState } from './gate.js';
import type { AffectedObject } from './inventory.js';
import type { RootCauseCategory } from './root-cause.js';
import type { CorrectiveAction } from './store.js';

/** What the restart gate checklist shows. */
export interface GateView {
  incident: Incident;
  state: GateState;
  rootCauseCategory?: RootCauseCategory;
}

/** The messages of the resolution feature; Block Kit lives in src/slack/blocks/resolution.ts. */
export interface ResolutionPresenter {
  gateChecklist(view: GateView): ChatMessage;
  actionOverdue(incident: Incident, action: CorrectiveAction): ChatMessage;
  /** The rollback inventory in the incident channel, edited as entries are recorded. */
  inventorySummary(incident: Incident, objects: readonly AffectedObject[]): ChatMessage;
}
