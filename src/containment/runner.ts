import { redactDeep, redactor } from '../http/redact.js';
import { crashPoint } from '../jobs/crash-points.js';
import { metrics } from '../ops/metrics.js';
import { timelineData } from './audit-log.js';
import { type PriorState, priorOf } from './contract.js';
import { type ContainmentKit, type RunScope, type StepInput, seconds } from './kit.js';
import type { AuditEntry, ContainmentRun } from './model.js';
import { phaseEntry, runPhase, VERIFY_LABEL, verifyRun } from './phase.js';
import type { StepReport } from './presenter.js';

/**
 * Runs one step of a confirmed request: plan, then (dry run) record what would be sent, or execute
 * and verify, recording each in the audit and one event on the timeline. A target that times out
 * or fails comes back from the HTTP core (http.ts: per-attempt timeout, bounded retries) as a
 * TargetError and ends here as a failed step; nothing is thrown to the caller.
 */
export async function runStep(
  kit: ContainmentKit,
  scope: RunScope,
  input: StepInput,
  runId: string,
): Promise<StepReport> {
  const started = Date.now();
  const report = await executeStep(kit, scope, input, runId);
  // outcome: failed, dry_run, or how verify went (quell_containment_runs_total)
  metrics.containmentRun(
    input.action.adapter.id,
    report.verify?.outcome ?? report.state,
    Date.now() - started,
  );
  return report;
}

async function executeStep(
  kit: ContainmentKit,
  scope: RunScope,
  { action, args, retryOf }: StepInput,
  runId: string,
): Promise<StepReport> {
  const { clock } = kit.deps;
  const { incident } = scope;
  const redact = redactor(action.secrets);
  const ctx = kit.actions.planContext(action, args, incident.id, runId);
  const target = kit.actions.describe(action, args, incident.id);
  const base: StepReport = {
    action: action.name,
    target,
    runId,
    state: 'running',
    irreversible: action.irreversible,
    undoable: action.undoable,
  };
  const run: ContainmentRun = {
    id: runId,
    incidentId: incident.id,
    action: action.name,
    adapter: action.adapter.id,
    target,
    playbook: scope.playbook,
    args: redactDeep(args, redact),
    requestedBy: scope.requestedBy,
    confirmedBy: scope.confirmedBy,
    startedAt: clock.now().toISOString(),
    dryRun: scope.dryRun,
    irreversible: action.irreversible,
    undoable: action.undoable,
    status: scope.dryRun ? 'dry_run' : 'running',
    requests: [],
    state: {},
    retryOf,
  };
  const common = {
    incidentId: incident.id,
    actor: scope.confirmedBy,
    action: action.name,
    adapter: action.adapter.id,
    target,
    runId,
    playbook: scope.playbook,
    dryRun: scope.dryRun,
    args: run.args,
  };

  // a resumed run (its job re-ran after a crash) finds what the crashed run recorded of this step
  const earlier = await kit.deps.store.run(incident.id, runId);
  if (earlier && earlier.status !== 'running')
    return finishRecorded(kit, scope, action, ctx, earlier, common, base);
  const resumed = earlier !== undefined;

  let planned: ReturnType<typeof action.adapter.plan>;
  try {
    planned = redactDeep(action.adapter.plan('execute', ctx), redact);
  } catch (error) {
    const message = redact((error as Error).message);
    run.status = 'failed';
    run.execute = {
      outcome: 'failed',
      detail: 'could not plan the request',
      error: message,
      durationMs: 0,
      at: clock.now().toISOString(),
      by: scope.confirmedBy,
    };
    await kit.audit.record(
      {
        ...common,
        at: run.execute.at,
        event: 'executed',
        outcome: 'failed',
        requests: [],
        error: message,
        durationMs: 0,
      },
      `containment ${action.name} (${runId}) failed before sending: ${message}`,
      run,
    );
    return { ...base, state: 'failed', error: message, durationMs: 0 };
  }
  run.requests = planned;

  if (scope.dryRun) {
    const verifyPlan = redactDeep(action.adapter.plan('verify', ctx), redact);
    await kit.audit.record(
      {
        ...common,
        at: clock.now().toISOString(),
        event: 'dry_run',
        outcome: 'dry_run',
        requests: [...planned, ...verifyPlan],
        detail: 'nothing sent',
      },
      `dry run of ${action.name} (${runId}): would send ${planned.map((r) => `${r.method} ${r.url}`).join(', ')}`,
      run,
    );
    return {
      ...base,
      state: 'dry_run',
      durationMs: 0,
      wouldSend: planned.map(({ method, url, body }) => ({ method, url, body })),
    };
  }

  const runCtx = kit.actions.runContext(action, ctx);
  // the intent is in the audit (and the run in the store: /contain status, undo) before the first
  // request goes out, so a run that reached its target is always on record
  if (!resumed)
    await kit.audit.record(
      {
        ...common,
        at: clock.now().toISOString(),
        event: 'started',
        outcome: 'started',
        requests: planned,
        detail: 'sending to the target',
      },
      null,
      run,
    );
  crashPoint('contain.started');
  const executed = await runPhase(
    () => action.adapter.execute(runCtx),
    runCtx.http,
    redact,
    'the target did not accept the request',
    () => clock.now().toISOString(),
    scope.confirmedBy,
  );
  crashPoint('contain.target');
  run.execute = executed.result;
  if (executed.outcome) {
    run.state = redactDeep(executed.outcome.state ?? {}, redact);
    // re-sent after a crash: what it read as "before" may be the control itself, so undo must not trust it
    if (resumed) run.state = { ...run.state, prior: resumedPrior(run.state) };
    run.status = 'in_force';
  } else run.status = 'failed';
  const executedEntry = phaseEntry(common, 'executed', run.execute, planned);
  if (run.execute.outcome === 'failed') {
    await kit.audit.record(
      executedEntry,
      `containment ${action.name} (${runId}) failed: ${run.execute.error} (${seconds(run.execute.durationMs)})`,
      run,
    );
    return { ...base, state: 'failed', error: run.execute.error, durationMs: run.execute.durationMs };
  }
  // the timeline gets one event per run, once verified; the audit gets each step as it happens
  await kit.audit.record(executedEntry, null, run);
  crashPoint('contain.executed');
  const verify = await verifyRun(kit, action, runCtx, run, 'execute', common);
  crashPoint('contain.verified');
  await kit.audit.recordTimeline(
    incident.id,
    scope.confirmedBy,
    'containment_executed',
    `ran containment ${action.name} (${runId}): ${run.execute.detail}, ${VERIFY_LABEL[verify.outcome]} (${verify.error ?? verify.observed}) — ${target} (${seconds(run.execute.durationMs + verify.durationMs)})`,
    timelineData(executedEntry, verify),
  );
  return {
    ...base,
    state: 'ok',
    detail: run.execute.detail,
    verify: {
      outcome: verify.outcome,
      observed: verify.error ?? verify.observed,
      ...(verify.effectiveBy ? { effectiveBy: verify.effectiveBy } : {}),
      ...(verify.inFlight ? { inFlight: verify.inFlight } : {}),
    },
    durationMs: run.execute.durationMs + verify.durationMs,
  };
}

