import type { ChatMessage, ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { formatDuration } from '../config/duration.js';
import type { QuellConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { Incident } from '../incidents/model.js';
import type { Permissions } from '../incidents/permissions.js';
import type { IncidentChange, IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { SYSTEM_ACTOR, type TimelineKind } from '../incidents/timeline.js';
import type { JobDefinition, JobRuntime, PostGuard } from '../jobs/index.js';
import type { Logger } from '../logging/logger.js';
import { postOnce } from '../reminders/index.js';
import { safeText } from '../text/safe-text.js';
import {
  type ObligationJobs,
  type ObligationTimerPayload,
  obligationJobs,
  type ProposalPayload,
} from './jobs.js';
import { awaitsReport, type Obligation } from './model.js';
import type { ObligationPresenter, ObligationType } from './presenter.js';

export interface ObligationServiceDeps {
  config: QuellConfig;
  incidents: IncidentService;
  store: IncidentStore;
  permissions: Pick<Permissions, 'authorize'>;
  jobs: JobRuntime;
  /** The background chat: jobs post with it (the runtime retries). */
  chat: ChatPort;
  guard: PostGuard;
  views: ObligationPresenter;
  clock: Clock;
  logger: Logger;
}

export const MIN_WAIVER_REASON = 10;
const MAX_REFERENCE = 200;

/** What a timer job did (its result, for logs and tests). */
export type ObligationOutcome =
  | 'posted'
  | 'already-posted'
  | 'dropped-missing'
  | 'dropped-settled'
  | 'dropped-stale';

/**
 * Notification clocks of incidents: add (with the awareness time), initial and complete reports,
 * waivers with a reason, reminders before the deadline and the escalation when it passes unmet, and
 * the proposal when a declared incident matches a type. Every change goes through IncidentService's
 * one path (timeline event, pinned summary, channel notice); timers are jobs posted exactly once.
 */
export class ObligationService {
  readonly jobs: ObligationJobs;

  constructor(private readonly deps: ObligationServiceDeps) {
    this.jobs = obligationJobs({
      remind: (p) => this.remind(p),
      escalate: (p) => this.escalate(p),
      propose: (p) => this.propose(p),
      recordFailure: (incidentId, what, reason) => this.recordFailure(incidentId, what, reason),
    });
  }

  get jobTypes(): JobDefinition[] {
    return [this.jobs.reminder, this.jobs.overdue, this.jobs.proposal] as JobDefinition[];
  }

  /** Every configured type, shipped ones first. */
  types(): ObligationType[] {
    return Object.entries(this.deps.config.obligations.types).map(([id, type]) => ({ id, ...type }));
  }

  /** The type with this id, or a UsageError naming the known ones. */
  requireType(id: string): ObligationType {
    const type = this.types().find((t) => t.id === id.toLowerCase());
    if (!type)
      throw new UsageError(
        `"${safeText(id.slice(0, 40), 'plain')}" is not an obligation type. Known types: ${this.types()
          .map((t) => `\`${t.id}\``)
          .join(', ')}.`,
      );
    return type;
  }

  async add(
    incidentId: string,
    actor: string,
    input: { type: string; awareAt?: Date },
    options: { requestKey?: string } = {},
  ): Promise<Obligation> {
    const type = this.requireType(input.type);
    const now = this.deps.clock.now();
    const awareAt = input.awareAt ?? now;
    if (Number.isNaN(awareAt.getTime())) throw new UsageError('That awareness time is not a time.');
    if (awareAt.getTime() > now.getTime())
      throw new UsageError(
        'The awareness time is in the future; the clock starts when the organisation became aware.',
      );
    const incident = await this.deps.store.require(incidentId);
    await this.deps.permissions.authorize(actor, 'obligation.add', incident);
    let added: Obligation | undefined;
    const saved = await this.change(
      incidentId,
      actor,
      (current) => {
        const existing = current.obligations?.find((o) => o.type === type.id);
        // (a re-run of the same request never gets here: IncidentService finds its recorded event)
        if (existing)
          throw new UsageError(
            `${current.id} already has the ${type.name} (\`${type.id}\`); see \`/incident obligations\`.`,
          );
        added = {
          type: type.id,
          name: type.name,
          authority: type.authority,
          citation: type.citation,
          drill: current.drill,
          awareAt: awareAt.toISOString(),
          deadlineAt: new Date(awareAt.getTime() + type.deadline).toISOString(),
          addedBy: actor,
          addedAt: now.toISOString(),
          phased: type.phased,
          status: 'open',
        };
        return {
          obligations: [...(current.obligations ?? []), added],
          kind: 'obligation_added',
          text: `added the ${type.name}: due ${added.deadlineAt} (${formatDuration(type.deadline)} after awareness at ${added.awareAt})`,
          data: { ...added },
        };
      },
      options,
    );
    const obligation = saved.obligations?.find((o) => o.type === type.id) ?? added!;
    await this.scheduleTimers(saved, obligation, type);
    return obligation;
  }

  /** The complete report (or, with `initial`, the initial one of a phased type) was submitted. */
  async submit(
    incidentId: string,
    actor: string,
    input: { type: string; reference?: string; initial?: boolean },
    options: { requestKey?: string } = {},
  ): Promise<Obligation> {
    const incident = await this.deps.store.require(incidentId);
    const type = input.type.toLowerCase();
    this.requireOn(incident, type);
    await this.deps.permissions.authorize(actor, 'obligation.submit', incident);
    const reference = (input.reference ?? '').trim().slice(0, MAX_REFERENCE);
    const at = this.deps.clock.now().toISOString();
    const saved = await this.change(
      incidentId,
      actor,
      (current) => {
        const o = this.requireOn(current, type);
        if (o.status !== 'open')
          throw new UsageError(`The ${o.name} of ${current.id} is already ${o.status}.`);
        if (input.initial && !o.phased)
          throw new UsageError(
            `The ${o.name} has no initial report; record the notice with \`/incident obligation submitted ${o.type} [reference]\`.`,
          );
        if (input.initial && o.initial) throw new UsageError(`The initial ${o.name} is already recorded.`);
        const submission = { at, by: actor, reference: safeText(reference, 'plain') };
        const next: Obligation = input.initial
          ? { ...o, initial: submission }
          : { ...o, status: 'submitted', submitted: submission };
        const what = input.initial ? 'the initial report of' : 'the';
        return {
          obligations: replace(current.obligations ?? [], next),
          kind: input.initial ? 'obligation_initial' : 'obligation_submitted',
          text: `submitted ${what} ${o.name}${reference ? ` (reference ${submission.reference})` : ''}`,
          data: {
            type: o.type,
            name: o.name,
            deadlineAt: o.deadlineAt,
            ...submission,
            onTime: at <= o.deadlineAt,
          },
        };
      },
      options,
    );
    return this.requireOn(saved, type);
  }

  /** Closes an obligation without a report (e.g. legal judged it does not apply), with the reason. */
  async waive(
    incidentId: string,
    actor: string,
    input: { type: string; reason: string },
    options: { requestKey?: string } = {},
  ): Promise<Obligation> {
    const incident = await this.deps.store.require(incidentId);
    const type = input.type.toLowerCase();
    this.requireOn(incident, type);
    const reason = input.reason.trim();
    if (reason.length < MIN_WAIVER_REASON)
      throw new UsageError(
        `Say why it is waived, in at least ${MIN_WAIVER_REASON} characters: the reason is kept in the record.`,
      );
    await this.deps.permissions.authorize(actor, 'obligation.waive', incident);
    const at = this.deps.clock.now().toISOString();
    const saved = await this.change(
      incidentId,
      actor,
      (current) => {
        const o = this.requireOn(current, type);
        if (o.status !== 'open')
          throw new UsageError(`The ${o.name} of ${current.id} is already ${o.status}.`);
        const waived = { at, by: actor, reason: safeText(reason.slice(0, 500), 'plain') };
        return {
          obligations: replace(current.obligations ?? [], { ...o, status: 'waived', waived }),
          kind: 'obligation_waived',
          text: `waived the ${o.name}: ${waived.reason}`,
          data: { type: o.type, name: o.name, deadlineAt: o.deadlineAt, ...waived },
        };
      },
      options,
    );
    return this.requireOn(saved, type);
  }

  /** `/incident obligations`: the incident's obligations and the types that can be added. */
  list(incident: Incident): ChatMessage {
    return this.deps.views.list(incident, this.types());
  }

  /** Follows incident changes: a declared incident that matches a type gets a proposal (once). */
  readonly onIncidentChange = async ({ event, incident }: IncidentChange): Promise<void> => {
    if (event.kind !== 'declared' || !this.deps.config.obligations.proposeOnDeclare) return;
    for (const type of this.matching(incident))
      await this.deps.jobs.enqueue(this.jobs.proposal, { incidentId: incident.id, type: type.id });
  };

  /** Types whose `propose` matches the incident's severity (or category, when it has one). */
  matching(incident: Incident & { category?: string }): ObligationType[] {
    return this.types().filter(
      (t) =>
        t.propose.severities.includes(incident.severity) ||
        (incident.category !== undefined && (t.propose.categories as string[]).includes(incident.category)),
    );
  }

  // ── Timers (job handlers) ──

  async remind(p: ObligationTimerPayload): Promise<ObligationOutcome> {
    const found = await this.current(p);
    if (typeof found === 'string') return found;
    const { incident, obligation } = found;
    const type = this.types().find((t) => t.id === obligation.type);
    const fresh = await this.postEverywhere(
      incident,
      obligation,
      `obl-remind-${obligation.type}-${p.beforeMs}`,
      (marker) => this.deps.views.reminder(incident, obligation, type, marker),
    );
    if (fresh)
      await this.recordOnce(
        incident,
        'obligation_reminded',
        p,
        `reminded: the ${obligation.name} is due in ${formatDuration(p.beforeMs)}`,
      );
    return fresh ? 'posted' : 'already-posted';
  }

  async escalate(p: ObligationTimerPayload): Promise<ObligationOutcome> {
    const found = await this.current(p);
    if (typeof found === 'string') return found;
    const { incident, obligation } = found;
    const targets = this.deps.config.obligations.escalateTo;
    const fresh = await this.postEverywhere(
      incident,
      obligation,
      `obl-overdue-${obligation.type}`,
      (marker) => this.deps.views.overdue(incident, obligation, targets, marker),
    );
    if (fresh)
      await this.recordOnce(
        incident,
        'obligation_overdue',
        p,
        `escalated: the ${obligation.name} deadline passed with nothing submitted`,
        {
          commander: incident.roles.commander ?? null,
          ...targets,
        },
      );
    return fresh ? 'posted' : 'already-posted';
  }

  async propose(p: ProposalPayload): Promise<ObligationOutcome> {
    const incident = await this.deps.store.get(p.incidentId);
    if (!incident?.channelId) return 'dropped-missing';
    if (incident.obligations?.some((o) => o.type === p.type)) return 'dropped-settled';
    const type = this.types().find((t) => t.id === p.type);
    if (!type) return 'dropped-stale';
    const { fresh } = await postOnce(this.deps, {
      incidentId: incident.id,
      channel: incident.channelId,
      what: `obl-propose-${type.id}`,
      keyMs: Date.parse(incident.createdAt),
      build: (_at, marker) => this.deps.views.proposal(incident, type, marker),
    });
    if (fresh)
      await this.deps.incidents.record(
        incident.id,
        SYSTEM_ACTOR,
        'obligation_proposed',
        `proposed the ${type.name}`,
        {
          type: type.id,
        },
      );
    return fresh ? 'posted' : 'already-posted';
  }

  async recordFailure(incidentId: string, what: string, reason: string): Promise<void> {
    if (!(await this.deps.store.get(incidentId))) return;
    await this.deps.incidents.record(
      incidentId,
      SYSTEM_ACTOR,
      'reminder_failed',
      `could not post the ${what}: ${reason}`,
      {
        what,
        reason,
      },
    );
  }

  // ── internals ──

  private change(
    incidentId: string,
    actor: string,
    apply: (current: Incident) => {
      obligations: Obligation[];
      kind: TimelineKind;
      text: string;
      data: Record<string, unknown>;
    },
    options: { requestKey?: string },
  ): Promise<Incident> {
    return this.deps.incidents.changeObligations(
      incidentId,
      actor,
      apply,
      (incident, event) => {
        const o = incident.obligations?.find((x) => x.type === event.data.type);
        return o ? this.deps.views.changed(incident, o, event) : { text: event.text };
      },
      options,
    );
  }

  private requireOn(incident: Incident, type: string): Obligation {
    const o = incident.obligations?.find((x) => x.type === type);
    if (!o) {
      const has = incident.obligations?.map((x) => `\`${x.type}\``).join(', ');
      throw new UsageError(
        `${incident.id} has no obligation \`${safeText(type.slice(0, 40), 'plain')}\`${has ? ` (it has ${has})` : ''}. Add it first with \`/incident obligation add <type> [--aware <time>]\`.`,
      );
    }
    return o;
  }

  private async scheduleTimers(incident: Incident, o: Obligation, type: ObligationType): Promise<void> {
    if (!awaitsReport(o)) return;
    const now = this.deps.clock.now().getTime();
    const deadlineMs = Date.parse(o.deadlineAt);
    for (const beforeMs of type.reminders) {
      const at = deadlineMs - beforeMs;
      // an offset already passed when the clock was added would only be noise
      if (at <= now) continue;
      await this.deps.jobs.enqueue(
        this.jobs.reminder,
        { incidentId: incident.id, type: o.type, deadlineAt: o.deadlineAt, beforeMs },
        { at: new Date(at) },
      );
    }
    await this.deps.jobs.enqueue(
      this.jobs.overdue,
      { incidentId: incident.id, type: o.type, deadlineAt: o.deadlineAt, beforeMs: 0 },
      { at: new Date(Math.max(deadlineMs, now)) },
    );
  }

  private async current(
    p: ObligationTimerPayload,
  ): Promise<{ incident: Incident; obligation: Obligation } | ObligationOutcome> {
    const incident = await this.deps.store.get(p.incidentId);
    const obligation = incident?.obligations?.find((o) => o.type === p.type);
    if (!incident || !obligation || !incident.channelId) return 'dropped-missing';
    if (obligation.deadlineAt !== p.deadlineAt) return 'dropped-stale';
    // a legal clock runs whatever the incident's status: only a report or a waiver stops it
    if (!awaitsReport(obligation)) return 'dropped-settled';
    return { incident, obligation };
  }

  /**
   * The incident channel, and for a real incident the configured obligations channel too; a
   * drill's clock reminds in its own (drill) channel only. Each post is exactly-once on its own.
   */
  private async postEverywhere(
    incident: Incident,
    o: Obligation,
    what: string,
    build: (marker: string) => ChatMessage,
  ): Promise<boolean> {
    const channels = [incident.channelId!];
    const extra = this.deps.config.obligations.channel;
    if (!o.drill && !incident.drill && extra && extra !== incident.channelId) channels.push(extra);
    let fresh = false;
    for (const [i, channel] of channels.entries()) {
      const posted = await postOnce(this.deps, {
        incidentId: incident.id,
        channel,
        what: i === 0 ? what : `${what}-copy`,
        keyMs: Date.parse(o.deadlineAt),
        build: (_at, marker) => build(marker),
      });
      if (i === 0) fresh = posted.fresh;
    }
    return fresh;
  }

  /** The timeline entry of a timer, once even when a crash re-runs the job after the post. */
  private async recordOnce(
    incident: Incident,
    kind: TimelineKind,
    p: ObligationTimerPayload,
    text: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const events = await this.deps.store.timeline(incident.id);
    if (
      events.some(
        (e) =>
          e.kind === kind &&
          e.data.type === p.type &&
          e.data.deadlineAt === p.deadlineAt &&
          e.data.beforeMs === p.beforeMs,
      )
    )
      return;
    await this.deps.incidents.record(incident.id, SYSTEM_ACTOR, kind, text, {
      type: p.type,
      deadlineAt: p.deadlineAt,
      beforeMs: p.beforeMs,
      ...extra,
    });
  }
}

function replace(list: readonly Obligation[], next: Obligation): Obligation[] {
  return list.map((o) => (o.type === next.type ? next : o));
}
