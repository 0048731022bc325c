import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { QuellError, UsageError } from '../errors.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { SYSTEM_ACTOR } from '../incidents/timeline.js';
import {
  classifyJobError,
  type JobDefinition,
  type JobRuntime,
  type PostGuard,
  RetryLaterError,
} from '../jobs/index.js';
import type { Logger } from '../logging/logger.js';
import { safeText } from '../text/safe-text.js';
import { type ActionJobs, type ActionOverduePayload, actionJobs, actionOverdueJobId } from './jobs.js';
import type { ResolutionPresenter } from './presenter.js';
import type { CorrectiveAction, ResolutionStore } from './store.js';

export interface CorrectiveActionsDeps {
  store: ResolutionStore;
  incidentStore: IncidentStore;
  incidents: IncidentService;
  jobs: JobRuntime;
  /** The background chat (fail-fast, timeouts): the job runtime retries a failed reminder. */
  chat: ChatPort;
  views: ResolutionPresenter;
  /** Exactly-once posting of each reminder (at-least-once jobs). */
  guard: PostGuard;
  clock: Clock;
  logger: Logger;
}

export const MAX_ACTION_TEXT = 500;

export class ActionNotFoundError extends QuellError {
  constructor(id: string) {
    super(
      'action_not_found',
      `There is no corrective action ${id}; \`/incident actions\` lists the open ones.`,
    );
  }
}

/** What an overdue-reminder job did (its return value, in logs and tests). */
export type ActionReminderOutcome = 'posted' | 'already-posted' | 'dropped-done' | 'dropped-missing';

/**
 * Corrective actions from the postmortem: owner, due date, text. Each open action has one delayed
 * job (background lane) for its due time; when it fires and the action is still open the owner is
 * reminded once, in the incident channel, and the timeline says so.
 */
export class CorrectiveActions {
  readonly jobs: ActionJobs;

  constructor(private readonly deps: CorrectiveActionsDeps) {
    this.jobs = actionJobs({
      remind: (payload) => remindOverdue(this.deps, this, payload),
      reconcile: () => this.reconcile(),
      recordFailure: (payload, reason) => this.recordReminderFailure(payload, reason),
    });
  }

  /** Every job type of this feature, for the runtime to register. */
  get jobTypes(): JobDefinition[] {
    return [this.jobs.overdue, this.jobs.reconcile] as JobDefinition[];
  }

  async add(input: {
    incidentId: string;
    actor: string;
    owner: string;
    dueAt: Date;
    text: string;
  }): Promise<CorrectiveAction> {
    const { store, clock } = this.deps;
    const text = input.text.trim();
    if (!text) throw new UsageError('Say what has to be done.');
    if (text.length > MAX_ACTION_TEXT)
      throw new UsageError(`Keep the action under ${MAX_ACTION_TEXT} characters.`);
    if (input.dueAt.getTime() <= clock.now().getTime())
      throw new UsageError('The due date has already passed.');
    const incident = await this.deps.incidentStore.require(input.incidentId);
    await this.deps.incidents.permissions.authorize(input.actor, 'actions', incident, { subject: 'add' });
    const action: CorrectiveAction = {
      id: await store.nextActionId(),
      incidentId: input.incidentId,
      owner: input.owner,
      text,
      dueAt: input.dueAt.toISOString(),
      createdBy: input.actor,
      createdAt: clock.now().toISOString(),
      status: 'open',
    };
    await store.saveAction(action);
    await this.deps.incidents.record(
      action.incidentId,
      input.actor,
      'action_added',
      `added corrective action ${action.id} for <@${action.owner}>, due ${action.dueAt.slice(0, 10)}: ${safeText(text, 'plain')}`,
      { ...action },
    );
    await this.schedule(action);
    return action;
  }

