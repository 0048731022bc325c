import { bestEffort, type ContainmentKit, type RunScope, type StepInput } from './kit.js';
import type { ExecutionReport } from './presenter.js';
import { runStep } from './runner.js';

/** Progress updates are rate-limited by Slack (chat.update): at most one a second, the final always. */
const PROGRESS_UPDATE_INTERVAL_MS = 1_000;

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

  let lastUpdate = performance.now();
  for (const [g, group] of steps.entries()) {
    for (const step of report.groups[g]!) step.state = 'running';
    const runIds = await kit.deps.store.nextRunIds(scope.incident.id, group.length);
    const results = await Promise.all(group.map((step, i) => runStep(kit, scope, step, runIds[i]!)));
    report.groups[g] = results;
    report.durationMs = Math.round(performance.now() - started);
    report.finished = g === steps.length - 1;
    // progress at most once a second (chat.update is rate-limited); the final state always
    if (report.finished || performance.now() - lastUpdate >= PROGRESS_UPDATE_INTERVAL_MS) {
      lastUpdate = performance.now();
      showProgress();
    }
  }
  report.finished = true;
  report.durationMs = Math.round(performance.now() - started);
  await messages;
  if (channel && !(await posted))
    await bestEffort(kit.deps.logger, 'post containment result', () =>
      kit.deps.chat.postMessage(channel, kit.deps.views.report(report)),
    );
  return report;
}
