import { QuellError } from '../errors.js';
import type { Incident } from '../incidents/model.js';
import { RulePermissions } from '../incidents/permissions.js';
import { ActionTools } from './actions.js';
import { ContainmentAuditLog } from './audit-log.js';
import { ContainmentAuthorizer } from './authorization.js';
import type { ContainmentKit, ContainmentServiceDeps, RunRequest } from './kit.js';
import type { AuditEntry, ContainmentRun } from './model.js';
import type { Catalog, ExecutionReport } from './presenter.js';
import { execute } from './progress.js';
import type { ContainmentRegistry } from './registry.js';
import * as requests from './requests.js';
import { runUndo } from './undo.js';

export { ContainmentRefusedError } from './errors.js';
export type { ContainmentServiceDeps, RunRequest } from './kit.js';

/**
 * Containment, outside the model: authorize → confirm → execute → verify → audit, and undo.
 * Every attempt, refusal, verification and undo is appended to the containment audit and recorded
 * on the incident timeline (kinds `containment_*`). In a drill every adapter runs dry.
 *
 * This class is the one door (listeners and other features call it); the work lives beside it:
 * requests.ts (catalog, checks, confirmations), authorization.ts, progress.ts (running a confirmed
 * request), runner.ts (one step), phase.ts (execute/undo/verify against a target), undo.ts,
 * audit-log.ts, actions.ts (per-action helpers), errors.ts.
 */
export class ContainmentService {
  private readonly kit: ContainmentKit;

  constructor(deps: ContainmentServiceDeps) {
    const permissions = deps.permissions ?? new RulePermissions(deps);
    const audit = new ContainmentAuditLog(deps);
    const actions = new ActionTools(deps);
    const authorizer = new ContainmentAuthorizer({ ...deps, permissions, audit, actions });
    this.kit = { deps, audit, actions, authorizer };
  }

  get registry(): ContainmentRegistry {
    return this.kit.deps.registry;
  }

  /** What `/contain` lists: every action with what it does, and every playbook. */
  catalog(): Catalog {
    return requests.catalog(this.kit);
  }

  /**
   * Checks the request and who asks, and returns the confirmation to show them. Nothing runs until
   * the confirmation is pressed. Refusals are recorded, then thrown as ContainmentRefusedError.
   */
  requestRun(request: RunRequest) {
    return requests.requestRun(this.kit, request);
  }

  /** `/contain undo <run-id>`: undoing lifts a control, so it is authorized and confirmed too. */
  requestUndo(incident: Incident, user: string, runId: string) {
    return requests.requestUndo(this.kit, incident, user, runId);
  }

  /** The Retry button of a failed step: the same action and arguments, confirmed again. */
  requestRetry(incidentId: string, runId: string, user: string) {
    return requests.requestRetry(this.kit, incidentId, runId, user);
  }

  cancel(token: string, user: string): Promise<void> {
    return requests.cancel(this.kit, token, user);
  }

  /**
   * The confirmation button: takes the pending request once, authorizes again (roles may have
   * changed), posts a progress message in the incident channel and runs. Returns the final report.
   */
  async confirm(token: string, user: string): Promise<ExecutionReport> {
    const { store, incidentStore } = this.kit.deps;
    const pending = await store.takeConfirmation(token);
    if (!pending)
      throw new QuellError(
        'confirmation_expired',
        'This confirmation was already used, cancelled or has expired. Run the command again if it is still needed.',
      );
    const incident = await incidentStore.require(pending.incidentId);
    if (pending.kind === 'undo') return runUndo(this.kit, incident, pending, user);
    const confirmed = { ...pending, kind: pending.kind };
    const { scope, kind, title, steps } = await requests.prepareConfirmed(
      this.kit,
      incident,
      confirmed,
      user,
    );
    return execute(this.kit, scope, kind, title, steps);
  }

  /** Controls in force: executed, not dry, not undone. */
  async status(incidentId: string): Promise<ContainmentRun[]> {
    const runs = await this.kit.deps.store.runs(incidentId);
    return runs.filter((run) => run.status === 'in_force' || run.status === 'undo_failed');
  }

  async runs(incidentId: string): Promise<ContainmentRun[]> {
    return this.kit.deps.store.runs(incidentId);
  }

  /**
   * The containment audit of an incident, oldest first: every refusal, dry run, execution,
   * verification, undo and cancellation, with requests already stripped of secrets. Append-only.
   */
  audit(incidentId: string): Promise<AuditEntry[]> {
    return this.kit.deps.store.audit(incidentId);
  }

  statusMessage(incidentId: string, runs: ContainmentRun[]) {
    return this.kit.deps.views.status(incidentId, runs);
  }

  catalogMessage() {
    return this.kit.deps.views.catalog(this.catalog());
  }
}