  async done(id: string, actor: string): Promise<CorrectiveAction> {
    const action = await this.require(id);
    const incident = await this.deps.incidentStore.require(action.incidentId);
    // the owner may always close their own action
    if (action.owner !== actor)
      await this.deps.incidents.permissions.authorize(actor, 'actions', incident, { subject: `close ${id}` });
    if (action.status === 'done') throw new UsageError(`${id} is already done.`);
    const closed: CorrectiveAction = {
      ...action,
      status: 'done',
      doneBy: actor,
      doneAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.store.saveAction(closed);
    await this.deps.incidents.record(
      action.incidentId,
      actor,
      'action_done',
      `closed corrective action ${id}: ${action.text}`,
      {
        id,
        owner: action.owner,
      },
    );
    // tidiness: a reminder that fires anyway finds the action done and posts nothing
    await this.deps.jobs.remove(
      this.jobs.overdue,
      actionOverdueJobId({ actionId: action.id, dueAt: action.dueAt }),
    );
    return closed;
  }

  async require(id: string): Promise<CorrectiveAction> {
    const action = await this.deps.store.action(id.toUpperCase());
    if (!action) throw new ActionNotFoundError(id);
    return action;
  }

  listOpen(): Promise<CorrectiveAction[]> {
    return this.deps.store.openActions();
  }

  ofIncident(incidentId: string): Promise<CorrectiveAction[]> {
    return this.deps.store.actionsOf(incidentId);
  }

  /** Puts back the reminder job of every open action (idempotent: same job ids). */
  async reconcile(): Promise<number> {
    const open = await this.listOpen();
    for (const action of open) await this.schedule(action);
    return open.length;
  }

  /** Where workers run: the periodic reconciliation, every `everyMs`, on one replica at a time. */
  async scheduleReconciliation(everyMs: number): Promise<void> {
    await this.deps.jobs.every(this.jobs.reconcile, everyMs, {});
  }

  private async schedule(action: CorrectiveAction): Promise<void> {
    await this.deps.jobs.enqueue(
      this.jobs.overdue,
      { actionId: action.id, incidentId: action.incidentId, dueAt: action.dueAt },
      { at: new Date(action.dueAt) },
    );
  }

  private async recordReminderFailure(payload: ActionOverduePayload, reason: string): Promise<void> {
    if (!(await this.deps.incidentStore.get(payload.incidentId))) return;
    await this.deps.incidents.record(
      payload.incidentId,
      SYSTEM_ACTOR,
      'reminder_failed',
      `could not remind about corrective action ${payload.actionId}: ${reason}`,
      { what: 'action overdue', actionId: payload.actionId, dueAt: payload.dueAt, reason },
    );
  }
}

/** The overdue reminder (a background job): once per action and due time, only if still open. */
async function remindOverdue(
  deps: CorrectiveActionsDeps,
  actions: CorrectiveActions,
  payload: ActionOverduePayload,
): Promise<ActionReminderOutcome> {
  const action = await actions.require(payload.actionId).catch(() => undefined);
  const incident = await deps.incidentStore.get(payload.incidentId);
  if (!action || !incident) return 'dropped-missing';
  if (action.status === 'done' || action.dueAt !== payload.dueAt) return 'dropped-done';
  let claim = await deps.guard.claim(incident.id, `action-${action.id}`, Date.parse(action.dueAt));
  if (claim.outcome === 'posted') return 'already-posted';
  // an earlier attempt's fate is unknown: a second reminder is better than none
  if ('takeOver' in claim) claim = await claim.takeOver();
  if (claim.outcome !== 'claimed') throw new RetryLaterError('another run is posting this reminder', 5_000);
  // the incident channel when there is one, else the owner's direct messages
  const channel = incident.channelId ?? action.owner;
  let ts: string;
  try {
    ts = (await deps.chat.postMessage(channel, deps.views.actionOverdue(incident, action))).ts;
  } catch (error) {
    await claim.release().catch(() => undefined);
    throw classifyJobError(error);
  }
  const at = deps.clock.now();
  await claim.confirm(at, ts);
  await deps.incidents.record(
    incident.id,
    SYSTEM_ACTOR,
    'action_overdue',
    `reminded <@${action.owner}> that corrective action ${action.id} is overdue`,
    { id: action.id, owner: action.owner, dueAt: action.dueAt, ts },
  );
  return 'posted';
}
