/**
 * Notification clocks: obligation types from config (shipped: EU AI Act Art. 73, GDPR Art. 33),
 * per-incident obligations with awareness time and deadline, reports, waivers, reminders, the
 * missed-deadline escalation and proposals. services.ts builds the service, subscribes
 * `onIncidentChange` and registers `jobTypes`.
 */
export { type ObligationsConfig, obligationsConfigSchema, SHIPPED_OBLIGATION_TYPES } from './config.js';
export { awaitsReport, describeOutcome, isOutstanding, type Obligation } from './model.js';
export type { ObligationPresenter, ObligationType } from './presenter.js';
export {
  MIN_WAIVER_REASON,
  type ObligationOutcome,
  ObligationService,
  type ObligationServiceDeps,
} from './service.js';