/** What a resumed execute read as the prior state, marked as not trustworthy for undo. */
function resumedPrior(state: Record<string, unknown>): PriorState {
  const read = priorOf(state);
  return {
    known: false,
    summary: `not recorded: the run was resumed after a crash${read ? ` (read on resume: ${read.summary})` : ''}`,
  };
}

/**
 * A step the crashed run had finished recording: its report from the record, and the timeline
 * event when the crash came before it (verifying first if that was not recorded either).
 */
async function finishRecorded(
  kit: ContainmentKit,
  scope: RunScope,
  action: StepInput['action'],
  ctx: ReturnType<ContainmentKit['actions']['planContext']>,
  run: ContainmentRun,
  common: Omit<AuditEntry, 'seq' | 'at' | 'event' | 'outcome' | 'requests'>,
  base: StepReport,
): Promise<StepReport> {
  const timeline = await kit.deps.incidents.timeline(run.incidentId);
  const onTimeline = timeline.some((e) => e.data.runId === run.id && e.kind !== 'containment_started');
  const execute = run.execute;
  if (run.status === 'in_force' && execute?.outcome === 'ok') {
    const runCtx = kit.actions.runContext(action, ctx);
    const verify = run.verify ?? (await verifyRun(kit, action, runCtx, run, 'execute', common));
    if (!onTimeline)
      await kit.audit.recordTimeline(
        run.incidentId,
        scope.confirmedBy,
        'containment_executed',
        `ran containment ${run.action} (${run.id}): ${execute.detail}, ${VERIFY_LABEL[verify.outcome]} (${verify.error ?? verify.observed}) — ${run.target} (${seconds(execute.durationMs + verify.durationMs)})`,
        timelineData(phaseEntry(common, 'executed', execute, run.requests), verify),
      );
    return {
      ...base,
      state: 'ok',
      detail: execute.detail,
      verify: { outcome: verify.outcome, observed: verify.error ?? verify.observed },
      durationMs: execute.durationMs + verify.durationMs,
    };
  }
  if (run.status === 'dry_run')
    return {
      ...base,
      state: 'dry_run',
      durationMs: 0,
      wouldSend: run.requests.map(({ method, url, body }) => ({ method, url, body })),
    };
  const error = execute?.error ?? 'failed';
  if (!onTimeline && execute)
    await kit.audit.recordTimeline(
      run.incidentId,
      scope.confirmedBy,
      'containment_executed',
      `containment ${run.action} (${run.id}) failed: ${error} (${seconds(execute.durationMs)})`,
      timelineData(phaseEntry(common, 'executed', execute, run.requests)),
    );
  return { ...base, state: 'failed', error, durationMs: execute?.durationMs ?? 0 };
}
