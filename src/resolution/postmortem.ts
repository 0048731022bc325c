import type { CommsHistory } from '../comms/index.js';
import { plainDateTime, plainDuration } from '../comms/index.js';
import type { AuditEntry } from '../containment/model.js';
import type { Incident } from '../incidents/model.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import { GATE_ITEM_IDS, GATE_ITEM_LABELS, type GateState } from './gate.js';
import { ROOT_CAUSE_EVENT_CATEGORY, ROOT_CAUSE_LABELS, type RootCauseCategory } from './root-cause.js';
import type { CorrectiveAction } from './store.js';

export interface PostmortemSources {
  incident: Incident;
  timeline: readonly TimelineEvent[];
  /** ContainmentService.audit(): every attempt with its result. */
  audit: readonly AuditEntry[];
  /** CommsService.history(): drafts with versions, and the log of publications. */
  comms: CommsHistory;
  gate: GateState;
  actions: readonly CorrectiveAction[];
  severityLabel: string;
  timezone: string;
  now: Date;
  /** The comms feature's confirmed-root-cause event kind (`/comms root-cause`). */
  rootCauseEvent: string;
}

/** A file is read outside Slack: `<@U123>` and `<#C123>` become `@U123` and `#C123`. */
export function plainMentions(text: string): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `#${name || id}`)
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `@${name || id}`);
}

const who = (user: string | undefined) => (user ? (user === 'quell' ? 'Quell' : `@${user}`) : '');

function latest(timeline: readonly TimelineEvent[], kind: string): TimelineEvent | undefined {
  return timeline.findLast((e) => e.kind === kind);
}

/** The values the postmortem template renders (see POSTMORTEM_FIELDS), all from recorded data. */
export function buildPostmortemValues(sources: PostmortemSources): Record<string, unknown> {
  const { incident, timeline, timezone, gate } = sources;
  const at = (iso: string | undefined) => (iso ? plainDateTime(new Date(iso), timezone) : '');
  const resolvedAt = incident.resolvedAt;
  const update = latest(timeline, 'update');
  const rootCause = latest(timeline, sources.rootCauseEvent);
  const categoryEvent = latest(timeline, ROOT_CAUSE_EVENT_CATEGORY);
  const category = categoryEvent?.data.category as RootCauseCategory | undefined;
  const override = latest(timeline, 'gate_overridden');
  const missingAtResolution = Array.isArray(override?.data.missing)
    ? (override.data.missing as (keyof typeof GATE_ITEM_LABELS)[])
        .map((i) => GATE_ITEM_LABELS[i] ?? i)
        .join('; ')
    : '';

  const drafts = new Map(sources.comms.drafts.map((d) => [d.id, d]));
  const sent = sources.comms.log.flatMap((entry) => {
    if (entry.kind !== 'published') return [];
    const version = drafts.get(entry.draftId)?.versions.find((v) => v.number === entry.version);
    return [
      {
        at: at(entry.at),
        audience: entry.audience,
        version: entry.version,
        channel: `#${entry.channel}`,
        approvedBy: who(entry.actor),
        drill: entry.drill,
        text: plainMentions(version?.text ?? ''),
      },
    ];
  });

  const containmentActions = sources.audit.map((entry) => ({
    at: at(entry.at),
    actor: who(entry.actor),
    event: entry.event.replace('_', ' '),
    action: entry.action,
    adapter: entry.adapter,
    target: entry.target,
    outcome: entry.outcome.replace('_', ' '),
    dryRun: entry.dryRun,
    detail: plainMentions(entry.detail ?? ''),
    error: plainMentions(entry.error ?? ''),
  }));

  const roles = incident.roles;
  const agent = incident.agent;
  return {
    incident: {
      id: incident.id,
      title: incident.title,
      description: incident.description,
      severity: sources.severityLabel,
      status: incident.status,
      drill: incident.drill,
      declaredAt: at(incident.createdAt),
      resolvedAt: at(resolvedAt),
      duration: plainDuration(
        (resolvedAt ? Date.parse(resolvedAt) : sources.now.getTime()) - Date.parse(incident.createdAt),
      ),
      channel: incident.channelName ? `#${incident.channelName}` : '',
      declaredBy: who(incident.declaredBy),
    },
    roles: {
      commander: who(roles.commander),
      scribe: who(roles.scribe),
      techLead: who(roles['tech-lead']),
      comms: who(roles.comms),
    },
    agent: {
      name: agent.name ?? '',
      version: agent.version ?? '',
      model: agent.model ?? '',
      promptHash: agent['prompt-hash'] ?? '',
      tools: agent.tools ?? '',
      environment: agent.environment ?? '',
    },
    impact: {
      latest: plainMentions(String(update?.data.impact ?? '')),
      containment: plainMentions(String(update?.data.containment ?? '')),
      investigation: plainMentions(String(update?.data.investigation ?? '')),
    },
    timeline: timeline.map((e) => ({
      at: at(e.at),
      actor: who(e.actor),
      kind: e.kind,
      text: plainMentions(e.text),
    })),
    containment: { actions: containmentActions, count: containmentActions.length },
    comms: { sent, count: sent.length },
    gate: {
      passed: gate.passed,
      overridden: Boolean(override),
      overrideBy: who(override?.actor),
      overrideAt: at(override?.at),
      overrideReason: plainMentions(String(override?.data.reason ?? '')),
      missingAtResolution,
      items: GATE_ITEM_IDS.map((id) => ({
        id,
        label: GATE_ITEM_LABELS[id],
        required: gate.required.includes(id),
        ticked: Boolean(gate.ticks[id]),
        by: who(gate.ticks[id]?.by),
        at: at(gate.ticks[id]?.at),
      })),
    },
    rootCause: {
      category: category ?? '',
      categoryLabel: category ? ROOT_CAUSE_LABELS[category] : '',
      confirmed: Boolean(rootCause),
      summary: plainMentions(String(rootCause?.data.summary ?? '')),
      confirmedAt: at(rootCause?.at),
      confirmedBy: who(rootCause?.actor),
    },
    reactivation: (incident.reactivationPlan?.steps ?? []).map((s) => ({
      stage: s.stage,
      owner: who(s.owner),
      criteria: plainMentions(s.criteria),
    })),
    actions: sources.actions.map((a) => ({
      id: a.id,
      owner: who(a.owner),
      due: at(a.dueAt),
      text: plainMentions(a.text),
      status: a.status,
    })),
    generatedAt: at(sources.now.toISOString()),
    timezone,
  };
}
