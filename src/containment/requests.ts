import { QuellError, UsageError } from '../errors.js';
import { redactor } from '../http/redact.js';
import type { Incident } from '../incidents/model.js';
import { priorOf } from './contract.js';
import type { ContainmentKit, RunRequest, RunScope, StepInput } from './kit.js';
import type { ContainmentRun, PendingConfirmation } from './model.js';
import type { Catalog, ConfirmationStep, ExecutionReport } from './presenter.js';
import { undoableRuns } from './undo.js';

/**
 * Requests and their confirmation: what `/contain` lists, the checks before anything runs
 * (configured? arguments valid? may this person run it?), and the confirmation people press.
 * Nothing runs from here; a pressed confirmation goes to progress.ts (run) or undo.ts.
 */

/** What `/contain` lists: every action with what it does, and every playbook. */
export function catalog(kit: ContainmentKit): Catalog {
  const { registry } = kit.deps;
  const actions = [...registry.actions.values()].map((action) => ({
    name: action.name,
    description: action.description,
    adapter: action.adapter.id,
    target: kit.actions.describe(action, action.defaultArgs, 'INC-0'),
    irreversible: action.irreversible,
    undoable: action.undoable,
  }));
  const playbooks = [...registry.playbooks.values()].map((playbook) => ({
    name: playbook.name,
    description: playbook.description,
    groups: playbook.groups,
    irreversible: playbook.groups.flat().some((name) => registry.action(name)?.irreversible),
  }));
  return { actions, playbooks };
}

/**
 * Checks the request and who asks, and returns the confirmation to show them. Nothing runs until
 * the confirmation is pressed. Refusals are recorded, then thrown as ContainmentRefusedError.
 */
export async function requestRun(kit: ContainmentKit, request: RunRequest) {
  const { pending, title, steps } = await prepareRun(kit, request);
  return confirmationMessage(kit, pending, title, steps, request.incident.drill);
}

/** requestRun's checks and stored confirmation, without the message (an unattended run presses it itself). */
export async function prepareRun(kit: ContainmentKit, request: RunRequest) {
  const { incident, user, kind, name } = request;
  const steps = resolveSteps(kit, kind, name, request.args);
  await kit.authorizer.authorize(
    incident,
    user,
    steps.flat().map((s) => s.action),
    `${kind === 'playbook' ? 'playbook ' : ''}${name}`,
  );
  const pending = await kit.deps.store.createConfirmation({
    incidentId: incident.id,
    requestedBy: user,
    kind,
    name,
    args: request.args,
    dryRun: request.dryRun || incident.drill,
    createdAt: kit.deps.clock.now().toISOString(),
  });
  const title =
    kind === 'playbook'
      ? `Run playbook ${name} (${steps.flat().length} action${steps.flat().length === 1 ? '' : 's'})`
      : `Run ${name}`;
  return { pending, title, steps };
}

/** `/contain undo <run-id>`: undoing lifts a control, so it is authorized and confirmed too. */
export async function requestUndo(kit: ContainmentKit, incident: Incident, user: string, runId: string) {
  const runs = await undoableRuns(kit, incident.id, runId);
  const actions = runs.map((run) => kit.actions.require(run.action));
  await kit.authorizer.authorize(incident, user, actions, `undo ${runId}`);
  const pending = await kit.deps.store.createConfirmation({
    incidentId: incident.id,
    requestedBy: user,
    kind: 'undo',
    name: runId,
    args: {},
    dryRun: false,
    createdAt: kit.deps.clock.now().toISOString(),
  });
  const groups = runs.map((run) => [
    { action: run.action, target: `Undo: ${run.target} — ${undoIntent(kit, run)}`, irreversible: false },
  ]);
  return kit.deps.views.confirmation({
    token: pending.token,
    incidentId: incident.id,
    title: `Undo ${runId} (${runs.map((r) => r.action).join(', ')})`,
    groups,
    dryRun: false,
    drill: incident.drill,
    kind: 'undo',
  });
}

