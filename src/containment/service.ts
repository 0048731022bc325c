import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { QuellError, UsageError } from '../errors.js';
import type { Incident } from '../incidents/model.js';
import {
  type ActorRule,
  type Permissions,
  RulePermissions,
  uncheckedNote,
  unionRules,
} from '../incidents/permissions.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { ContainmentTimelineKind } from '../incidents/timeline.js';
import type { ContainmentAuthorization } from './config.js';
import {
  type ExecuteOutcome,
  type PlanContext,
  type PlannedRequest,
  type RunContext,
  TargetError,
} from './contract.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient, type HttpOptions } from './http.js';
import type { AuditEntry, ContainmentRun, PendingConfirmation } from './model.js';
import type {
  Catalog,
  ConfirmationStep,
  ContainmentPresenter,
  ExecutionReport,
  StepReport,
} from './presenter.js';
import type { ContainmentRegistry, ResolvedAction } from './registry.js';
import { redactDeep, redactor } from './secrets.js';
import type { ContainmentStore } from './store.js';

export interface ContainmentServiceDeps {
  registry: ContainmentRegistry;
  store: ContainmentStore;
  incidentStore: IncidentStore;
  incidents: IncidentService;
  chat: ChatPort;
  views: ContainmentPresenter;
  clock: Clock;
  logger: Logger;
  /** The config's `responders`, who are authorized when a rule says `responders: true`. */
  responders: { users: readonly string[]; usergroups: readonly string[] };
  /** Who-may-act checks; defaults to the rule + user-group check over `chat`. */
  permissions?: Permissions;
  /** Overrides for the HTTP core (tests shorten backoff). */
  http?: Partial<Omit<HttpOptions, 'redact' | 'timeoutMs' | 'maxAttempts'>>;
}

export interface RunRequest {
  incident: Incident;
  user: string;
  kind: 'action' | 'playbook';
  name: string;
  args: Record<string, string>;
  dryRun: boolean;
}

/** Someone asked for containment they may not run; already recorded on the timeline and in the audit. */
export class ContainmentRefusedError extends QuellError {
  constructor(message: string) {
    super('containment_refused', message);
  }
}

interface StepInput {
  action: ResolvedAction;
  args: Record<string, unknown>;
  retryOf?: string;
}

interface RunScope {
  incident: Incident;
  requestedBy: string;
  confirmedBy: string;
  dryRun: boolean;
  playbook?: { name: string; id: string };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

const PROGRESS_UPDATE_INTERVAL_MS = 1_000;

const VERIFY_LABEL = {
  verified: 'verified',
  not_verified: 'NOT verified',
  failed: 'could not verify',
} as const;

/** Timeline data of a containment event: the audit fields (issues 7 and 8 read both) and the verify result. */
function timelineData(
  entry: Omit<AuditEntry, 'seq'>,
  verify?: { outcome: string; observed: string; error?: string; durationMs: number },
): Record<string, unknown> {
  const { incidentId: _incidentId, actor: _actor, ...data } = entry;
  if (!verify) return data;
  const { outcome, observed, error, durationMs } = verify;
  return { ...data, verify: { outcome, observed, error, durationMs } };
}

/**
 * Containment, outside the model: authorize → confirm → execute → verify → audit, and undo.
 * Every attempt, refusal, verification and undo is appended to the containment audit and recorded
 * on the incident timeline (kinds `containment_*`). In a drill every adapter runs dry.
 */
type PhaseResult = NonNullable<ContainmentRun['execute']>;

/**
 * Runs execute or undo against the target and describes the phase as the run keeps it, whether the
 * target accepted it or not; `outcome` is set only when it did.
 */
async function runPhase(
  phase: () => Promise<ExecuteOutcome>,
  http: HttpClient,
  redact: (text: string) => string,
  refusal: string,
  now: () => string,
  by: string,
): Promise<{ result: PhaseResult; outcome?: ExecuteOutcome }> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const outcome = await phase();
    return {
      outcome,
      result: {
        outcome: 'ok',
        detail: redact(outcome.detail),
        status: outcome.status ?? http.lastStatus,
        attempts: http.attempts.length || undefined,
        durationMs: elapsed(),
        at: now(),
        by,
      },
    };
  } catch (error) {
    const target = error instanceof TargetError ? error.details : undefined;
    return {
      result: {
        outcome: 'failed',
        detail: refusal,
        error: redact((error as Error).message),
        status: target?.status ?? http.lastStatus,
        retryable: target?.retryable,
        attempts: target?.attempts ?? (http.attempts.length || undefined),
        durationMs: elapsed(),
        at: now(),
        by,
      },
    };
  }
}

