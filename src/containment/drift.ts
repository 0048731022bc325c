import { QuellError, UsageError } from '../errors.js';
import { redactDeep, redactor } from '../http/redact.js';
import { TargetError } from '../http/target-error.js';
import { isActive } from '../incidents/model.js';
import type { RunContext, VerifyOutcome } from './contract.js';
import { bestEffort, type ContainmentKit, seconds } from './kit.js';
import type { AuditEntry, ContainmentRun } from './model.js';
import { phaseEntry, runAuditFields, runPhase, VERIFY_LABEL, verifyRun } from './phase.js';
import type { ExecutionReport, StepReport } from './presenter.js';
import type { ResolvedAction } from './registry.js';
import { CONFIRMATION_TTL_SECONDS } from './store.js';

/**
 * Controls stay verified: while the incident is open, every control in force is read back on a
 * schedule (`containment.reverify`, default 5 min, durable jobs: drift-job.ts), and once more when a
 * verify said "effective by <time>" (caches). A control that stopped holding (a flag turned back
 * on, a GitOps sync restoring replicas, a key unblocked) is drift: it goes to the audit and the
 * timeline, the channel gets an alert with a one-click Re-apply, and `/contain status` and the
 * restart gate (`controls()`) show it until it holds again.
 */

/** What the restart gate and `/contain status` read: each control in force and whether it holds. */
export interface ControlState {
  runId: string;
  action: string;
  target: string;
  playbook?: { name: string; id: string };
  /** Held at the last read-back (the execute's verify, or the latest scheduled re-verification). */
  verified: boolean;
  /** Set while the control has drifted (ISO instant it was first seen). */
  driftSince?: string;
  observed: string;
  checkedAt?: string;
  effectiveBy?: string;
}

export function controlStates(runs: ContainmentRun[]): ControlState[] {
  return runs
    .filter((run) => run.status === 'in_force' && !run.dryRun)
    .map((run) => {
      const last = run.check ?? run.verify;
      return {
        runId: run.id,
        action: run.action,
        target: run.target,
        ...(run.playbook ? { playbook: run.playbook } : {}),
        verified: last?.outcome === 'verified' && !run.check?.driftSince,
        ...(run.check?.driftSince ? { driftSince: run.check.driftSince } : {}),
        observed: last?.observed ?? 'not verified yet',
        ...(last?.at ? { checkedAt: last.at } : {}),
        ...(run.verify?.effectiveBy ? { effectiveBy: run.verify.effectiveBy } : {}),
      };
    });
}

/** The next instant on the re-verify grid: every run of an incident lands on the same job id. */
export function nextSlot(now: Date, everyMs: number): Date {
  return new Date((Math.floor(now.getTime() / everyMs) + 1) * everyMs);
}

export class DriftWatch {
  constructor(private readonly kit: ContainmentKit) {}

  private get everyMs(): number {
    return this.kit.deps.registry.reverifyEveryMs;
  }

  /** After a run: the next scheduled check, and one at each "effective by" a verify announced. */
  async afterRun(incidentId: string, report: ExecutionReport): Promise<void> {
    const schedule = this.kit.deps.drift;
    if (!schedule) return;
    const steps = report.groups.flat().filter((s) => s.state === 'ok');
    if (!steps.length) return;
    await schedule.checkAt(incidentId, nextSlot(this.kit.deps.clock.now(), this.everyMs));
    for (const step of steps)
      if (step.verify?.effectiveBy) await schedule.checkAt(incidentId, new Date(step.verify.effectiveBy));
  }

  /**
   * One re-verification of every control in force (the job's work). Returns the controls' states,
   * and schedules the next check while the incident is open and something is in force.
   */
  async check(incidentId: string): Promise<ControlState[]> {
    const { store, incidentStore, clock, drift } = this.kit.deps;
    const incident = await incidentStore.get(incidentId);
    if (!incident || !isActive(incident)) return [];
    const inForce = (await store.runs(incidentId)).filter((r) => r.status === 'in_force' && !r.dryRun);
    // the next check first: a failure below must not end the chain
    if (drift && inForce.length) await drift.checkAt(incidentId, nextSlot(clock.now(), this.everyMs));
    // in parallel: one slow read-back (a bounded pod wait) does not delay the others
    await Promise.all(
      inForce.map(async (run) => {
        const action = this.kit.deps.registry.action(run.action);
        if (action) await this.recheck(run, action);
      }),
    );
    return controlStates(await store.runs(incidentId));
  }