/**
 * What undo will do for this run, from the prior state it recorded. When that state is unknown the
 * confirmation says so in bold: pressing Undo is then the answer to the question.
 */
export function undoIntent(kit: ContainmentKit, run: ContainmentRun): string {
  const action = kit.actions.require(run.action);
  const ctx = kit.actions.planContext(action, run.args, run.incidentId, run.id);
  const intent = action.adapter.describeUndo?.(ctx, run.state) ?? 'reverse it';
  const prior = priorOf(run.state);
  return prior?.known
    ? `${intent} (before containment: ${prior.summary})`
    : `*the state before containment was not recorded*: undo will ${intent}. Confirm only if that is what was there.`;
}

/** The Retry button of a failed step: the same action and arguments, confirmed again. */
export async function requestRetry(kit: ContainmentKit, incidentId: string, runId: string, user: string) {
  const incident = await kit.deps.incidentStore.require(incidentId);
  const run = await kit.deps.store.run(incidentId, runId);
  if (!run) throw new UsageError(`There is no containment run ${runId} in ${incidentId}.`);
  const action = kit.actions.require(run.action);
  await kit.authorizer.authorize(incident, user, [action], `retry ${run.action}`);
  const pending = await kit.deps.store.createConfirmation({
    incidentId,
    requestedBy: user,
    kind: 'retry',
    name: runId,
    args: Object.fromEntries(Object.entries(run.args).map(([k, v]) => [k, String(v)])),
    dryRun: incident.drill,
    createdAt: kit.deps.clock.now().toISOString(),
  });
  return confirmationMessage(
    kit,
    pending,
    `Retry ${run.action} (${runId})`,
    [[{ action, args: run.args, retryOf: runId }]],
    incident.drill,
  );
}

export async function cancel(kit: ContainmentKit, token: string, user: string): Promise<void> {
  const pending = await kit.deps.store.takeConfirmation(token);
  if (!pending) return;
  const { name } = pending;
  await kit.audit.record(
    {
      at: kit.deps.clock.now().toISOString(),
      incidentId: pending.incidentId,
      actor: user,
      event: 'cancelled',
      action: name,
      adapter: kit.deps.registry.action(name)?.adapter.id ?? pending.kind,
      target: `${pending.kind} ${name}`,
      dryRun: pending.dryRun,
      outcome: 'cancelled',
      requests: [],
    },
    `cancelled containment ${pending.kind} ${name} before it ran`,
  );
}

/**
 * The confirmation button of a run or retry: authorizes again (roles may have changed) and says
 * what to run, under which scope and title. `resumed` (a run recorded before a crash, continued on
 * another replica) skips the checks already passed and keeps the playbook run id it was given.
 */
export async function prepareConfirmed(
  kit: ContainmentKit,
  incident: Incident,
  pending: PendingConfirmation & { kind: Exclude<PendingConfirmation['kind'], 'undo' | 'reapply'> },
  user: string,
  resumed?: { playbook?: { name: string; id: string } },
): Promise<{ scope: RunScope; kind: ExecutionReport['kind']; title: string; steps: StepInput[][] }> {
  const steps =
    pending.kind === 'retry'
      ? await retrySteps(kit, pending)
      : resolveSteps(kit, pending.kind, pending.name, pending.args);
  if (!resumed)
    await kit.authorizer.authorize(
      incident,
      user,
      steps.flat().map((s) => s.action),
      pending.name,
    );
  const dryRun = pending.dryRun || incident.drill;
  // a retried step stays part of its playbook run: `/contain undo p1` lifts it with the others
  const playbook = resumed
    ? resumed.playbook
    : pending.kind === 'playbook'
      ? { name: pending.name, id: await kit.deps.store.nextPlaybookRunId(incident.id) }
      : pending.kind === 'retry'
        ? (await kit.deps.store.run(incident.id, pending.name))?.playbook
        : undefined;
  const scope: RunScope = {
    incident,
    requestedBy: pending.requestedBy,
    confirmedBy: user,
    dryRun,
    playbook,
  };
  const title =
    pending.kind === 'playbook'
      ? `Playbook ${pending.name} (${playbook!.id})`
      : pending.kind === 'retry'
        ? `Retry of ${steps[0]![0]!.action.name} (${pending.name})`
        : `Action ${pending.name}`;
  return { scope, kind: pending.kind, title, steps };
}

