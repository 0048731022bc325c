import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { QuellError, UsageError } from '../errors.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { SYSTEM_ACTOR } from '../incidents/timeline.js';
import type { Logger } from '../logging/logger.js';
import type { PostGuard } from '../reminders/post-guard.js';
import type { ReminderQueue } from '../reminders/queue.js';
import { asJobError, RetryLaterError } from '../reminders/retry.js';
import { type ActionOverduePayload, actionOverdueJob } from './jobs.js';
import type { ResolutionPresenter } from './presenter.js';
import type { CorrectiveAction, ResolutionStore } from './store.js';

export interface CorrectiveActionsDeps {
  store: ResolutionStore;
  incidentStore: IncidentStore;
  incidents: IncidentService;
  queue: ReminderQueue;
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
 * job on the reminder queue for its due time; when it fires and the action is still open the
 * owner is reminded once, in the incident channel, and the timeline says so.
 */
export class CorrectiveActions {
  constructor(private readonly deps: CorrectiveActionsDeps) {}

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
      `added corrective action ${action.id} for <@${action.owner}>, due ${action.dueAt.slice(0, 10)}: ${text}`,
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
    await this.deps.queue.bull
      .remove(actionOverdueJob.jobId({ actionId: action.id, dueAt: action.dueAt }))
      .catch(() => 0);
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

  private async schedule(action: CorrectiveAction): Promise<void> {
    const payload = actionOverdueJob.payload.parse({
      actionId: action.id,
      incidentId: action.incidentId,
      dueAt: action.dueAt,
    });
    await this.deps.queue.bull.add(actionOverdueJob.name, payload, {
      ...actionOverdueJob.options,
      jobId: actionOverdueJob.jobId(payload),
      delay: Math.max(0, Date.parse(action.dueAt) - this.deps.clock.now().getTime()),
    });
  }
}

/** Runs the overdue reminder (in the reminder worker): once per action and due time, only if still open. */
export function actionOverdueHandler(deps: {
  actions: CorrectiveActions;
  incidentStore: IncidentStore;
  incidents: IncidentService;
  chat: ChatPort;
  views: ResolutionPresenter;
  guard: PostGuard;
  clock: Clock;
}) {
  return async (job: Job): Promise<ActionReminderOutcome> => {
    const parsed = actionOverdueJob.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed ${job.name} job ${job.id}`);
    return remindOverdue(deps, parsed.data);
  };
}

async function remindOverdue(
  deps: Parameters<typeof actionOverdueHandler>[0],
  payload: ActionOverduePayload,
): Promise<ActionReminderOutcome> {
  const action = await deps.actions.require(payload.actionId).catch(() => undefined);
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
    throw asJobError(error);
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
