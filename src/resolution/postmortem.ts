import type { CommsHistory } from '../comms/index.js';
import { plainDateTime, plainDuration } from '../comms/index.js';
import type { AuditEntry, ContainmentRun } from '../containment/model.js';
import { type Incident, SYSTEM_ACTOR } from '../incidents/model.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import { GATE_ITEM_LABELS, type GateState } from './gate.js';
import { type AffectedObject, describeObject, inventoryCounts } from './inventory.js';
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
  /** Display names by Slack user id; an id without a name is shown as the id. */
  names: Readonly<Record<string, string>>;
  /** Containment runs, for the controls still in force. */
  runs: readonly ContainmentRun[];
  inventory: readonly AffectedObject[];
}

/** Where the latest evidence bundle is, from the timeline's `evidence_archived` events. */
function latestBundle(timeline: readonly TimelineEvent[]) {
  const event = timeline.findLast((e) => e.kind === 'evidence_archived');
  if (!event) return undefined;
  return {
    version: Number(event.data.version ?? 0),
    location: String(event.data.location ?? ''),
    manifestSha256: String(event.data.manifestSha256 ?? ''),
    at: event.at,
    trigger: String(event.data.trigger ?? ''),
  };
}

/** "5 audit entries: 3 executed, 2 verified, 1 undone". */
function auditSummary(audit: readonly AuditEntry[], runs: readonly ContainmentRun[]): string {
  if (audit.length === 0) return '';
  const byEvent = new Map<string, number>();
  for (const entry of audit) byEvent.set(entry.event, (byEvent.get(entry.event) ?? 0) + 1);
  const parts = [...byEvent].map(([event, n]) => `${n} ${event.replace('_', ' ')}`);
  const inForce = runs.filter((r) => !r.dryRun && r.status === 'in_force').map((r) => `${r.id} ${r.action}`);
  return `${audit.length} audit entr${audit.length === 1 ? 'y' : 'ies'}: ${parts.join(', ')}; in force now: ${inForce.length ? inForce.join(', ') : 'none'}`;
}

/**
 * A file is read outside Slack: `<@U123>` becomes the person's display name (`@U123` when unknown),
 * `<#C123|name>` becomes `#name`.
 */
export function plainMentions(text: string, names: Readonly<Record<string, string>> = {}): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => names[id] ?? `@${id}`)
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `#${name || id}`)
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `@${name || id}`);
}

/** The Slack user ids a postmortem names: actors, role holders, owners, mentions in text. */
export function mentionedUsers(texts: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const text of texts) {
    for (const match of text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)) ids.add(match[1]!);
    if (/^[UW][A-Z0-9]{2,}$/.test(text)) ids.add(text);
  }
  return [...ids].sort();
}

function latest(timeline: readonly TimelineEvent[], kind: string): TimelineEvent | undefined {
  return timeline.findLast((e) => e.kind === kind);
}