function resolveSteps(
  kit: ContainmentKit,
  kind: 'action' | 'playbook',
  name: string,
  args: Record<string, string>,
): StepInput[][] {
  const { registry } = kit.deps;
  if (registry.isEmpty)
    throw new QuellError(
      'containment_not_configured',
      'No containment actions are configured. Add them under `containment.actions` in the Quell config file (see the README, "Containment").',
    );
  if (kind === 'playbook') {
    const playbook = registry.playbook(name);
    if (!playbook)
      throw new UsageError(
        `There is no playbook "${name}". Playbooks: ${[...registry.playbooks.keys()].join(', ') || '(none configured)'}.`,
        '/contain playbook <name>',
      );
    if (Object.keys(args).length)
      throw new UsageError('Playbooks take no arguments; their actions use their configured ones.');
    return playbook.groups.map((group) =>
      group.map((actionName) => {
        const action = kit.actions.require(actionName);
        return { action, args: plannable(kit, action, kit.actions.parseArgs(action, {})) };
      }),
    );
  }
  const action = registry.action(name);
  if (!action)
    throw new UsageError(
      `There is no containment action "${name}". Actions: ${[...registry.actions.keys()].join(', ')}.`,
      '/contain <action> [key=value ...]',
    );
  return [[{ action, args: plannable(kit, action, kit.actions.parseArgs(action, args)) }]];
}

/**
 * Arguments the schema accepts may still leave the adapter unable to build its request (a LiteLLM
 * action with neither a key argument nor the agentKey secret): building the plan now refuses the
 * request before anyone sees a Run button, instead of failing after it was pressed.
 */
function plannable(
  kit: ContainmentKit,
  action: StepInput['action'],
  args: Record<string, unknown>,
): Record<string, unknown> {
  try {
    action.adapter.plan('execute', kit.actions.planContext(action, args, 'INC-0', 'preview'));
  } catch (error) {
    throw new UsageError(
      `${action.name} cannot run as asked: ${redactor(action.secrets)((error as Error).message)}`,
      `/contain ${action.name} [key=value ...]`,
    );
  }
  return args;
}

async function retrySteps(kit: ContainmentKit, pending: PendingConfirmation): Promise<StepInput[][]> {
  const run = await kit.deps.store.run(pending.incidentId, pending.name);
  if (!run) throw new UsageError(`There is no containment run ${pending.name}.`);
  const action = kit.actions.require(run.action);
  return [[{ action, args: run.args, retryOf: run.id }]];
}

function confirmationMessage(
  kit: ContainmentKit,
  pending: PendingConfirmation,
  title: string,
  steps: StepInput[][],
  drill: boolean,
) {
  const groups: ConfirmationStep[][] = steps.map((group) =>
    group.map(({ action, args }) => {
      const ctx = kit.actions.planContext(action, args, pending.incidentId, 'preview');
      return {
        action: action.name,
        target: kit.actions.describe(action, args, pending.incidentId),
        irreversible: action.irreversible,
        consequence: action.irreversible
          ? redactor(action.secrets)(action.adapter.consequence?.(ctx) ?? `${action.name} cannot be undone.`)
          : undefined,
      };
    }),
  );
  return kit.deps.views.confirmation({
    token: pending.token,
    incidentId: pending.incidentId,
    title,
    groups,
    dryRun: pending.dryRun,
    drill,
    kind: pending.kind === 'reapply' ? 'retry' : pending.kind,
  });
}
