// Over 500 lines on purpose: this is the one change path, one public method per kind of incident
// change, each the same short pipeline (authorize, validate, persist with its timeline event, refresh
// the summary, notify). Declare's channel steps live in channel-setup.ts; the next split is declare.
import type { Logger } from 'pino';
import { ChatError, type ChatMessage, type ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import { InvalidTransitionError, NotAnIncidentChannelError, QuellError, UsageError } from '../errors.js';
import { retryDelay } from '../jobs/classify.js';
import { crashPoint } from '../jobs/crash-points.js';
import { WritesNotReplicatedError } from '../redis/replication.js';
import { labelMentions, safeText } from '../text/safe-text.js';
import { IncidentAnnouncements } from './announcements.js';
import { nextUpdateDueFrom } from './cadence.js';
import { IncidentChannelSetup, timelineEvent, topicOf } from './channel-setup.js';
import { assertTransition } from './lifecycle.js';
import {
  AGENT_FIELD_LABELS,
  type AgentField,
  type Incident,
  type IncidentCategory,
  isAutomationActor,
  type ReactivationPlan,
  ROLE_LABELS,
  type Role,
  type Severity,
  type Status,
} from './model.js';
import {
  type AuthorizeOptions,
  type Operation,
  type Permissions,
  RulePermissions,
  roleOperation,
} from './permissions.js';
import type { IncidentPresenter } from './presenter.js';
import { IncidentVisibility, isPrivateIncident } from './privacy.js';
import { PrivateFollowUp } from './private-follow-up.js';
import { findEarlierPost, SetupProgress } from './setup-progress.js';
import type { IncidentStore } from './store.js';
import type { SummaryRenderer } from './summary-render.js';
import type { TimelineEvent, TimelineKind } from './timeline.js';

export interface DeclareInput {
  title: string;
  severity: Severity;
  description?: string;
  drill?: boolean;
  announce?: boolean;
  agent?: Partial<Record<AgentField, string>>;
  /** Private channel and a detail-free announcement; unset: `incidents.privateByDefault` decides. */
  private?: boolean;
  category?: IncidentCategory;
  /** When the agent's misbehaviour started, if known (not after the declaration). */
  startedAt?: Date;
  declaredBy: string;
  /** The same key (trigger id, view id) never declares twice, so Slack retries are harmless. */
  idempotencyKey: string;
}

export interface DeclareOutcome {
  incident: Incident;
  /** False when this key had already declared the incident (a retry). */
  created: boolean;
  /** Set-up steps that failed; the incident exists regardless and the channel was told. */
  failures: string[];
}

/** What happened, handed to subscribers such as reminders and evidence after every stored change. */
export interface IncidentChange {
  before: Incident | null;
  incident: Incident;
  event: TimelineEvent;
}

export type IncidentSubscriber = (change: IncidentChange) => Promise<void>;

export interface IncidentServiceDeps {
  store: IncidentStore;
  chat: ChatPort;
  views: IncidentPresenter;
  config: QuellConfig;
  clock: Clock;
  logger: Logger;
  /** Who may do what; every operation below asks it first (default: the model on the config). */
  permissions?: Permissions;
  /**
   * Applies the pinned summary in version order across replicas (summary-render.ts); without it
   * each refresh sends its render directly (tests that need no Redis marks).
   */
  summaries?: Pick<SummaryRenderer, 'refresh'>;
}

const DECLARE_CLAIM_TTL_SECONDS = 24 * 3600;
/** Tries to store a redelivery while Redis is away (backoff 1 s doubling to 30 s: about 10 minutes). */
const REDELIVERY_STORE_TRIES = 25;
const REDELIVERY_STORE_BACKOFF = { baseMs: 1_000, maxMs: 30_000 };
export const MAX_TITLE_LENGTH = 120;

/**
 * The one path for every incident change: validate, persist with its timeline event, refresh the
 * pinned summary, tell the channel, then notify subscribers.
 */
export class IncidentService {
  private readonly subscribers: { name: string; subscriber: IncidentSubscriber }[] = [];
  /** Stores a change for the subscribers that failed on it (redelivery.ts); set by services.ts. */
  private queueRedelivery?: (change: IncidentChange, names: string[]) => Promise<void>;
  private idsReady: Promise<void> = Promise.resolve();
  /** Set once a restart gate guards resolution; resolving then needs this key. */
  private resolveKey?: symbol;

  private readonly channelSetup: IncidentChannelSetup;
  /** Who may do what; also for the other features, which decide their own operations through it. */
  readonly permissions: Permissions;

  constructor(private readonly deps: IncidentServiceDeps) {
    this.channelSetup = new IncidentChannelSetup(deps);
    this.permissions =
      deps.permissions ??
      new RulePermissions({ chat: deps.chat, logger: deps.logger, config: deps.config, clock: deps.clock });
  }

  /** `<@U1>` → `<@U1|Alice Chen>` in people's text, so it reads "@Alice Chen" wherever it is echoed. */
  private labelMentions(text: string): Promise<string> {
    return labelMentions(text, async (user) => (await this.deps.chat.userInfo(user)).name);
  }

  /** The incident, once `actor` may do `operation` on it (else the refusal is recorded and thrown). */
  private async authorized(
    incidentId: string,
    actor: string,
    operation: Operation,
    options?: AuthorizeOptions,
  ): Promise<Incident> {
    const incident = await this.deps.store.require(incidentId);
    await this.permissions.authorize(actor, operation, incident, options);
    return incident;
  }

  /**
   * New ids wait for `ready` (start-up's id floor check, which may advance the counter); it runs
   * beside everything else, so only a declare in its first moments waits. Never rejects.
   */
  holdIdsUntil(ready: Promise<unknown>): void {
    this.idsReady = ready.then(
      () => undefined,
      () => undefined,
    );
  }

  /** `name` is how a failed delivery names it when the change is handed to it again. Unique. */
  subscribe(name: string, subscriber: IncidentSubscriber): void {
    if (this.subscribers.some((s) => s.name === name))
      throw new Error(`two incident subscribers are named ${name}`);
    this.subscribers.push({ name, subscriber });
  }

  /** Where a change goes whose subscribers failed: a durable job that hands it to them again. */
  useRedelivery(queue: (change: IncidentChange, names: string[]) => Promise<void>): void {
    this.queueRedelivery = queue;
  }

  /**
   * The redelivery job: hands `change` to the named subscribers again. Throws (the job retries)
   * while any still fails; all named run again then, which idempotent subscribers allow.
   */
  async redeliver(change: IncidentChange, names: readonly string[]): Promise<void> {
    const failures = await this.deliver(
      change,
      this.subscribers.filter((s) => names.includes(s.name)),
    );
    if (failures.length)
      throw new Error(
        `incident subscribers still failing: ${failures.map((f) => `${f.name}: ${(f.error as Error).message}`).join('; ')}`,
      );
  }

  /** Hands `change` to each of `subscribers` in order; returns the ones that failed, with why. */
  private async deliver(
    change: IncidentChange,
    subscribers: readonly { name: string; subscriber: IncidentSubscriber }[],
  ): Promise<{ name: string; error: unknown }[]> {
    const failures: { name: string; error: unknown }[] = [];
    for (const { name, subscriber } of subscribers) {
      try {
        await subscriber(change);
      } catch (error) {
        failures.push({ name, error });
      }
    }
    return failures;
  }

  async declare(input: DeclareInput): Promise<DeclareOutcome> {
    const { store } = this.deps;
    const title = input.title.trim();
    if (!title) throw new UsageError('An incident needs a title.', '/incident declare sev1 <title>');
    if (title.length > MAX_TITLE_LENGTH)
      throw new UsageError(`Keep the title under ${MAX_TITLE_LENGTH} characters (it has ${title.length}).`);
    await this.permissions.authorize(input.declaredBy, 'declare', undefined);

    // Step "record": the key names the incident's id before the incident is stored, so a resumed
    // declare (same key, any replica) finds it and never makes a second incident.
    const earlier = await store.readClaim('declare', input.idempotencyKey);
    if (earlier?.startsWith('pending:'))
      throw new QuellError('declare_in_progress', 'This incident is already being declared.');
    if (earlier && (await store.readClaim('declare-step', `${earlier}.setup`)) === 'done') {
      const incident = await store.get(earlier);
      if (incident) {
        // the earlier run may have stopped at the replica check
        await this.confirmReplicated(incident.id);
        return { incident, created: false, failures: [] };
      }
    }
    const id = earlier ?? (await this.reserveIncidentId(input.idempotencyKey));
    let incident = await store.get(id);
    const created = !incident;
    if (!incident) {
      incident = this.newIncident(id, title, input);
      await store.create(incident, this.declaredEvent(incident, input.declaredBy)).catch(async (error) => {
        // a concurrent run with the same key stored it first: carry on with theirs
        if (!(await store.get(id))) throw error;
      });
      incident = (await store.get(id))!;
    }
    crashPoint('declare.record');

    const { incident: opened, failures } = await this.channelSetup.open(incident, input);
    await store.setClaim('declare-step', `${id}.setup`, 'done', DECLARE_CLAIM_TTL_SECONDS);
    // subscribers (update reminders) are idempotent: a resumed declare tells them again
    await this.notify({
      before: null,
      incident: opened,
      event: this.declaredEvent(opened, input.declaredBy),
    });
    await this.confirmReplicated(opened.id);
    return { incident: opened, created, failures };
  }

  /**
   * A declare is reported only once a replica holds it (redis.replicaAcks): a failover now would
   * otherwise lose an incident people were told exists. Not confirmed: the person is told to run
   * it again, which carries on with the same incident if Redis kept it.
   */
  private async confirmReplicated(id: string): Promise<void> {
    try {
      await this.deps.store.confirmReplicated(id);
    } catch (error) {
      if (!(error instanceof WritesNotReplicatedError)) throw error;
      throw new QuellError(
        'not_replicated',
        `${id} may not be saved yet: ${error.message}. Run the same command again in a moment; it carries on with ${id} if Redis kept it.`,
        { cause: error },
      );
    }
  }

  /** A new incident id for this key; two runs racing for one key get the same id. */
  private async reserveIncidentId(idempotencyKey: string): Promise<string> {
    const { store, config } = this.deps;
    await this.idsReady;
    const id = `${config.incidents.idPrefix}-${await store.nextSequence()}`;
    const winner = await store.claimOnce('declare', idempotencyKey, id, DECLARE_CLAIM_TTL_SECONDS);
    return winner ?? id;
  }

  private newIncident(id: string, title: string, input: DeclareInput): Incident {
    const { config, clock } = this.deps;
    const now = clock.now();
    return {
      id,
      seq: Number(id.slice(config.incidents.idPrefix.length + 1)),
      title,
      description: input.description?.trim() ?? '',
      severity: input.severity,
      status: 'investigating',
      drill: input.drill ?? false,
      roles:
        config.incidents.declarerIsCommander && !isAutomationActor(input.declaredBy)
          ? { commander: input.declaredBy }
          : {},
      agent: input.agent ?? {},
      ...(isPrivateIncident(config.incidents.privateByDefault, input) ? { private: true } : {}),
      ...(input.category ? { category: input.category } : {}),
      declaredBy: input.declaredBy,
      createdAt: now.toISOString(),
      ...(input.startedAt && input.startedAt <= now ? { startedAt: input.startedAt.toISOString() } : {}),
      updatedAt: now.toISOString(),
      nextUpdateDueAt: nextUpdateDueFrom(input.severity, now, config),
      version: 0,
    };
  }

  private declaredEvent(incident: Incident, actor: string): TimelineEvent {
    return this.event(
      incident,
      actor,
      'declared',
      `Declared ${this.sevLabel(incident)}: ${safeText(incident.title, 'plain')}`,
      {
        severity: incident.severity,
        drill: incident.drill,
      },
    );
  }

  /** The incident with this id (IncidentNotFoundError when there is none). */
  async require(incidentId: string): Promise<Incident> {
    return this.deps.store.require(incidentId);
  }

  async findForChannel(channelId: string): Promise<Incident | undefined> {
    return this.deps.store.findByChannel(channelId);
  }

  /** The incident whose channel this is; the error names the command that needs one. */
  async requireForChannel(channelId: string, command: string): Promise<Incident> {
    const incident = await this.deps.store.findByChannel(channelId);
    if (!incident) throw new NotAnIncidentChannelError(command);
    return incident;
  }

  async setSeverity(incidentId: string, actor: string, severity: Severity): Promise<Incident> {
    const { config, clock } = this.deps;
    const before = await this.deps.store.require(incidentId);
    if (before.severity !== severity)
      await this.permissions.authorize(
        actor,
        severity < before.severity ? 'severity.raise' : 'severity.lower',
        before,
        { subject: `${this.label(before.severity)} → ${this.label(severity)}` },
      );
    return this.change(incidentId, actor, (current) => {
      if (current.severity === severity)
        throw new UsageError(`The severity is already ${this.label(severity)}.`);
      const direction = severity < current.severity ? 'raised' : 'lowered';
      return {
        incident: {
          ...current,
          severity,
          // a new severity restarts the update clock at its own cadence
          nextUpdateDueAt:
            current.status === 'resolved' ? null : nextUpdateDueFrom(severity, clock.now(), config),
        },
        kind: 'severity_changed',
        text: `${direction} severity ${this.label(current.severity)} → ${this.label(severity)}`,
        data: { from: current.severity, to: severity },
      };
    });
  }

  /**
   * From now on only the holder of the returned key may resolve: the restart gate (src/resolution)
   * takes it, so no path around the gate can resolve an incident.
   */
  guardResolution(): symbol {
    if (this.resolveKey) throw new Error('resolution is already guarded');
    this.resolveKey = Symbol('resolve');
    return this.resolveKey;
  }

  async setStatus(incidentId: string, actor: string, status: Status, resolveKey?: symbol): Promise<Incident> {
    const { config, clock } = this.deps;
    if (status === 'resolved' && this.resolveKey && resolveKey !== this.resolveKey)
      throw new InvalidTransitionError('Resolving goes through the restart gate: run `/incident resolve`.');
    const before = await this.deps.store.require(incidentId);
    const operation: Operation =
      status === 'resolved' ? 'resolve' : before.status === 'resolved' ? 'reopen' : 'status';
    await this.permissions.authorize(actor, operation, before, { subject: status });
    return this.change(incidentId, actor, (current) => {
      assertTransition(current.status, status);
      const now = clock.now();
      const reopened = current.status === 'resolved';
      return {
        incident: {
          ...current,
          status,
          resolvedAt: status === 'resolved' ? now.toISOString() : undefined,
          nextUpdateDueAt:
            status === 'resolved'
              ? null
              : reopened
                ? nextUpdateDueFrom(current.severity, now, config)
                : current.nextUpdateDueAt,
        },
        kind: 'status_changed',
        text: reopened ? `reopened the incident (${status})` : `changed status ${current.status} → ${status}`,
        data: { from: current.status, to: status },
      };
    });
  }

  async assignRole(incidentId: string, actor: string, role: Role, user: string): Promise<Incident> {
    await this.authorized(incidentId, actor, roleOperation(role), {
      target: user,
      subject: `${ROLE_LABELS[role].toLowerCase()}: <@${user}>`,
    });
    const profile = await this.deps.chat.userInfo(user).catch((error: unknown) => {
      if (error instanceof ChatError && error.code === 'user_not_found')
        throw new UsageError(`<@${user}> is not a user in this workspace.`);
      throw error;
    });
    if (profile.deleted) throw new UsageError(`<@${user}> is deactivated and cannot hold a role.`);
    if (profile.isBot) throw new UsageError(`<@${user}> is an app, not a person; roles go to people.`);
    // role holders act without a lookup later on (permissions.ts), so they are checked here
    const barred = this.permissions.barred?.(profile);
    if (barred) throw new UsageError(`<@${user}> cannot hold a role: ${barred}.`);

    const incident = await this.change(incidentId, actor, (current) => {
      if (current.roles[role] === user)
        throw new UsageError(`<@${user}> is already the ${ROLE_LABELS[role].toLowerCase()}.`);
      return {
        incident: { ...current, roles: { ...current.roles, [role]: user } },
        kind: 'role_assigned',
        text: `made <@${user}> ${ROLE_LABELS[role].toLowerCase()}`,
        data: { role, user, previous: current.roles[role] ?? null },
      };
    });
    if (incident.channelId)
      await this.bestEffort('invite role holder', () =>
        this.deps.chat.inviteUsers(incident.channelId!, [user]),
      );
    return incident;
  }

  async setAgentFact(incidentId: string, actor: string, field: AgentField, typed: string): Promise<Incident> {
    await this.authorized(incidentId, actor, 'agent.facts', {
      subject: AGENT_FIELD_LABELS[field].toLowerCase(),
    });
    const value = await this.labelMentions(typed);
    return this.change(incidentId, actor, (current) => ({
      incident: { ...current, agent: { ...current.agent, [field]: value } },
      kind: 'agent_fact',
      text: `recorded ${AGENT_FIELD_LABELS[field].toLowerCase()}: ${safeText(value, 'plain')}`,
      data: { field, value, previous: current.agent[field] ?? null },
    }));
  }

  /** Records how the agent comes back (shadow/read-only → limited → full); the summary shows it. */
  async setReactivationPlan(
    incidentId: string,
    actor: string,
    steps: ReactivationPlan['steps'],
  ): Promise<Incident> {
    await this.authorized(incidentId, actor, 'reactivation-plan');
    const plan: ReactivationPlan = {
      steps,
      recordedBy: actor,
      recordedAt: this.deps.clock.now().toISOString(),
    };
    const described = steps.map((s) => `${s.stage} (<@${s.owner}>)`).join(' → ');
    return this.change(incidentId, actor, (current) => ({
      incident: { ...current, reactivationPlan: plan },
      kind: 'reactivation_plan',
      text: `${current.reactivationPlan ? 'changed' : 'recorded'} the reactivation plan: ${described}`,
      data: { steps, previous: current.reactivationPlan?.steps ?? null },
    }));
  }

  async addNote(incidentId: string, actor: string, text: string): Promise<void> {
    await this.authorized(incidentId, actor, 'note');
    // the event's line is what people read back: their words, never a live ping or masked link
    const labelled = await this.labelMentions(text);
    await this.record(incidentId, actor, 'note', safeText(labelled, 'plain'), { text: labelled });
  }

  /** Records a chat message (from the message shortcut) with its permalink. */
  async addMessage(
    incidentId: string,
    actor: string,
    message: { channel: string; ts: string; author?: string; text: string },
  ): Promise<void> {
    await this.authorized(incidentId, actor, 'note');
    const permalink = await this.deps.chat.permalink(message.channel, message.ts);
    const by = message.author ? ` by <@${message.author}>` : '';
    await this.record(
      incidentId,
      actor,
      'message_added',
      `added a message${by} to the timeline: ${safeText(await this.labelMentions(message.text), 'plain')}`,
      {
        permalink,
        channel: message.channel,
        ts: message.ts,
        author: message.author ?? null,
        messageText: message.text,
      },
    );
  }

  /** The announcement follows the incident: services.ts subscribes `announcements.follow`. */
  get announcements(): IncidentAnnouncements {
    return new IncidentAnnouncements(this.deps);
  }

  /** The entries whose incident `user` may see outside its channel (a private one: members only). */
  visibleTo<T extends { incident: Incident }>(entries: readonly T[], user: string): Promise<T[]> {
    return new IncidentVisibility(this.deps).visibleTo(entries, user);
  }

  /** The entries (by `incidentId`) whose incident `user` may see outside its channel. */
  async visibleById<T extends { incidentId: string }>(entries: readonly T[], user: string): Promise<T[]> {
    const ids = [...new Set(entries.map((e) => e.incidentId))];
    const incidents = await Promise.all(ids.map((id) => this.deps.store.get(id)));
    const visible = await this.visibleTo(
      incidents.filter((i): i is Incident => i !== undefined).map((incident) => ({ incident })),
      user,
    );
    const seen = new Set(visible.map((v) => v.incident.id));
    return entries.filter((e) => seen.has(e.incidentId));
  }

  /**
   * Slack cannot make a live public channel private: the incident moves to a private follow-up
   * channel instead (private-follow-up.ts), and from then on it is private.
   */
  async moveToPrivateChannel(
    incidentId: string,
    actor: string,
  ): Promise<{ incident: Incident; failures: string[] }> {
    await this.authorized(incidentId, actor, 'role.commander', { subject: 'private follow-up channel' });
    const { before, incident, event, failures } = await new PrivateFollowUp(this.deps).open(
      incidentId,
      actor,
    );
    await this.notify({ before, incident, event });
    return { incident, failures };
  }

  /**
   * App Home's bounded view: the most severe active incidents (at most `active`), how many are
   * active, and the `recent` newest incidents, live or compacted (store.homeView: a fixed number of
   * Redis round trips whatever the number of incidents).
   */
  homeView(limits: { active: number; recent: number }): ReturnType<IncidentStore['homeView']> {
    return this.deps.store.homeView(limits);
  }

  timeline(incidentId: string): Promise<TimelineEvent[]> {
    return this.deps.store.timeline(incidentId);
  }

  /** Appends an event that changes no incident field (notes, containment results, comms...). */
  async record(
    incidentId: string,
    actor: string,
    kind: TimelineKind,
    text: string,
    data: Record<string, unknown>,
  ): Promise<TimelineEvent> {
    const { before, incident, event } = await this.deps.store.update(incidentId, (current) => {
      const incident = { ...current, updatedAt: this.deps.clock.now().toISOString() };
      return { incident, event: this.event(incident, actor, kind, text, data) };
    });
    const recorded = event!;
    await this.notify({ before, incident, event: recorded });
    return recorded;
  }

  /** Re-renders the pinned summary from the stored state. Safe to call at any time. */
  async refreshSummary(incidentId: string): Promise<void> {
    if (this.deps.summaries) {
      await this.deps.summaries.refresh(incidentId);
      return;
    }
    const incident = await this.deps.store.require(incidentId);
    if (!incident.channelId || !incident.summaryTs) return;
    await this.deps.chat.updateMessage(
      incident.channelId,
      incident.summaryTs,
      this.deps.views.summary(incident),
    );
  }

  /**
   * Moves the update clock (a structured update, a snooze): the same path as every change, except
   * that the caller supplies the channel message (the update itself rather than a one-line notice).
   * `apply` runs on a fresh read and may throw a UsageError to refuse.
   */
  async changeUpdateClock(
    incidentId: string,
    actor: string,
    apply: (current: Incident) => {
      nextUpdateDueAt: string | null;
      kind: TimelineKind;
      text: string;
      data: Record<string, unknown>;
    },
    message: (incident: Incident, event: TimelineEvent) => ChatMessage,
    /** The request's idempotency key: the change is recorded once however often it is run. */
    options: { requestKey?: string } = {},
  ): Promise<Incident> {
    await this.authorized(incidentId, actor, 'update');
    return this.change(
      incidentId,
      actor,
      (current) => {
        const { nextUpdateDueAt, ...event } = apply(current);
        return { incident: { ...current, nextUpdateDueAt }, ...event };
      },
      message,
      options.requestKey,
    );
  }

  /**
   * Changes the incident's notification obligations (src/obligations authorizes and validates):
   * the same path as every change, with the obligation's own channel notice.
   */
  async changeObligations(
    incidentId: string,
    actor: string,
    apply: (current: Incident) => {
      obligations: NonNullable<Incident['obligations']>;
      kind: TimelineKind;
      text: string;
      data: Record<string, unknown>;
    },
    message: (incident: Incident, event: TimelineEvent) => ChatMessage,
    options: { requestKey?: string } = {},
  ): Promise<Incident> {
    return this.change(
      incidentId,
      actor,
      (current) => {
        const { obligations, ...event } = apply(current);
        return { incident: { ...current, obligations }, ...event };
      },
      message,
      options.requestKey,
    );
  }

  private async change(
    incidentId: string,
    actor: string,
    apply: (current: Incident) => {
      incident: Incident;
      kind: TimelineKind;
      text: string;
      data: Record<string, unknown>;
    },
    notice?: (incident: Incident, event: TimelineEvent) => ChatMessage,
    requestKey?: string,
  ): Promise<Incident> {
    const { store } = this.deps;
    const now = this.deps.clock.now().toISOString();
    // A run with a request key that finds its event already recorded is a resume (the job re-ran
    // after a crash): it records nothing again and finishes the steps after the record.
    const earlier = requestKey ? await this.recordedChange(incidentId, requestKey) : undefined;
    let before: Incident | null;
    let incident: Incident;
    let recorded: TimelineEvent;
    if (earlier) {
      incident = await store.require(incidentId);
      before = null;
      recorded = earlier;
    } else {
      const saved = await store.update(incidentId, (current) => {
        const result = apply(current);
        const incident = { ...result.incident, updatedAt: now };
        const data = requestKey ? { ...result.data, requestKey } : result.data;
        return { incident, event: this.event(incident, actor, result.kind, result.text, data) };
      });
      ({ before, incident } = saved);
      recorded = saved.event!;
    }
    const flow = recorded.kind.replace(/_/g, '-');
    crashPoint(`${flow}.recorded`);
    await this.bestEffort('refresh summary', () => this.refreshSummary(incident.id));
    crashPoint(`${flow}.summary`);
    if (incident.channelId) {
      const channel = incident.channelId;
      const topic = topicOf(incident, this.deps.config);
      if (!before || topic !== topicOf(before, this.deps.config))
        await this.bestEffort('update topic', () => this.deps.chat.setTopic(channel, topic));
      const message = () =>
        notice ? notice(incident, recorded) : this.deps.views.changeNotice(incident, recorded);
      await this.bestEffort('post change notice', () =>
        requestKey
          ? this.postChangeOnce(requestKey, channel, message)
          : this.deps.chat.postMessage(channel, message()),
      );
    }
    crashPoint(`${flow}.posted`);
    await this.notify({ before, incident, event: recorded });
    return incident;
  }

  /** The event a change with this request key recorded, if one did. */
  private async recordedChange(incidentId: string, requestKey: string): Promise<TimelineEvent | undefined> {
    const events = await this.deps.store.timeline(incidentId);
    return events.find((e) => e.data.requestKey === requestKey);
  }

  /** The channel message of a keyed change, posted once across re-runs (see SetupProgress). */
  private async postChangeOnce(
    requestKey: string,
    channel: string,
    message: () => ChatMessage,
  ): Promise<void> {
    const progress = new SetupProgress(this.deps.store, 'change-step', requestKey);
    if (await progress.done('post')) return;
    const intent = await progress.intend('post', String(Date.now()));
    const rendered = message();
    const earlier = intent.earlier
      ? await findEarlierPost(this.deps.chat, channel, rendered.text, Number(intent.value))
      : undefined;
    if (!earlier) await this.deps.chat.postMessage(channel, rendered);
    await progress.mark('post');
  }

  /**
   * Tells every subscriber; the change is saved already, so a failure fails nothing for the person.
   * The subscribers that failed get the change again from a durable job; storing that job is
   * retried here with backoff while Redis is away (a crash then loses it: the reminders' start-up
   * sweep and the declare's resume cover the prompts).
   */
  private async notify(change: IncidentChange): Promise<void> {
    const failures = await this.deliver(change, this.subscribers);
    for (const { name, error } of failures)
      this.deps.logger.warn(
        { err: error, subscriber: name, incidentId: change.incident.id, kind: change.event.kind },
        'incident subscriber failed; the change will be handed to it again',
      );
    if (failures.length)
      await this.storeRedelivery(
        change,
        failures.map((f) => f.name),
      );
  }

  private async storeRedelivery(change: IncidentChange, names: string[], attempt = 0): Promise<void> {
    const queue = this.queueRedelivery;
    if (!queue) return;
    try {
      await queue(change, names);
    } catch (error) {
      if (attempt >= REDELIVERY_STORE_TRIES) {
        this.deps.logger.error(
          { err: error, subscribers: names, incidentId: change.incident.id },
          'could not store an incident change for redelivery; its subscribers missed it',
        );
        return;
      }
      const retry = setTimeout(
        () => void this.storeRedelivery(change, names, attempt + 1),
        retryDelay(attempt + 1, REDELIVERY_STORE_BACKOFF),
      );
      retry.unref();
    }
  }

  private async bestEffort(what: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.deps.logger.warn({ err: error }, `${what} failed`);
    }
  }

  private event(
    incident: Incident,
    actor: string,
    kind: TimelineKind,
    text: string,
    data: Record<string, unknown>,
  ): TimelineEvent {
    return timelineEvent(this.deps.clock, incident, actor, kind, text, data);
  }

  private label(severity: Severity): string {
    return this.deps.config.severities[severity].label;
  }

  private sevLabel(incident: Incident): string {
    return this.label(incident.severity);
  }
}