/** The audit entry of an executed or undone phase. */
function phaseEntry<Common extends object>(
  common: Common,
  event: 'executed' | 'undone',
  phase: PhaseResult,
  requests: PlannedRequest[],
) {
  return {
    ...common,
    at: phase.at,
    event,
    outcome: phase.outcome,
    requests,
    responseStatus: phase.status,
    attempts: phase.attempts,
    durationMs: phase.durationMs,
    detail: phase.detail,
    error: phase.error,
  };
}

export class ContainmentService {
  /** Timeline writes of one incident, one after another (parallel steps would race otherwise). */
  private readonly chains = new Map<string, Promise<unknown>>();

  private readonly permissions: Permissions;

  constructor(private readonly deps: ContainmentServiceDeps) {
    this.permissions = deps.permissions ?? new RulePermissions(deps);
  }

  get registry(): ContainmentRegistry {
    return this.deps.registry;
  }

  /** What `/contain` lists: every action with what it does, and every playbook. */
  catalog(): Catalog {
    const { registry } = this.deps;
    const actions = [...registry.actions.values()].map((action) => ({
      name: action.name,
      description: action.description,
      adapter: action.adapter.id,
      target: this.safeDescribe(action, action.defaultArgs, 'INC-0'),
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
  async requestRun(request: RunRequest) {
    const { incident, user, kind, name } = request;
    const steps = this.resolveSteps(kind, name, request.args);
    await this.authorize(
      incident,
      user,
      steps.flat().map((s) => s.action),
      `${kind === 'playbook' ? 'playbook ' : ''}${name}`,
    );
    const pending = await this.deps.store.createConfirmation({
      incidentId: incident.id,
      requestedBy: user,
      kind,
      name,
      args: request.args,
      dryRun: request.dryRun || incident.drill,
      createdAt: this.deps.clock.now().toISOString(),
    });
    const title =
      kind === 'playbook'
        ? `Run playbook ${name} (${steps.flat().length} action${steps.flat().length === 1 ? '' : 's'})`
        : `Run ${name}`;
    return this.confirmationMessage(pending, title, steps, incident.drill);
  }

  /** `/contain undo <run-id>`: undoing lifts a control, so it is authorized and confirmed too. */
  async requestUndo(incident: Incident, user: string, runId: string) {
    const runs = await this.undoableRuns(incident.id, runId);
    const actions = runs.map((run) => this.requireAction(run.action));
    await this.authorize(incident, user, actions, `undo ${runId}`);
    const pending = await this.deps.store.createConfirmation({
      incidentId: incident.id,
      requestedBy: user,
      kind: 'undo',
      name: runId,
      args: {},
      dryRun: false,
      createdAt: this.deps.clock.now().toISOString(),
    });
    const groups = runs.map((run) => [
      { action: run.action, target: `Undo: ${run.target}`, irreversible: false },
    ]);
    return this.deps.views.confirmation({
      token: pending.token,
      incidentId: incident.id,
      title: `Undo ${runId} (${runs.map((r) => r.action).join(', ')})`,
      groups,
      dryRun: false,
      drill: incident.drill,
      kind: 'undo',
    });
  }

  /** The Retry button of a failed step: the same action and arguments, confirmed again. */
  async requestRetry(incidentId: string, runId: string, user: string) {
    const incident = await this.deps.incidentStore.require(incidentId);
    const run = await this.deps.store.run(incidentId, runId);
    if (!run) throw new UsageError(`There is no containment run ${runId} in ${incidentId}.`);
    const action = this.requireAction(run.action);
    await this.authorize(incident, user, [action], `retry ${run.action}`);
    const pending = await this.deps.store.createConfirmation({
      incidentId,
      requestedBy: user,
      kind: 'retry',
      name: runId,
      args: Object.fromEntries(Object.entries(run.args).map(([k, v]) => [k, String(v)])),
      dryRun: incident.drill,
      createdAt: this.deps.clock.now().toISOString(),
    });
    return this.confirmationMessage(
      pending,
      `Retry ${run.action} (${runId})`,
      [[{ action, args: run.args, retryOf: runId }]],
      incident.drill,
    );
  }

  async cancel(token: string, user: string): Promise<void> {
    const pending = await this.deps.store.takeConfirmation(token);
    if (!pending) return;
    const { name } = pending;
    await this.record(
      {
        at: this.deps.clock.now().toISOString(),
        incidentId: pending.incidentId,
        actor: user,
        event: 'cancelled',
        action: name,
        adapter: this.deps.registry.action(name)?.adapter.id ?? pending.kind,
        target: `${pending.kind} ${name}`,
        dryRun: pending.dryRun,
        outcome: 'cancelled',
        requests: [],
      },
      `cancelled containment ${pending.kind} ${name} before it ran`,
    );
  }

  /**
   * The confirmation button: takes the pending request once, authorizes again (roles may have
   * changed), posts a progress message in the incident channel and runs. Returns the final report.
   */
  async confirm(token: string, user: string): Promise<ExecutionReport> {
    const pending = await this.deps.store.takeConfirmation(token);
    if (!pending)
      throw new QuellError(
        'confirmation_expired',
        'This confirmation was already used, cancelled or has expired. Run the command again if it is still needed.',
      );
    const incident = await this.deps.incidentStore.require(pending.incidentId);
    if (pending.kind === 'undo') return this.runUndo(incident, pending, user);

    const steps =
      pending.kind === 'retry'
        ? await this.retrySteps(pending)
        : this.resolveSteps(pending.kind, pending.name, pending.args);
    await this.authorize(
      incident,
      user,
      steps.flat().map((s) => s.action),
      pending.name,
    );
    const dryRun = pending.dryRun || incident.drill;
    const playbook =
      pending.kind === 'playbook'
        ? { name: pending.name, id: await this.deps.store.nextPlaybookRunId(incident.id) }
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
    return this.execute(scope, pending.kind, title, steps);
  }

  /** Controls in force: executed, not dry, not undone. */
  async status(incidentId: string): Promise<ContainmentRun[]> {
    const runs = await this.deps.store.runs(incidentId);
    return runs.filter((run) => run.status === 'in_force' || run.status === 'undo_failed');
  }

  async runs(incidentId: string): Promise<ContainmentRun[]> {
    return this.deps.store.runs(incidentId);
  }

  /**
   * The containment audit of an incident, oldest first: every refusal, dry run, execution,
   * verification, undo and cancellation, with requests already stripped of secrets. Append-only.
   */
  audit(incidentId: string): Promise<AuditEntry[]> {
    return this.deps.store.audit(incidentId);
  }

  statusMessage(incidentId: string, runs: ContainmentRun[]) {
    return this.deps.views.status(incidentId, runs);
  }

  catalogMessage() {
    return this.deps.views.catalog(this.catalog());
  }

  // ---------------------------------------------------------------------------------------------

  private resolveSteps(
    kind: 'action' | 'playbook',
    name: string,
    args: Record<string, string>,
  ): StepInput[][] {
    const { registry } = this.deps;
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
        group.map((actionName) => ({
          action: this.requireAction(actionName),
          args: this.parseArgs(this.requireAction(actionName), {}),
        })),
      );
    }
    const action = registry.action(name);
    if (!action)
      throw new UsageError(
        `There is no containment action "${name}". Actions: ${[...registry.actions.keys()].join(', ')}.`,
        '/contain <action> [key=value ...]',
      );
    return [[{ action, args: this.parseArgs(action, args) }]];
  }

  private async retrySteps(pending: PendingConfirmation): Promise<StepInput[][]> {
    const run = await this.deps.store.run(pending.incidentId, pending.name);
    if (!run) throw new UsageError(`There is no containment run ${pending.name}.`);
    const action = this.requireAction(run.action);
    return [[{ action, args: run.args, retryOf: run.id }]];
  }

  private requireAction(name: string): ResolvedAction {
    const action = this.deps.registry.action(name);
    if (!action) throw new UsageError(`The action "${name}" is no longer configured.`);
    return action;
  }

  private parseArgs(action: ResolvedAction, given: Record<string, string>): Record<string, unknown> {
    const parsed = action.adapter.argsSchema.safeParse({ ...action.defaultArgs, ...given });
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`)
        .join('; ');
      throw new UsageError(
        `Bad arguments for ${action.name}: ${problems}`,
        `/contain ${action.name} [key=value ...]`,
      );
    }
    return parsed.data as Record<string, unknown>;
  }

  private confirmationMessage(
    pending: PendingConfirmation,
    title: string,
    steps: StepInput[][],
    drill: boolean,
  ) {
    const groups: ConfirmationStep[][] = steps.map((group) =>
      group.map(({ action, args }) => {
        const ctx = this.planContext(action, args, pending.incidentId, 'preview');
        return {
          action: action.name,
          target: this.safeDescribe(action, args, pending.incidentId),
          irreversible: action.irreversible,
          consequence: action.irreversible
            ? redactor(action.secrets)(
                action.adapter.consequence?.(ctx) ?? `${action.name} cannot be undone.`,
              )
            : undefined,
        };
      }),
    );
    return this.deps.views.confirmation({
      token: pending.token,
      incidentId: pending.incidentId,
      title,
      groups,
      dryRun: pending.dryRun,
      drill,
      kind: pending.kind,
    });
  }

  private async authorize(
    incident: Incident,
    user: string,
    actions: ResolvedAction[],
    what: string,
  ): Promise<void> {
    for (const action of actions) {
      const rule = this.ruleOf(action.authorized);
      const decision = await this.permissions.mayAct(user, rule, incident);
      if (decision.allowed) continue;
      const who = this.permissions.describe(rule);
      await this.record(
        {
          at: this.deps.clock.now().toISOString(),
          incidentId: incident.id,
          actor: user,
          event: 'refused',
          action: action.name,
          adapter: action.adapter.id,
          target: this.safeDescribe(action, action.defaultArgs, incident.id),
          dryRun: incident.drill,
          outcome: 'refused',
          requests: [],
          detail: `not authorized for ${what}${uncheckedNote(decision)}`,
        },
        `was refused containment ${what}: not authorized to run ${action.name}`,
      );
      throw new ContainmentRefusedError(
        `You are not authorized to run \`${action.name}\`${what === action.name ? '' : ` (needed for ${what})`}. It may be run by ${who}${uncheckedNote(decision)}. Ask one of them, or the incident commander to give you a role. This refusal is on the incident timeline.`,
      );
    }
  }

