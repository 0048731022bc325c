import { randomUUID } from 'node:crypto';
import { QuellError } from '../errors.js';
import type { Incident } from '../incidents/model.js';
import { RulePermissions } from '../incidents/permissions.js';
import type { JobDefinition } from '../jobs/index.js';
import { ActionTools } from './actions.js';
import { ApprovalWatch, containmentApprovalJob, jobApprovalSchedule } from './approval-watch.js';
import { ContainmentAuditLog } from './audit-log.js';
import { ContainmentAuthorizer } from './authorization.js';
import { ConfirmationUsedError, confirmRun } from './confirmed-run.js';
import { type ControlState, controlStates, DriftWatch } from './drift.js';
import { containmentDriftJob, jobDriftSchedule } from './drift-job.js';
import type { ContainmentKit, ContainmentServiceDeps, RunRequest } from './kit.js';
import type { AuditEntry, ContainmentRun } from './model.js';
import type { Catalog, ExecutionReport } from './presenter.js';
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
  private readonly drift: DriftWatch;
  private readonly approvals: ApprovalWatch;
  /** Job types to register with the job runtime (the scheduled re-verification). */
  readonly jobTypes: JobDefinition[];

  constructor(given: ContainmentServiceDeps) {
    const reverifyJob = containmentDriftJob((incidentId) => this.reverify(incidentId));
    const approvalJob = containmentApprovalJob((incidentId) => this.checkApprovals(incidentId));
    this.jobTypes = [reverifyJob, approvalJob];
    const deps: ContainmentServiceDeps = {
      ...given,
      drift: given.drift ?? (given.jobs ? jobDriftSchedule(given.jobs, () => reverifyJob) : undefined),
    };
    const permissions = deps.permissions ?? new RulePermissions(deps);
    const audit = new ContainmentAuditLog(deps);
    const actions = new ActionTools(deps);
    const authorizer = new ContainmentAuthorizer({ ...deps, permissions, audit, actions });
    const base = { deps, audit, actions, authorizer };
    this.drift = new DriftWatch(base);
    this.approvals = new ApprovalWatch(
      base,
      given.jobs ? jobApprovalSchedule(given.jobs, () => approvalJob) : undefined,
    );
    const followUp = {
      afterRun: async (incidentId: string, report: ExecutionReport) => {
        await this.drift.afterRun(incidentId, report);
        await this.approvals.afterRun(incidentId, report);
      },
    };
    this.kit = { ...base, followUp };
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

  /**
   * A run nobody presses Run for: a rule of the config file (an alert rule's `autoRun`) asks as its
   * automation actor. The same checks as `requestRun`; returns the confirmation's token, which the
   * caller keeps and presses with `confirm(token, user, key)` (again with the same token after a
   * crash, so the recorded run resumes instead of running twice). The caller decides what may run
   * this way (intake: reversible actions only).
   */
  async requestUnattended(request: RunRequest): Promise<string> {
    return (await requests.prepareRun(this.kit, request)).pending.token;
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
  async confirm(token: string, user: string, requestKey: string = randomUUID()): Promise<ExecutionReport> {
    // runs (actions, playbooks, retries) are recorded before the confirmation is consumed and
    // resume after a crash when the same request runs again (confirmed-run.ts)
    const run = await confirmRun(this.kit, token, user, requestKey);
    if (run) return run;
    const { store, incidentStore } = this.kit.deps;
    const pending = await store.takeConfirmation(token);
    if (!pending) throw new ConfirmationUsedError();
    const incident = await incidentStore.require(pending.incidentId);
    if (pending.kind === 'undo') return runUndo(this.kit, incident, pending, user);
    throw new QuellError('confirmation_expired', 'This button belongs to a drift alert; press its Re-apply.');
  }

  /**
   * The drift alert's Re-apply (one click, one use): executes the control again, keeping the prior
   * state recorded before the incident, verifies and reports in the channel.
   */
  reapply(token: string, user: string): Promise<ExecutionReport> {
    return this.drift.reapply(token, user);
  }

  /** One round of the approval watch: pending approval requests read, applied once approved, verified. */
  checkApprovals(incidentId: string): Promise<void> {
    return this.approvals.check(incidentId);
  }

  /** One scheduled re-verification of every control in force (the drift job runs it). */
  reverify(incidentId: string): Promise<ControlState[]> {
    return this.drift.check(incidentId);
  }

  /**
   * Each control in force and whether it holds (verified at the last read-back, drifting since
   * when): what the restart gate reads as "controls in force and verified".
   */
  async controls(incidentId: string): Promise<ControlState[]> {
    return controlStates(await this.kit.deps.store.runs(incidentId));
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