/** The values the postmortem template renders (see POSTMORTEM_FIELDS), all from recorded data. */
export function buildPostmortemValues(sources: PostmortemSources): Record<string, unknown> {
  const { incident, timeline, timezone, gate, names } = sources;
  const who = (user: string | undefined) =>
    user ? (user === SYSTEM_ACTOR ? 'Quell' : (names[user] ?? `@${user}`)) : '';
  const plain = (text: string) => plainMentions(text, names);
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
        text: plain(version?.text ?? ''),
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
    detail: plain(entry.detail ?? ''),
    error: plain(entry.error ?? ''),
  }));

  const bundle = latestBundle(timeline);
  const counts = inventoryCounts(sources.inventory);
  const inventory = sources.inventory.map((o) => ({
    object: describeObject(o),
    system: o.system,
    objectId: o.objectId,
    change: plain(o.change),
    before: plain(o.before ?? ''),
    after: plain(o.after ?? ''),
    reversible: o.reversible,
    state: o.state,
    note: plain(o.note ?? ''),
    disclosure: plain(o.disclosure ?? ''),
    recordedBy: who(o.recordedBy),
    updatedAt: at(o.updatedAt),
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
      startedAt: at(incident.startedAt),
      impactWindow: `${incident.startedAt ? at(incident.startedAt) : `unknown start (declared ${at(incident.createdAt)})`} to ${resolvedAt ? at(resolvedAt) : 'still ongoing'}`,
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
      latest: plain(String(update?.data.impact ?? '')),
      containment: plain(String(update?.data.containment ?? '')),
      investigation: plain(String(update?.data.investigation ?? '')),
    },
    /** The tool call a responder marked in the agent timeline (src/forensics), if any. */
    firstUnauthorizedAction: plain(latest(timeline, 'first_unauthorized_action')?.text ?? ''),
    timeline: timeline.map((e) => ({
      at: at(e.at),
      actor: who(e.actor),
      kind: e.kind,
      text: plain(e.text),
    })),
    containment: {
      actions: containmentActions,
      count: containmentActions.length,
      summary: auditSummary(sources.audit, sources.runs),
    },
    evidence: {
      archived: Boolean(bundle),
      version: bundle?.version ?? '',
      location: bundle?.location ?? '',
      manifestSha256: bundle?.manifestSha256 ?? '',
      archivedAt: at(bundle?.at),
    },
    inventory: {
      objects: inventory,
      count: counts.total,
      reversed: counts.reversed,
      accepted: counts.accepted,
      pending: counts.pending,
    },
    comms: { sent, count: sent.length },
    gate: {
      passed: gate.passed,
      overridden: Boolean(override),
      overrideBy: who(override?.actor),
      overrideAt: at(override?.at),
      overrideReason: plain(String(override?.data.reason ?? '')),
      missingAtResolution,
      items: gate.items.map((item) => ({
        id: item.id,
        label: item.label,
        required: item.required,
        evaluated: item.mode === 'evaluated',
        ticked: item.done,
        reason: plain(item.override ? `overridden: ${item.override.reason}` : (item.check?.reason ?? '')),
        by: who(item.override?.by ?? item.tick?.by),
        at: at(item.override?.at ?? item.tick?.at ?? item.check?.asOf),
      })),
    },
    rootCause: {
      category: category ?? '',
      categoryLabel: category ? ROOT_CAUSE_LABELS[category] : '',
      confirmed: Boolean(rootCause),
      summary: plain(String(rootCause?.data.summary ?? '')),
      confirmedAt: at(rootCause?.at),
      confirmedBy: who(rootCause?.actor),
    },
    reactivation: (incident.reactivationPlan?.steps ?? []).map((s) => ({
      stage: s.stage,
      owner: who(s.owner),
      criteria: plain(s.criteria),
    })),
    // notification clocks: what was due to whom, and what was submitted when, by whom, with which reference
    obligations: (incident.obligations ?? []).map((o) => ({
      type: o.type,
      name: o.name,
      authority: o.authority,
      citation: o.citation,
      awareAt: at(o.awareAt),
      deadlineAt: at(o.deadlineAt),
      status: o.status,
      initialAt: at(o.initial?.at),
      initialBy: who(o.initial?.by),
      submittedAt: at(o.submitted?.at),
      submittedBy: who(o.submitted?.by),
      reference: plain(o.submitted?.reference ?? o.initial?.reference ?? ''),
      onTime: Boolean((o.initial ?? o.submitted) && (o.initial ?? o.submitted)!.at <= o.deadlineAt),
      waivedBy: who(o.waived?.by),
      waiverReason: plain(o.waived?.reason ?? ''),
      drill: o.drill,
    })),
    actions: sources.actions.map((a) => ({
      id: a.id,
      owner: who(a.owner),
      due: at(a.dueAt),
      text: plain(a.text),
      status: a.status,
    })),
    generatedAt: at(sources.now.toISOString()),
    timezone,
  };
}