  private async recheck(run: ContainmentRun, action: ResolvedAction): Promise<void> {
    const { clock } = this.kit.deps;
    const redact = redactor(action.secrets);
    const ctx = this.runContext(action, run);
    const started = performance.now();
    let outcome: VerifyOutcome | undefined;
    let error: string | undefined;
    let status: number | undefined;
    try {
      outcome = await action.adapter.verify(ctx, run.state, 'execute');
      status = outcome.status;
    } catch (e) {
      error = redact((e as Error).message);
      status = e instanceof TargetError ? e.details.status : undefined;
    }
    const at = clock.now().toISOString();
    const result = outcome ? (outcome.verified ? 'verified' : 'not_verified') : 'failed';
    const observed = outcome ? redact(outcome.observed) : `could not read the target back: ${error}`;
    const wasDrifting = run.check?.driftSince;
    // a target that cannot be read is not drift (yet): it is shown, and the next check tries again
    // a change still awaiting a person's approval at the vendor is not drift (approval-watch.ts)
    const drifting = outcome?.awaitingApproval
      ? undefined
      : result === 'not_verified'
        ? (wasDrifting ?? at)
        : result === 'failed'
          ? wasDrifting
          : undefined;
    // the alert's Re-apply expires with its token: a drift that outlives it gets a fresh alert
    const lastAlert = run.check?.alertedAt;
    const realert =
      drifting !== undefined &&
      wasDrifting !== undefined &&
      (!lastAlert || Date.parse(at) - Date.parse(lastAlert) >= CONFIRMATION_TTL_SECONDS * 1000);
    const alertedAt = drifting && (!wasDrifting || realert) ? at : drifting ? lastAlert : undefined;
    run.check = {
      at,
      outcome: result,
      observed,
      ...(drifting ? { driftSince: drifting } : {}),
      ...(alertedAt ? { alertedAt } : {}),
    };
    const entry = {
      ...runAuditFields(run, action, 'quell'),
      at,
      event: (drifting && !wasDrifting ? 'drift' : 'verified') as AuditEntry['event'],
      outcome: result,
      requests: redactDeep(action.adapter.plan('verify', ctx, run.state), redact),
      responseStatus: status,
      durationMs: Math.round(performance.now() - started),
      detail: `scheduled re-verify: ${observed}`,
      error,
    };
    if (drifting && !wasDrifting) {
      await this.kit.audit.record(
        entry,
        `containment ${run.action} (${run.id}) no longer holds: ${observed} — ${run.target}`,
        run,
      );
      await this.alert(run, observed, at);
    } else if (realert) {
      await this.kit.audit.record(entry, null, run);
      await this.alert(run, observed, drifting!);
    } else if (wasDrifting && !drifting) {
      await this.kit.audit.record(
        entry,
        `containment ${run.action} (${run.id}) holds again: ${observed}`,
        run,
      );
    } else await this.kit.audit.record(entry, null, run);
  }

  /** Posts the drift alert with a Re-apply button whose token works once (two clicks: one re-apply). */
  private async alert(run: ContainmentRun, observed: string, since: string): Promise<void> {
    const { store, incidentStore, chat, views, logger, clock } = this.kit.deps;
    const incident = await incidentStore.get(run.incidentId);
    if (!incident?.channelId) return;
    const channel = incident.channelId;
    const pending = await store.createConfirmation({
      incidentId: run.incidentId,
      requestedBy: 'quell',
      kind: 'reapply',
      name: run.id,
      args: {},
      dryRun: false,
      createdAt: clock.now().toISOString(),
    });
    await bestEffort(logger, 'post containment drift alert', () =>
      chat.postMessage(
        channel,
        views.drift({
          incidentId: run.incidentId,
          runId: run.id,
          action: run.action,
          target: run.target,
          observed,
          since,
          token: pending.token,
          ...(run.playbook ? { playbook: run.playbook } : {}),
        }),
      ),
    );
  }

