import { UsageError } from '../errors.js';
import { redactDeep, redactor } from '../http/redact.js';
import type { Incident } from '../incidents/model.js';
import { timelineData } from './audit-log.js';
import { bestEffort, type ContainmentKit, seconds } from './kit.js';
import type { ContainmentRun, PendingConfirmation } from './model.js';
import { phaseEntry, runAuditFields, runPhase, VERIFY_LABEL, verifyRun } from './phase.js';
import type { ExecutionReport, StepReport } from './presenter.js';
import type { ResolvedAction } from './registry.js';

/** Undo: restores the prior state a run recorded, then verifies it, for one run or a whole playbook run. */

/** Runs to undo for `r3` (one) or `p2` (every control in force from that playbook, last first). */
export async function undoableRuns(
  kit: ContainmentKit,
  incidentId: string,
  runId: string,
): Promise<ContainmentRun[]> {
  const usage = '/contain undo <run-id>';
  if (/^p\d+$/.test(runId)) {
    const runs = (await kit.deps.store.runs(incidentId)).filter(
      (r) =>
        r.playbook?.id === runId && (r.status === 'in_force' || r.status === 'undo_failed') && r.undoable,
    );
    if (!runs.length)
      throw new UsageError(`Playbook run ${runId} has no controls in force that can be undone.`, usage);
    return runs.reverse();
  }
  const run = /^r\d+$/.test(runId) ? await kit.deps.store.run(incidentId, runId) : undefined;
  if (!run)
    throw new UsageError(
      `There is no containment run ${runId} in this incident; \`/contain status\` lists them.`,
      usage,
    );
  if (run.dryRun)
    throw new UsageError(`${runId} was a dry run: nothing was changed, so there is nothing to undo.`);
  if (run.status === 'undone') throw new UsageError(`${runId} (${run.action}) was already undone.`);
  if (run.status === 'failed' || run.status === 'running')
    throw new UsageError(`${runId} (${run.action}) did not take effect, so there is nothing to undo.`);
  if (!run.undoable)
    throw new UsageError(
      run.irreversible
        ? `${runId} (${run.action}) is irreversible and cannot be undone; restore the target by hand.`
        : `${run.action} has no undo configured; reverse it by hand.`,
    );
  return [run];
}

export async function runUndo(
  kit: ContainmentKit,
  incident: Incident,
  pending: PendingConfirmation,
  user: string,
): Promise<ExecutionReport> {
  const runs = await undoableRuns(kit, incident.id, pending.name);
  const actions = runs.map((run) => kit.actions.require(run.action));
  await kit.authorizer.authorize(incident, user, actions, `undo ${pending.name}`);
  const started = performance.now();
  const report: ExecutionReport = {
    incidentId: incident.id,
    kind: 'undo',
    title: `Undo ${pending.name}`,
    by: user,
    dryRun: false,
    drill: incident.drill,
    groups: [],
    finished: false,
    durationMs: 0,
  };
  for (const [i, run] of runs.entries())
    report.groups.push([await undoOne(kit, incident, run, actions[i]!, user)]);
  report.finished = true;
  report.durationMs = Math.round(performance.now() - started);
  if (incident.channelId) {
    const channel = incident.channelId;
    await bestEffort(kit.deps.logger, 'post undo result', () =>
      kit.deps.chat.postMessage(channel, kit.deps.views.report(report)),
    );
  }
  return report;
}

async function undoOne(
  kit: ContainmentKit,
  incident: Incident,
  run: ContainmentRun,
  action: ResolvedAction,
  user: string,
): Promise<StepReport> {
  const redact = redactor(action.secrets);
  const ctx = kit.actions.planContext(action, run.args, incident.id, run.id);
  const runCtx = kit.actions.runContext(action, ctx);
  const planned = redactDeep(action.adapter.plan('undo', ctx, run.state), redact);
  const common = runAuditFields(run, action, user);
  const undone = await runPhase(
    () => action.adapter.undo!(runCtx, run.state),
    runCtx.http,
    redact,
    'the target did not accept the undo',
    () => kit.deps.clock.now().toISOString(),
    user,
  );
  const undo = undone.result;
  run.undo = undo;
  run.status = undone.outcome ? 'undone' : 'undo_failed';
  const undoneEntry = phaseEntry(common, 'undone', undo, planned);
  await kit.audit.record(
    undoneEntry,
    undo.outcome === 'ok' ? null : `undo of ${action.name} (${run.id}) failed: ${undo.error}`,
    run,
  );
  const step: StepReport = {
    action: action.name,
    target: `Undo: ${run.target}`,
    runId: run.id,
    state: undo.outcome === 'ok' ? 'ok' : 'failed',
    detail: undo.detail,
    error: undo.error,
    durationMs: undo.durationMs,
    irreversible: false,
    undoable: false,
  };
  if (undo.outcome === 'failed') return step;
  const verify = await verifyRun(kit, action, runCtx, run, 'undo', common);
  await kit.audit.recordTimeline(
    incident.id,
    user,
    'containment_undone',
    `undid containment ${action.name} (${run.id}): ${undo.detail}, ${VERIFY_LABEL[verify.outcome]} (${verify.error ?? verify.observed}) (${seconds(undo.durationMs + verify.durationMs)})`,
    timelineData(undoneEntry, verify),
  );
  return {
    ...step,
    verify: { outcome: verify.outcome, observed: verify.error ?? verify.observed },
    durationMs: undo.durationMs + verify.durationMs,
  };
}