  /** A containment rule as a who-may-act rule: `responders: true` adds the configured responders. */
  private ruleOf(rule: ContainmentAuthorization): ActorRule {
    const own = {
      roles: rule.roles,
      users: rule.users,
      usergroups: rule.usergroups,
      source: 'containment.authorized',
    };
    return rule.responders ? unionRules(own, { roles: [], ...this.deps.responders }) : own;
  }

  private planContext(
    action: ResolvedAction,
    args: Record<string, unknown>,
    incidentId: string,
    runId: string,
  ): PlanContext<unknown, unknown> {
    return {
      settings: action.settings,
      args,
      secrets: action.secrets,
      idempotencyKey: `quell-${incidentId}-${runId}`,
      now: this.deps.clock.now(),
      incidentId,
      actionName: action.name,
    };
  }

  private safeDescribe(action: ResolvedAction, args: Record<string, unknown>, incidentId: string): string {
    try {
      return redactor(action.secrets)(
        action.adapter.describe(this.planContext(action, args, incidentId, 'preview')),
      );
    } catch {
      return `${action.adapter.id} action`;
    }
  }

  private httpClient(action: ResolvedAction): HttpClient {
    return new HttpClient({
      ...DEFAULT_HTTP_OPTIONS,
      ...this.deps.http,
      timeoutMs: action.timeoutMs,
      maxAttempts: this.deps.registry.retries + 1,
      redact: redactor(action.secrets),
    });
  }

