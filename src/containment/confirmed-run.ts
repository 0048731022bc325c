import { QuellError } from '../errors.js';
import { crashPoint } from '../jobs/crash-points.js';
import type { ContainmentKit } from './kit.js';
import type { ConfirmedRun, PendingConfirmation } from './model.js';
import type { ExecutionReport } from './presenter.js';
import { execute } from './progress.js';
import { prepareConfirmed } from './requests.js';

type RunKind = Exclude<PendingConfirmation['kind'], 'undo' | 'reapply'>;

export class ConfirmationUsedError extends QuellError {
  constructor() {
    super(
      'confirmation_expired',
      'This confirmation was already used, cancelled or has expired. Run the command again if it is still needed.',
    );
  }
}

/**
 * A pressed Run (action, playbook or retry), durably: the run is recorded (who, what, every step's
 * run id, the request that pressed it) *before* the confirmation is consumed and before the first
 * request goes out, so a crash at any point leaves a record another replica resumes from. The same
 * request (its idempotency key) run again resumes the recorded run; any other press finds it used.
 * Returns undefined for confirmations that are not runs (undo, re-apply): the caller handles those.
 */
export async function confirmRun(
  kit: ContainmentKit,
  token: string,
  user: string,
  requestKey: string,
): Promise<ExecutionReport | undefined> {
  const { store, incidentStore, clock } = kit.deps;
  const recorded = await store.confirmedRun(token);
  if (recorded) return resumeOwn(kit, recorded, requestKey);
  const pending = await store.peekConfirmation(token);
  if (!pending) throw new ConfirmationUsedError();
  if (pending.kind === 'undo' || pending.kind === 'reapply') return undefined;
  const incident = await incidentStore.require(pending.incidentId);
  const confirmed = { ...pending, kind: pending.kind as RunKind };
  const { scope, kind, title, steps } = await prepareConfirmed(kit, incident, confirmed, user);
  const runIds: string[][] = [];
  for (const group of steps) runIds.push(await store.nextRunIds(incident.id, group.length));
  const run: ConfirmedRun = {
    requestKey,
    confirmedBy: user,
    at: clock.now().toISOString(),
    pending,
    ...(scope.playbook ? { playbook: scope.playbook } : {}),
    runIds,
  };
  if (!(await store.recordConfirmedRun(token, run))) {
    // another press got there first (two clicks at once): it runs; this one is the duplicate
    const winner = await store.confirmedRun(token);
    if (winner) return resumeOwn(kit, winner, requestKey);
    throw new ConfirmationUsedError();
  }
  await store.takeConfirmation(token);
  crashPoint('contain.confirmed');
  return execute(kit, scope, kind, title, withRunIds(steps, runIds));
}

/** The recorded run, continued when this is the request that pressed it; refused otherwise. */
async function resumeOwn(
  kit: ContainmentKit,
  run: ConfirmedRun,
  requestKey: string,
): Promise<ExecutionReport> {
  if (run.requestKey !== requestKey) throw new ConfirmationUsedError();
  kit.deps.logger.info(
    { incidentId: run.pending.incidentId, runIds: run.runIds },
    'resuming a confirmed containment run',
  );
  const incident = await kit.deps.incidentStore.require(run.pending.incidentId);
  const confirmed = { ...run.pending, kind: run.pending.kind as RunKind };
  const { scope, kind, title, steps } = await prepareConfirmed(kit, incident, confirmed, run.confirmedBy, {
    ...(run.playbook ? { playbook: run.playbook } : {}),
  });
  return execute(kit, scope, kind, title, withRunIds(steps, run.runIds));
}

function withRunIds<S>(steps: S[][], runIds: string[][]): (S & { runId?: string })[][] {
  return steps.map((group, g) => group.map((step, i) => ({ ...step, runId: runIds[g]?.[i] })));
}
