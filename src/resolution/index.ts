import type { CorrectiveActions } from './actions.js';
import type { RollbackInventory } from './inventory-service.js';
import type { ResolutionService } from './service.js';

/**
 * The end of an incident: the restart gate, the postmortem draft and corrective actions (with their
 * overdue reminders, background jobs). services.ts builds both parts and wires them: the
 * resolve key, the postmortem-on-resolve subscription and the overdue-action job types.
 */
export interface Resolution {
  service: ResolutionService;
  actions: CorrectiveActions;
  inventory: RollbackInventory;
}

export { CorrectiveActions } from './actions.js';
export { parseDueDate } from './due-date.js';
export {
  EVALUABLE_ITEM_IDS,
  GATE_ITEM_IDS,
  GATE_ITEM_LABELS,
  type GateItemId,
  type GateItemState,
  type GateState,
} from './gate.js';
export type { ArchivedBundle, EvidenceVerifier } from './gate-record.js';
export {
  AFFECTED_LIMITS,
  AFFECTED_STATES,
  type AffectedInput,
  type AffectedObject,
  type AffectedState,
  affectedProblems,
  describeObject,
  inventoryCounts,
  isSettled,
} from './inventory.js';
export { AffectedInputError, RollbackInventory } from './inventory-service.js';
export { InventoryStore } from './inventory-store.js';
export { actionOverdueJobId } from './jobs.js';
export { loadPostmortemTemplate } from './postmortem-template.js';
export { parseReactivationPlan, REACTIVATE_USAGE } from './reactivation.js';
export { ROOT_CAUSE_CATEGORIES, ROOT_CAUSE_LABELS } from './root-cause.js';
export {
  type ChecklistClick,
  GateBlockedError,
  MIN_OVERRIDE_REASON,
  NotPermittedError,
  ResolutionService,
} from './service.js';
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
