import type { CorrectiveActions } from './actions.js';
import type { ResolutionService } from './service.js';

/**
 * The end of an incident: the restart gate, the postmortem draft and corrective actions (with their
 * overdue reminders on the reminder queue). services.ts builds both parts and wires them: the
 * resolve key, the postmortem-on-resolve subscription and the overdue-action job.
 */
export interface Resolution {
  service: ResolutionService;
  actions: CorrectiveActions;
}

export { actionOverdueHandler, CorrectiveActions } from './actions.js';
export { parseDueDate } from './due-date.js';
export { GATE_ITEM_IDS, GATE_ITEM_LABELS, type GateItemId } from './gate.js';
export { actionOverdueJob } from './jobs.js';
export { loadPostmortemTemplate } from './postmortem-template.js';
export { parseReactivationPlan, REACTIVATE_USAGE } from './reactivation.js';
export { ROOT_CAUSE_CATEGORIES, ROOT_CAUSE_LABELS } from './root-cause.js';
export { GateBlockedError, MIN_OVERRIDE_REASON, ResolutionService } from './service.js';
export type { CorrectiveAction } from './store.js';
export { ResolutionStore } from './store.js';
export {
  suggestSeverity,
  TRIAGE_ANSWERS,
  TRIAGE_QUESTION_TEXT,
  TRIAGE_QUESTIONS,
  type TriageAnswers,
  type TriageSuggestion,
} from './triage.js';
