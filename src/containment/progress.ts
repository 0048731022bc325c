import { bestEffort, type ContainmentKit, type RunScope, type StepInput } from './kit.js';
import type { ExecutionReport } from './presenter.js';
import { runStep } from './runner.js';

/** Progress updates are rate-limited by Slack (chat.update): at most one a second, the final always. */
export const PROGRESS_UPDATE_INTERVAL_MS = 1_000;
/** Steps that finish within this of each other share one update (a fast group lands in one message). */
export const PROGRESS_COALESCE_MS = 25;

/**
 * Runs the groups of a confirmed request one after another (the steps of a group in parallel) and
 * keeps a progress message in the incident channel up to date beside the run.
 */
export async function execute(
  kit: ContainmentKit,
  scope: RunScope,
  kind: ExecutionReport['kind'],
  title: string,
  steps: StepInput[][],
): Promise<ExecutionReport> {
  const started = performance.now();
  const report: ExecutionReport = {
    incidentId: scope.incident.id,
    kind,
    title,
    playbookRunId: scope.playbook?.id,
    by: scope.confirmedBy,
    dryRun: scope.dryRun,
    drill: scope.incident.drill,
    groups: steps.map((group) =>
      group.map(({ action, args }) => ({
        action: action.name,
        target: kit.actions.describe(action, args, scope.incident.id),
        state: 'pending' as const,
        irreversible: action.irreversible,
        undoable: action.undoable,
      })),
    ),
    finished: false,
    durationMs: 0,
  };
  // Slack never holds containment up: the progress message is posted and updated beside the run,
  // in order, and only the end waits for it
  const channel = scope.incident.channelId;
  const posted: Promise<string | undefined> = channel
    ? bestEffort(
        kit.deps.logger,
        'post containment progress',
        async () => (await kit.deps.chat.postMessage(channel, kit.deps.views.report(report))).ts,
      )
    : Promise.resolve(undefined);
  let messages: Promise<unknown> = posted;
  const showProgress = () => {
    const message = kit.deps.views.report(report);
    messages = messages.then(async () => {
      const ts = await posted;
      if (channel && ts)
        await bestEffort(kit.deps.logger, 'update containment progress', () =>
          kit.deps.chat.updateMessage(channel, ts, message),
        );
    });
  };

  // each step's result is shown as soon as it is known, not when its whole group ends: updates are
  // coalesced (steps finishing together share one) and spaced by the interval chat.update allows
  let lastUpdate = Number.NEGATIVE_INFINITY;
  let pendingUpdate: NodeJS.Timeout | undefined;
  const stepFinished = () => {
    if (pendingUpdate) return;
    const due = Math.max(PROGRESS_COALESCE_MS, lastUpdate + PROGRESS_UPDATE_INTERVAL_MS - performance.now());
    pendingUpdate = setTimeout(() => {
      pendingUpdate = undefined;
      if (report.finished) return;
      lastUpdate = performance.now();
      report.durationMs = Math.round(performance.now() - started);
      showProgress();
    }, due);
  };

  for (const [g, group] of steps.entries()) {
    for (const step of report.groups[g]!) step.state = 'running';
    // ids recorded at confirmation (a resumed run keeps them), else the next free ones
    const runIds = group.every((step) => step.runId)
      ? group.map((step) => step.runId!)
      : await kit.deps.store.nextRunIds(scope.incident.id, group.length);
    await Promise.all(
      group.map(async (step, i) => {
        report.groups[g]![i] = await runStep(kit, scope, step, runIds[i]!);
        stepFinished();
      }),
    );
  }
  clearTimeout(pendingUpdate);
  report.finished = true;
  report.durationMs = Math.round(performance.now() - started);
  showProgress();
  await messages;
  if (!scope.dryRun && kit.followUp)
    await bestEffort(kit.deps.logger, 'schedule containment re-verification', () =>
      kit.followUp!.afterRun(scope.incident.id, report),
    );
  if (channel && !(await posted))
    await bestEffort(kit.deps.logger, 'post containment result', () =>
      kit.deps.chat.postMessage(channel, kit.deps.views.report(report)),
    );
  return report;
}