  /**
   * The Re-apply button: executes the control again on the same target, keeping the prior state
   * recorded before the first execute (undo must restore what was there before the incident, not
   * the drifted state), then verifies and reports in the channel.
   */
  async reapply(token: string, user: string): Promise<ExecutionReport> {
    const { store, incidentStore, clock, chat, views, logger } = this.kit.deps;
    const used = () =>
      new QuellError(
        'reapply_taken',
        'This Re-apply was already used or has expired. `/contain status` shows whether the control holds now.',
      );
    // read first: someone who may not re-apply must not use up the button for those who may
    const pending = await store.peekConfirmation(token);
    if (pending?.kind !== 'reapply') throw used();
    const incident = await incidentStore.require(pending.incidentId);
    const found = await store.run(incident.id, pending.name);
    if (found?.status !== 'in_force')
      throw new UsageError(
        `${pending.name} is no longer in force (undone or replaced); nothing to re-apply.`,
      );
    const action = this.kit.actions.require(found.action);
    await this.kit.authorizer.authorize(incident, user, [action], `re-apply ${found.id}`);
    // taken once: of two clicks at once, one re-applies
    if (!(await store.takeConfirmation(token))) throw used();
    const run = (await store.run(incident.id, pending.name)) ?? found;
    const redact = redactor(action.secrets);
    const ctx = this.runContext(action, run);
    const common = runAuditFields(run, action, user);
    const planned = redactDeep(action.adapter.plan('execute', ctx, run.state), redact);
    const applied = await runPhase(
      () => action.adapter.execute(ctx),
      ctx.http,
      redact,
      'the target did not accept the re-apply',
      () => clock.now().toISOString(),
      user,
    );
    if (applied.outcome)
      run.state = { ...redactDeep(applied.outcome.state ?? {}, redact), prior: run.state.prior };
    const entry = { ...phaseEntry(common, 'executed', applied.result, planned), event: 'reapplied' as const };
    let step: StepReport = {
      action: run.action,
      target: `Re-apply: ${run.target}`,
      runId: run.id,
      state: applied.outcome ? 'ok' : 'failed',
      detail: applied.result.detail,
      error: applied.result.error,
      durationMs: applied.result.durationMs,
      irreversible: run.irreversible,
      undoable: run.undoable,
    };
    if (!applied.outcome) {
      await this.kit.audit.record(
        entry,
        `re-apply of ${run.action} (${run.id}) failed: ${applied.result.error}`,
        run,
      );
    } else {
      await this.kit.audit.record(entry, null, run);
      const verify = await verifyRun(
        this.kit,
        action,
        { ...ctx, http: this.kit.actions.httpClient(action) },
        run,
        'execute',
        common,
      );
      run.check = {
        at: verify.at,
        outcome: verify.outcome,
        observed: verify.error ?? verify.observed,
        ...(verify.outcome === 'verified'
          ? {}
          : run.check?.driftSince
            ? { driftSince: run.check.driftSince }
            : {}),
      };
      await this.kit.audit.record(
        {
          ...entry,
          event: 'reapplied',
          outcome: verify.outcome,
          detail: `after re-apply: ${verify.observed}`,
          requests: [],
        },
        `re-applied containment ${run.action} (${run.id}): ${applied.result.detail}, ${VERIFY_LABEL[verify.outcome]} (${verify.error ?? verify.observed}) (${seconds(applied.result.durationMs + verify.durationMs)})`,
        run,
      );
      step = {
        ...step,
        verify: { outcome: verify.outcome, observed: verify.error ?? verify.observed },
        durationMs: applied.result.durationMs + verify.durationMs,
      };
    }
    const report: ExecutionReport = {
      incidentId: incident.id,
      kind: 'reapply',
      title: `Re-apply ${run.action} (${run.id})`,
      by: user,
      dryRun: false,
      drill: incident.drill,
      groups: [[step]],
      finished: true,
      durationMs: step.durationMs ?? 0,
    };
    if (incident.channelId) {
      const channel = incident.channelId;
      await bestEffort(logger, 'post re-apply result', () => chat.postMessage(channel, views.report(report)));
    }
    return report;
  }

  private runContext(action: ResolvedAction, run: ContainmentRun): RunContext<unknown, unknown> {
    const { actions } = this.kit;
    return actions.runContext(action, actions.planContext(action, run.args, run.incidentId, run.id));
  }
}