  private async execute(
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
          target: this.safeDescribe(action, args, scope.incident.id),
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
      ? this.bestEffort(
          'post containment progress',
          async () => (await this.deps.chat.postMessage(channel, this.deps.views.report(report))).ts,
        )
      : Promise.resolve(undefined);
    let messages: Promise<unknown> = posted;
    const showProgress = () => {
      const message = this.deps.views.report(report);
      messages = messages.then(async () => {
        const ts = await posted;
        if (channel && ts)
          await this.bestEffort('update containment progress', () =>
            this.deps.chat.updateMessage(channel, ts, message),
          );
      });
    };

    let lastUpdate = performance.now();
    for (const [g, group] of steps.entries()) {
      for (const step of report.groups[g]!) step.state = 'running';
      const runIds = await this.deps.store.nextRunIds(scope.incident.id, group.length);
      const results = await Promise.all(group.map((step, i) => this.runStep(scope, step, runIds[i]!)));
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
      await this.bestEffort('post containment result', () =>
        this.deps.chat.postMessage(channel, this.deps.views.report(report)),
      );
    return report;
  }

  private async runStep(
    scope: RunScope,
    { action, args, retryOf }: StepInput,
    runId: string,
  ): Promise<StepReport> {
    const { clock } = this.deps;
    const { incident } = scope;
    const redact = redactor(action.secrets);
    const ctx = this.planContext(action, args, incident.id, runId);
    const target = this.safeDescribe(action, args, incident.id);
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
      await this.record(
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
      await this.record(
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

    const runCtx: RunContext<unknown, unknown> = {
      ...ctx,
      http: this.httpClient(action),
      timeoutMs: action.timeoutMs,
    };
    const executed = await runPhase(
      () => action.adapter.execute(runCtx),
      runCtx.http,
      redact,
      'the target did not accept the request',
      () => clock.now().toISOString(),
      scope.confirmedBy,
    );
    run.execute = executed.result;
    if (executed.outcome) {
      run.state = redactDeep(executed.outcome.state ?? {}, redact);
      run.status = 'in_force';
    } else run.status = 'failed';
    const executedEntry = phaseEntry(common, 'executed', run.execute, planned);
    if (run.execute.outcome === 'failed') {
      await this.record(
        executedEntry,
        `containment ${action.name} (${runId}) failed: ${run.execute.error} (${seconds(run.execute.durationMs)})`,
        run,
      );
      return { ...base, state: 'failed', error: run.execute.error, durationMs: run.execute.durationMs };
    }
    // the timeline gets one event per run, once verified; the audit gets each step as it happens
    await this.record(executedEntry, null, run);
    const verify = await this.verifyRun(action, runCtx, run, 'execute', common);
    await this.recordTimeline(
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
      verify: { outcome: verify.outcome, observed: verify.error ?? verify.observed },
      durationMs: run.execute.durationMs + verify.durationMs,
    };
  }

  private async verifyRun(
    action: ResolvedAction,
    ctx: RunContext<unknown, unknown>,
    run: ContainmentRun,
    after: 'execute' | 'undo',
    common: Omit<AuditEntry, 'seq' | 'at' | 'event' | 'outcome' | 'requests'>,
  ): Promise<NonNullable<ContainmentRun['verify']>> {
    const redact = redactor(action.secrets);
    const http = this.httpClient(action);
    const started = performance.now();
    const planned = redactDeep(action.adapter.plan('verify', ctx, run.state), redact);
    let result: NonNullable<ContainmentRun['verify']>;
    try {
      const outcome = await action.adapter.verify({ ...ctx, http }, run.state, after);
      result = {
        outcome: outcome.verified ? 'verified' : 'not_verified',
        observed: redact(outcome.observed),
        status: outcome.status ?? http.lastStatus,
        durationMs: Math.round(performance.now() - started),
        at: this.deps.clock.now().toISOString(),
      };
    } catch (error) {
      result = {
        outcome: 'failed',
        observed: 'could not read the target back',
        error: redact((error as Error).message),
        status: error instanceof TargetError ? error.details.status : http.lastStatus,
        durationMs: Math.round(performance.now() - started),
        at: this.deps.clock.now().toISOString(),
      };
    }
    if (after === 'execute') run.verify = result;
    else run.undoVerify = result;
    await this.record(
      {
        ...common,
        at: result.at,
        event: 'verified',
        outcome: result.outcome,
        requests: planned,
        responseStatus: result.status,
        durationMs: result.durationMs,
        detail: `after ${after}: ${result.observed}`,
        error: result.error,
      },
      null,
      run,
    );
    return result;
  }

  /** Runs to undo for `r3` (one) or `p2` (every control in force from that playbook, last first). */
  private async undoableRuns(incidentId: string, runId: string): Promise<ContainmentRun[]> {
    const usage = '/contain undo <run-id>';
    if (/^p\d+$/.test(runId)) {
      const runs = (await this.deps.store.runs(incidentId)).filter(
        (r) =>
          r.playbook?.id === runId && (r.status === 'in_force' || r.status === 'undo_failed') && r.undoable,
      );
      if (!runs.length)
        throw new UsageError(`Playbook run ${runId} has no controls in force that can be undone.`, usage);
      return runs.reverse();
    }
    const run = /^r\d+$/.test(runId) ? await this.deps.store.run(incidentId, runId) : undefined;
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

  private async runUndo(
    incident: Incident,
    pending: PendingConfirmation,
    user: string,
  ): Promise<ExecutionReport> {
    const runs = await this.undoableRuns(incident.id, pending.name);
    const actions = runs.map((run) => this.requireAction(run.action));
    await this.authorize(incident, user, actions, `undo ${pending.name}`);
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
      report.groups.push([await this.undoOne(incident, run, actions[i]!, user)]);
    report.finished = true;
    report.durationMs = Math.round(performance.now() - started);
    if (incident.channelId) {
      const channel = incident.channelId;
      await this.bestEffort('post undo result', () =>
        this.deps.chat.postMessage(channel, this.deps.views.report(report)),
      );
    }
    return report;
  }

  private async undoOne(
    incident: Incident,
    run: ContainmentRun,
    action: ResolvedAction,
    user: string,
  ): Promise<StepReport> {
    const redact = redactor(action.secrets);
    const ctx = this.planContext(action, run.args, incident.id, run.id);
    const runCtx: RunContext<unknown, unknown> = {
      ...ctx,
      http: this.httpClient(action),
      timeoutMs: action.timeoutMs,
    };
    const planned = redactDeep(action.adapter.plan('undo', ctx, run.state), redact);
    const common = {
      incidentId: incident.id,
      actor: user,
      action: action.name,
      adapter: action.adapter.id,
      target: run.target,
      runId: run.id,
      playbook: run.playbook,
      dryRun: false,
      args: run.args,
    };
    const undone = await runPhase(
      () => action.adapter.undo!(runCtx, run.state),
      runCtx.http,
      redact,
      'the target did not accept the undo',
      () => this.deps.clock.now().toISOString(),
      user,
    );
    const undo = undone.result;
    run.undo = undo;
    run.status = undone.outcome ? 'undone' : 'undo_failed';
    const undoneEntry = phaseEntry(common, 'undone', undo, planned);
    await this.record(
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
    const verify = await this.verifyRun(action, runCtx, run, 'undo', common);
    await this.recordTimeline(
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

  /**
   * Appends to the audit first (it must never be lost; the run record is saved in the same round
   * trip), then, when there is text, to the timeline. One incident's records are written one after
   * another so parallel steps do not race on the incident's version.
   */
  private async record(
    entry: Omit<AuditEntry, 'seq'>,
    text: string | null,
    run?: ContainmentRun,
  ): Promise<void> {
    await this.serialize(entry.incidentId, async () => {
      await this.deps.store.appendAudit(entry, run);
      if (text !== null)
        await this.writeTimeline(
          entry.incidentId,
          entry.actor,
          `containment_${entry.event}`,
          text,
          timelineData(entry),
        );
    });
  }

  private recordTimeline(
    incidentId: string,
    actor: string,
    kind: ContainmentTimelineKind,
    text: string,
    data: Record<string, unknown>,
  ) {
    return this.serialize(incidentId, () => this.writeTimeline(incidentId, actor, kind, text, data));
  }

  private async writeTimeline(
    incidentId: string,
    actor: string,
    kind: ContainmentTimelineKind,
    text: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.deps.incidents.record(incidentId, actor, kind, text, data);
    } catch (error) {
      this.deps.logger.error(
        { err: error, incidentId },
        'containment timeline event not recorded (the audit has it)',
      );
    }
  }

  private serialize<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }

  private async bestEffort<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      this.deps.logger.warn({ err: error }, `${what} failed`);
      return undefined;
    }
  }
}
