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
export { actionOverdueJob } from './jobs.js';
export { loadPostmortemTemplate } from './postmortem-template.js';
export { GateBlockedError, ResolutionService } from './service.js';
export { ResolutionStore } from './store.js';
