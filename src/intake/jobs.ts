import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { ContainmentService } from '../containment/index.js';
import { AGENT_FIELDS, alertActor, type Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import { defineJob, type JobDefinition, type JobRuntime, jobIdOf, RETRY } from '../jobs/index.js';
import type { AlertRule } from './config.js';
import type { NormalizedAlert, OnCallResolver } from './model.js';
import type { AlertCardView, IntakePresenter, SuggestedPlaybook } from './presenter.js';
import type { IntakeStore } from './store.js';

/**
 * What happens to an accepted alert, as durable jobs on the job runtime:
 * - `intake-alert` (interactive lane): a firing alert claims its fingerprint in Redis; the one claim
 *   that wins declares through the incident service (as "Quell on alert <fingerprint>"), invites the
 *   rule's responders, names the commander (a user, or the on-call from the pager), posts the alert
 *   card with the suggested playbook, and schedules the decision deadline and any auto-run; every
 *   other alert with that fingerprint only counts a fire. A resolved alert is recorded on the
 *   timeline and never resolves the incident.
 * - `intake-coalesce` (background): at most one per fingerprint per `intake.coalesceEvery`: edits the
 *   card ("fired 14 times since 14:02") and records the new fires as one timeline event.
 * - `intake-deadline` (background): the decision deadline; reminds the channel when no commander
 *   has acted.
 * - `intake-auto-run` (long): runs the playbook's reversible actions unattended, as the alert's actor.
 * A drill stays in its channel: no announcement, containment as dry runs, and the pager gets the
 * drill flag (so it pages nobody).
 */

const agentSchema = z.partialRecord(z.enum(AGENT_FIELDS), z.string());

const alertSchema = z.object({
  fingerprint: z.string(),
  status: z.enum(['firing', 'resolved']),
  startsAt: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  fields: z.record(z.string(), z.string()),
  summary: z.string(),
  url: z.string().optional(),
});

export const alertPayloadSchema = z.object({
  /** The job id: the alert's idempotency key (its replay key, or one per delivery). */
  delivery: z.string(),
  source: z.string(),
  ruleId: z.string(),
  title: z.string(),
  agent: agentSchema,
  alert: alertSchema,
  receivedAt: z.string(),
});
export type AlertPayload = z.output<typeof alertPayloadSchema>;

/** `bucket`: when the flush was scheduled (one flush job at a time per fingerprint: store.needsFlush). */
const fingerprintPayload = z.object({
  source: z.string(),
  fingerprint: z.string(),
  bucket: z.number().int(),
});
const deadlinePayload = z.object({
  incidentId: z.string(),
  ruleId: z.string(),
  deadlineMs: z.number(),
  declaredAt: z.string(),
});
const autoRunPayload = z.object({
  incidentId: z.string(),
  ruleId: z.string(),
  source: z.string(),
  fingerprint: z.string(),
});

/** Waits for a declare another job is doing: retried (not a failure anyone needs to see). */
class DeclarePending extends Error {}

export interface AlertJobsDeps {
  config: QuellConfig;
  store: IntakeStore;
  incidents: IncidentService;
  containment: Pick<ContainmentService, 'catalog' | 'requestUnattended' | 'confirm'>;
  /** The background chat (fail-fast; the job runtime retries). */
  chat: ChatPort;
  views: IntakePresenter;
  jobs: JobRuntime;
  clock: Clock;
  logger: Logger;
  /** "The on-call" for rules whose commander is `{ onCall: … }` (the pager module implements it). */
  onCall?: OnCallResolver;
}

interface CardExtras {
  ruleId: string;
  summary: string;
  labels: Record<string, string>;
  url?: string;
  autoRun?: { ran: string[]; skipped: string[] };
}

const LABELS_ON_CARD = 8;

export class AlertJobs {
  readonly alertJob: JobDefinition<AlertPayload>;
  readonly coalesceJob: JobDefinition<z.output<typeof fingerprintPayload>>;
  readonly deadlineJob: JobDefinition<z.output<typeof deadlinePayload>>;
  readonly autoRunJob: JobDefinition<z.output<typeof autoRunPayload>>;
  private readonly rules: Map<string, AlertRule>;

  constructor(private readonly deps: AlertJobsDeps) {
    this.rules = new Map(deps.config.intake.rules.map((rule) => [rule.id, rule]));
    this.alertJob = defineJob({
      name: 'intake-alert',
      lane: 'interactive',
      payload: alertPayloadSchema,
      jobId: (p) => p.delivery,
      // a claim held by another job's declare is waited for: about a minute of quick tries
      retry: { attempts: 12, baseMs: 250, maxMs: 10_000 },
      handle: (payload, ctx) => this.handleAlert(payload, ctx.jobId),
      onGiveUp: (payload) => this.giveUpAlert(payload),
    });
    this.coalesceJob = defineJob({
      name: 'intake-coalesce',
      lane: 'background',
      payload: fingerprintPayload,
      jobId: (p) => jobIdOf('intake-coalesce', p.source, p.fingerprint, p.bucket),
      retry: RETRY.slack,
      handle: (payload) => this.flush(payload.source, payload.fingerprint),
    });
    this.deadlineJob = defineJob({
      name: 'intake-deadline',
      lane: 'background',
      payload: deadlinePayload,
      jobId: (p) => jobIdOf('intake-deadline', p.incidentId),
      retry: RETRY.slack,
      handle: (payload) => this.decisionDeadline(payload),
    });
    this.autoRunJob = defineJob({
      name: 'intake-auto-run',
      lane: 'long',
      payload: autoRunPayload,
      jobId: (p) => jobIdOf('intake-auto-run', p.incidentId),
      retry: RETRY.long,
      handle: (payload, ctx) => this.autoRun(payload, ctx.jobId),
    });
  }

  get jobTypes(): JobDefinition[] {
    return [this.alertJob, this.coalesceJob, this.deadlineJob, this.autoRunJob] as JobDefinition[];
  }

  /** Stores the alert's job (deduped by its idempotency key). Resolves once it is in Redis. */
  async accept(payload: AlertPayload): Promise<void> {
    await this.deps.jobs.enqueue(this.alertJob, payload);
  }

  private rule(id: string): AlertRule | undefined {
    return this.rules.get(id);
  }

  private async handleAlert(payload: AlertPayload, jobId: string): Promise<string> {
    const { store, clock, logger } = this.deps;
    const rule = this.rule(payload.ruleId);
    const { source, alert } = payload;
    if (!rule) {
      logger.warn({ rule: payload.ruleId, source }, 'alert for a rule no longer configured: nothing done');
      return 'rule gone';
    }
    if (alert.status === 'resolved') return this.recordResolved(payload);

    let claim = await store.claim(source, alert.fingerprint, jobId, clock.now().getTime());
    if (!claim.won && 'incidentId' in claim) {
      const open = await this.openIncident(claim.incidentId);
      if (!open)
        claim = await store.claim(source, alert.fingerprint, jobId, clock.now().getTime(), claim.incidentId);
      else {
        await this.countFire(source, alert.fingerprint);
        return `fired again on ${open.id}`;
      }
    }
    if (!claim.won) {
      // another job is declaring this fingerprint's incident: count the fire, its card shows it
      await this.countFire(source, alert.fingerprint);
      return 'fired again while declaring';
    }
    const incident = await this.declare(payload, rule);
    if (await store.settle(source, alert.fingerprint, jobId, incident.id))
      await store.fire(source, alert.fingerprint, clock.now().getTime());
    await this.scheduleFlush(source, alert.fingerprint);
    return `declared ${incident.id}`;
  }

  /** The incident, if it is still open (a resolved one lets the next fire declare anew). */
  private async openIncident(id: string): Promise<Incident | undefined> {
    const incident = await this.deps.incidents.require(id).catch(() => undefined);
    return incident && incident.status !== 'resolved' ? incident : undefined;
  }

  private async countFire(source: string, fingerprint: string): Promise<void> {
    await this.deps.store.fire(source, fingerprint, this.deps.clock.now().getTime());
    await this.scheduleFlush(source, fingerprint);
  }

  /**
   * At most one card edit waits per fingerprint (a flag in its hash), `coalesceEvery` after the
   * first fire that found none waiting: a burst of repeats is one edit, never a backlog of them.
   */
  private async scheduleFlush(source: string, fingerprint: string): Promise<void> {
    const { jobs, config, store, clock } = this.deps;
    if (!(await store.needsFlush(source, fingerprint))) return;
    await jobs.enqueue(
      this.coalesceJob,
      { source, fingerprint, bucket: clock.now().getTime() },
      { delayMs: config.intake.coalesceEvery },
    );
  }

  /** Declares (idempotent per delivery), then the rule's follow-ups, each idempotent and reported. */
  private async declare(payload: AlertPayload, rule: AlertRule): Promise<Incident> {
    const { incidents, store, jobs, clock } = this.deps;
    const { alert, source } = payload;
    const actor = alertActor(alert.fingerprint);
    const { incident: declared } = await incidents.declare({
      title: payload.title,
      severity: rule.severity,
      description: describe(alert, source),
      drill: rule.drill,
      // a drill stays in the drill channel: no announcement anywhere else
      ...(rule.drill ? { announce: false } : {}),
      agent: payload.agent,
      ...(rule.private !== undefined ? { private: rule.private } : {}),
      ...(alert.startsAt ? { startedAt: new Date(alert.startsAt) } : {}),
      declaredBy: actor,
      idempotencyKey: `alert-${payload.delivery}`,
    });
    let incident = declared;
    const step = async (what: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        this.deps.logger.warn(
          { err: error, incident: incident.id, rule: rule.id, step: what },
          'alert rule step failed',
        );
        await incidents.record(
          incident.id,
          actor,
          'alert_rule_step_failed',
          `could not ${what}: ${(error as Error).message}`,
          {
            rule: rule.id,
            step: what,
          },
        );
      }
    };
    const channel = incident.channelId;
    const invitees = await this.responders(rule);
    if (channel && invitees.length)
      await step('invite the rule’s responders', async () => {
        const refused = await this.deps.chat.inviteUsers(channel, invitees);
        if (refused.length) throw new Error(refused.map((r) => `<@${r.user}>: ${r.error}`).join(', '));
      });
    const commander = await this.commanderFor(rule, incident, step);
    if (commander && incident.roles.commander !== commander)
      await step('name the commander', async () => {
        incident = await incidents.assignRole(incident.id, actor, 'commander', commander);
      });
    const extras: CardExtras = {
      ruleId: rule.id,
      summary: alert.summary,
      labels: Object.fromEntries(Object.entries(alert.labels).slice(0, LABELS_ON_CARD)),
      ...(alert.url ? { url: alert.url } : {}),
    };
    const counts = await store.counts(source, alert.fingerprint);
    if (!counts?.card) await store.setCard(source, alert.fingerprint, JSON.stringify(extras));
    if (channel && !counts?.messageTs)
      await step('post the alert card', async () => {
        const card = this.card(incident, source, extras, {
          count: 1,
          firstMs: clock.now().getTime(),
          lastMs: clock.now().getTime(),
        });
        const { ts } = await this.deps.chat.postMessage(channel, card);
        await store.setMessage(source, alert.fingerprint, channel, ts);
      });
    if (rule.decisionDeadline)
      await jobs.enqueue(
        this.deadlineJob,
        {
          incidentId: incident.id,
          ruleId: rule.id,
          deadlineMs: rule.decisionDeadline,
          declaredAt: incident.createdAt,
        },
        { delayMs: rule.decisionDeadline },
      );
    if (rule.autoRun && rule.playbook)
      await jobs.enqueue(this.autoRunJob, {
        incidentId: incident.id,
        ruleId: rule.id,
        source,
        fingerprint: alert.fingerprint,
      });
    return incident;
  }

  /** The rule's responders: its users and the members of its user groups. */
  private async responders(rule: AlertRule): Promise<string[]> {
    const users = new Set(rule.responders.users);
    for (const group of rule.responders.usergroups)
      for (const member of await this.deps.chat.usergroupMembers(group).catch(() => [])) users.add(member);
    return [...users];
  }

  private async commanderFor(
    rule: AlertRule,
    incident: Incident,
    step: (what: string, run: () => Promise<unknown>) => Promise<void>,
  ): Promise<string | undefined> {
    const commander = rule.commander;
    if (!commander) return undefined;
    if ('user' in commander) return commander.user;
    let found: string | undefined;
    await step('find the on-call commander', async () => {
      if (!this.deps.onCall) throw new Error('no pager is configured to say who is on call');
      found = await this.deps.onCall.onCall(commander.onCall, {
        ruleId: rule.id,
        severity: incident.severity,
        drill: incident.drill,
      });
      if (!found) throw new Error('nobody is on call for this rule');
    });
    return found;
  }

  private async recordResolved(payload: AlertPayload): Promise<string> {
    const { store, incidents, clock } = this.deps;
    const { source, alert } = payload;
    const counts = await store.counts(source, alert.fingerprint);
    if (!counts) return 'resolved alert with no incident';
    if (!counts.incidentId)
      throw new DeclarePending(`the incident for ${alert.fingerprint} is still being declared`);
    await store.resolved(source, alert.fingerprint, clock.now().getTime());
    await incidents.record(
      counts.incidentId,
      alertActor(alert.fingerprint),
      'alert_resolved',
      `the alert resolved at its source (${source}); the incident stays open until people resolve it`,
      { source, fingerprint: alert.fingerprint, startsAt: alert.startsAt ?? null, rule: payload.ruleId },
    );
    await this.scheduleFlush(source, alert.fingerprint);
    return `resolved alert recorded on ${counts.incidentId}`;
  }

  /** Edits the card to the current count and records the new fires as one timeline event. */
  private async flush(source: string, fingerprint: string): Promise<string> {
    const { store, incidents, chat } = this.deps;
    const pending = await store.counts(source, fingerprint);
    if (!pending) return 'nothing to show';
    if (!pending.incidentId)
      throw new DeclarePending(`the incident for ${fingerprint} is still being declared`);
    await store.flushStarting(source, fingerprint);
    const counts = (await store.counts(source, fingerprint)) ?? pending;
    if (!counts.incidentId) return 'claim replaced';
    const incident = await incidents.require(counts.incidentId);
    const extras = counts.card ? (JSON.parse(counts.card) as CardExtras) : undefined;
    // the declaring fire is the declaration itself; every later one is a repeat
    const recorded = Math.max(1, counts.shown);
    if (counts.count > recorded) {
      const more = counts.count - recorded;
      await incidents.record(
        incident.id,
        alertActor(fingerprint),
        'alert_fired',
        `the alert fired ${more} more time${more === 1 ? '' : 's'} (${counts.count} since ${new Date(counts.firstMs).toISOString().slice(11, 16)} UTC)`,
        { source, fingerprint, count: counts.count, new: more },
      );
    }
    if (counts.channel && counts.messageTs && extras)
      await chat.updateMessage(counts.channel, counts.messageTs, this.card(incident, source, extras, counts));
    if (counts.count !== counts.shown) await store.setShown(source, fingerprint, counts.count);
    return `shown ${counts.count}`;
  }

  private card(
    incident: Incident,
    source: string,
    extras: CardExtras,
    counts: { count: number; firstMs: number; lastMs: number; resolvedMs?: number },
  ) {
    const rule = this.rule(extras.ruleId);
    const view: AlertCardView = {
      incidentId: incident.id,
      ruleId: extras.ruleId,
      source,
      severity: incident.severity,
      drill: incident.drill,
      summary: extras.summary,
      labels: extras.labels,
      ...(extras.url ? { url: extras.url } : {}),
      fires: {
        count: Math.max(1, counts.count),
        firstAt: new Date(counts.firstMs),
        lastAt: new Date(counts.lastMs),
      },
      ...(counts.resolvedMs ? { resolvedAt: new Date(counts.resolvedMs) } : {}),
      ...(rule?.playbook ? { playbook: this.playbook(rule.playbook, extras.autoRun) } : {}),
    };
    return this.deps.views.alertCard(view);
  }

  private playbook(name: string, autoRun?: CardExtras['autoRun']): SuggestedPlaybook | undefined {
    const catalog = this.deps.containment.catalog();
    const playbook = catalog.playbooks.find((p) => p.name === name);
    if (!playbook) return undefined;
    const actions = playbook.groups.flat().map((action) => {
      const entry = catalog.actions.find((a) => a.name === action);
      return { name: action, irreversible: entry?.irreversible ?? true, undoable: entry?.undoable ?? false };
    });
    return {
      name,
      ...(playbook.description ? { description: playbook.description } : {}),
      actions,
      ...(autoRun ? { autoRun } : {}),
    };
  }

  private async decisionDeadline(payload: z.output<typeof deadlinePayload>): Promise<string> {
    const { incidents, chat, views } = this.deps;
    const incident = await incidents.require(payload.incidentId);
    if (incident.status === 'resolved') return 'resolved before the deadline';
    const commander = incident.roles.commander;
    const timeline = await incidents.timeline(incident.id);
    const acted = commander && timeline.some((e) => e.actor === commander && e.at >= payload.declaredAt);
    if (acted) return 'the commander acted in time';
    const actor = timeline.find((e) => e.kind === 'declared')?.actor ?? alertActor('unknown');
    const minutes = Math.round(payload.deadlineMs / 60_000);
    await incidents.record(
      incident.id,
      actor,
      'decision_overdue',
      `decision deadline passed (${minutes} min): ${commander ? `commander <@${commander}> has not acted` : 'no commander'}`,
      { rule: payload.ruleId, deadlineMs: payload.deadlineMs, commander: commander ?? null },
    );
    if (incident.channelId)
      await chat.postMessage(
        incident.channelId,
        views.decisionOverdue({
          incidentId: incident.id,
          ruleId: payload.ruleId,
          deadlineMs: payload.deadlineMs,
          ...(commander ? { commander } : {}),
        }),
      );
    return 'reminded';
  }

  /**
   * The rule's playbook, reversible actions only (not irreversible, and undoable), one after the
   * other, each an unattended run by the alert's actor (audited and posted by containment as a run
   * by "Quell on alert <id>"; a drill's are dry runs). Irreversible ones wait on the card's Run buttons.
   */
  private async autoRun(payload: z.output<typeof autoRunPayload>, jobId: string): Promise<string> {
    const { containment, incidents, store } = this.deps;
    const rule = this.rule(payload.ruleId);
    if (!rule?.playbook || !rule.autoRun) return 'rule no longer auto-runs';
    const incident = await incidents.require(payload.incidentId);
    const suggested = this.playbook(rule.playbook);
    if (!suggested) return 'playbook gone';
    const actor = alertActor(payload.fingerprint);
    const ran: string[] = [];
    const skipped: string[] = [];
    for (const action of suggested.actions) {
      if (action.irreversible || !action.undoable) {
        skipped.push(action.name);
        continue;
      }
      const token = await store.autoRunToken(payload.source, payload.fingerprint, action.name, () =>
        containment.requestUnattended({
          incident,
          user: actor,
          kind: 'action',
          name: action.name,
          args: {},
          dryRun: false,
        }),
      );
      await containment.confirm(token, actor, jobIdOf(jobId, action.name));
      ran.push(action.name);
    }
    const counts = await store.counts(payload.source, payload.fingerprint);
    if (counts?.card) {
      const extras = { ...(JSON.parse(counts.card) as CardExtras), autoRun: { ran, skipped } };
      await store.setCard(payload.source, payload.fingerprint, JSON.stringify(extras));
      if (counts.channel && counts.messageTs)
        await this.deps.chat.updateMessage(
          counts.channel,
          counts.messageTs,
          this.card(incident, payload.source, extras, counts),
        );
    }
    return `ran ${ran.join(', ') || 'nothing'}; left ${skipped.join(', ') || 'nothing'} for people`;
  }

  /** The declare failed for good: let the next alert with this fingerprint try again. */
  private async giveUpAlert(payload: AlertPayload): Promise<void> {
    await this.deps.store.release(payload.source, payload.alert.fingerprint, payload.delivery);
    this.deps.logger.error(
      { source: payload.source, fingerprint: payload.alert.fingerprint, rule: payload.ruleId },
      'alert could not be turned into an incident; the next alert with this fingerprint tries again',
    );
  }
}

function describe(alert: NormalizedAlert, source: string): string {
  const lines = [`Opened by intake from ${source}: ${alert.summary}`];
  const description = alert.annotations.description;
  if (description && description !== alert.summary) lines.push(description);
  if (alert.url) lines.push(alert.url);
  return lines.join('\n').slice(0, 2_000);
}
