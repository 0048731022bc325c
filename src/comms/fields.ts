import { z } from 'zod';
import { AGENT_FIELDS, type Incident, isActive, ROLES } from '../incidents/model.js';
import { TIMELINE_KINDS, type TimelineEvent, type TimelineKind } from '../incidents/timeline.js';
import { closestMatch } from '../text/closest-match.js';
import { safeText } from '../text/safe-text.js';
import { plainDateTime, plainDuration, plainTime } from './time.js';

/**
 * The fields a comms template may use, with what each holds. Templates are checked against this
 * list at start-up, so a misspelt field is an error naming the file and line, not a blank in a
 * customer notice. The README's field reference is this list.
 */
export const FIELD_DESCRIPTIONS = {
  'incident.id': 'Incident id, e.g. INC-7',
  'incident.title': 'Incident title',
  'incident.description': 'What the agent did, as written at declaration',
  'incident.severity': 'Severity label, e.g. SEV1',
  'incident.severityDescription': 'What that severity means (from the config)',
  'incident.status': 'investigating, contained, monitoring or resolved',
  'incident.open': 'true while the incident is not resolved (use with {% if %})',
  'incident.resolved': 'true once resolved',
  'incident.drill': 'true for a drill',
  'incident.declaredAt': 'When it was declared, in plain words ("14:05 UTC")',
  'incident.declaredAtFull': 'When it was declared, with the date ("14:05 UTC on 21 November 2026")',
  'incident.startedAt':
    'When the agent started misbehaving, in plain words ("13:20 UTC"); empty when unknown (use with {% if %})',
  'incident.startedAtFull': 'When the agent started misbehaving, with the date; empty when unknown',
  'incident.resolvedAt': 'When it was resolved, in plain words (empty while open)',
  'incident.window':
    'The time window, from when the agent started misbehaving (else the declaration, said so): "from 13:20 UTC on 21 November 2026, still ongoing" or "… to …"',
  'incident.duration': 'How long it has lasted so far, or lasted ("1 hour 5 minutes")',
  'incident.channel': 'The incident channel as a Slack link',
  'roles.commander': 'Incident commander (Slack mention)',
  'roles.scribe': 'Scribe (Slack mention)',
  'roles.techLead': 'Technical lead (Slack mention)',
  'roles.comms': 'Communications lead (Slack mention)',
  'agent.name': 'Agent name',
  'agent.version': 'Agent version',
  'agent.model': 'Model',
  'agent.promptHash': 'Prompt/config hash',
  'agent.tools': 'Tools the agent had',
  'agent.environment': 'Environment, e.g. production',
  'update.impact': 'Latest structured update: impact',
  'update.containment': 'Latest structured update: containment status',
  'update.investigation': 'Latest structured update: investigation (facts and hypotheses)',
  'update.nextUpdateAt': 'Latest structured update: time of the next update, in plain words',
  'update.postedAt': 'When the latest structured update was posted',
  'update.postedBy': 'Who posted it (Slack mention)',
  nextUpdateAt: 'Next update time: from the latest update, else the severity cadence ("14:30 UTC")',
  'rootCause.confirmed': 'true once a root cause has been confirmed (`/comms root-cause`)',
  'rootCause.summary': 'The confirmed root cause, in the words it was confirmed with',
  'rootCause.confirmedAt': 'When it was confirmed',
  'containment.actions': 'List of containment actions; each has action, outcome, at, dryRun',
  'containment.count': 'How many containment actions were taken',
  obligations:
    'Notification obligations of the incident (`/incident obligations`); each has type, name, authority, citation, awareAt, deadlineAt, status, initialAt, submittedAt, reference, drill',
  now: 'When the draft was made, in plain words',
  timezone: 'The timezone times are written in',
} as const;

export type FieldName = keyof typeof FIELD_DESCRIPTIONS;
export const FIELD_NAMES = Object.keys(FIELD_DESCRIPTIONS) as FieldName[];

/** Fields that are lists, and the fields of each item (used inside {% for item in ... %}). */
const LIST_ITEM_FIELDS: Partial<Record<FieldName, readonly string[]>> = {
  'containment.actions': ['action', 'outcome', 'at', 'dryRun'],
  obligations: [
    'type',
    'name',
    'authority',
    'citation',
    'awareAt',
    'deadlineAt',
    'status',
    'initialAt',
    'submittedAt',
    'reference',
    'drill',
  ],
};
/** Liquid's own properties on lists. */
const LIST_PROPERTIES = ['size', 'first', 'last'];

/**
 * Whether a variable path (segments as Liquid's static analysis gives them) names a field: a known
 * field, an object above one (`update` in `{% if update %}`), or an item/property of a list field.
 */
export function isKnownField(segments: readonly (string | number)[]): boolean {
  const names = segments.filter((s): s is string => typeof s === 'string');
  const path = names.join('.');
  if (path === '') return false;
  if ((FIELD_NAMES as string[]).includes(path)) return true;
  if (FIELD_NAMES.some((f) => f.startsWith(`${path}.`))) return true;
  for (const [list, itemFields] of Object.entries(LIST_ITEM_FIELDS)) {
    if (!path.startsWith(`${list}.`)) continue;
    const rest = path.slice(list.length + 1).split('.');
    const [first, second] = rest;
    if (rest.length === 1 && (LIST_PROPERTIES.includes(first!) || itemFields.includes(first!))) return true;
    if (rest.length === 2 && (first === 'first' || first === 'last') && itemFields.includes(second!))
      return true;
  }
  return false;
}

/** The closest known field, for "did you mean" hints. */
export function closestField(path: string): FieldName | undefined {
  return closestMatch(path, FIELD_NAMES);
}

/** The structured-update contract: a timeline event of kind 'update' (produced by the update flow). */
const updateDataSchema = z.object({
  impact: z.string().nullish(),
  containment: z.string().nullish(),
  investigation: z.string().nullish(),
  nextUpdateAt: z.string().nullish(),
});

/** A confirmed root cause: a timeline event of kind 'root_cause_confirmed' with data { summary }. */
export const ROOT_CAUSE_EVENT = 'root_cause_confirmed' satisfies TimelineKind;

/** The timeline events fields are built from: structured updates, the root cause, containment. */
export const FIELD_SOURCE_EVENTS: readonly TimelineKind[] = [
  'update',
  ROOT_CAUSE_EVENT,
  ...TIMELINE_KINDS.containment,
];
const isContainmentKind = (kind: TimelineKind) =>
  (TIMELINE_KINDS.containment as readonly TimelineKind[]).includes(kind);
const rootCauseDataSchema = z.object({ summary: z.string() });

const containmentDataSchema = z.object({
  action: z.string(),
  outcome: z.string().optional(),
  dryRun: z.boolean().optional(),
});

export interface FieldSources {
  incident: Incident;
  timeline: readonly TimelineEvent[];
  severityLabel: string;
  severityDescription: string;
  timezone: string;
  now: Date;
}

/** Facts derived once per draft, used by both rendering and lint. */
export interface IncidentFacts {
  open: boolean;
  /** The agent did something: any severity but SEV4, or a containment action was taken. */
  sideEffects: boolean;
  rootCauseConfirmed: boolean;
  /**
   * The user ids Quell itself mentions in this incident's messages (its role holders): the lint
   * lets these mentions through and flags any other live mention or masked link.
   */
  ownMentions?: readonly string[];
}

export type FieldValues = Record<string, unknown>;

function latest(timeline: readonly TimelineEvent[], test: (e: TimelineEvent) => boolean) {
  for (let i = timeline.length - 1; i >= 0; i--) if (test(timeline[i]!)) return timeline[i];
  return undefined;
}

function validDate(text: string | null | undefined): Date | undefined {
  if (!text) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

const ROLE_FIELD: Record<(typeof ROLES)[number], string> = {
  commander: 'commander',
  scribe: 'scribe',
  'tech-lead': 'techLead',
  comms: 'comms',
};
const AGENT_FIELD: Record<(typeof AGENT_FIELDS)[number], string> = {
  name: 'name',
  version: 'version',
  model: 'model',
  'prompt-hash': 'promptHash',
  tools: 'tools',
  environment: 'environment',
};

/** Builds the values a template renders from, plus the facts lint needs. Missing values are ''. */
export function buildFields(sources: FieldSources): { values: FieldValues; facts: IncidentFacts } {
  const { incident, timeline, timezone, now } = sources;
  const time = (at: Date | undefined) => (at ? plainTime(at, now, timezone) : '');
  const declared = new Date(incident.createdAt);
  const started = validDate(incident.startedAt);
  const resolved = validDate(incident.resolvedAt);
  const open = isActive(incident);

  const updateEvent = latest(timeline, (e) => e.kind === 'update');
  const update = updateEvent ? updateDataSchema.safeParse(updateEvent.data) : undefined;
  const updateData = update?.success ? update.data : undefined;
  const updateNext = validDate(updateData?.nextUpdateAt);

  const rootCauseEvent = latest(timeline, (e) => e.kind === ROOT_CAUSE_EVENT);
  const rootCause = rootCauseEvent ? rootCauseDataSchema.safeParse(rootCauseEvent.data) : undefined;

  const actions = timeline
    .filter((e) => isContainmentKind(e.kind))
    .flatMap((e) => {
      const parsed = containmentDataSchema.safeParse(e.data);
      if (!parsed.success) return [];
      return [
        {
          action: parsed.data.action,
          outcome: parsed.data.outcome ?? '',
          at: time(new Date(e.at)),
          dryRun: parsed.data.dryRun ?? false,
        },
      ];
    });

  const roles: Record<string, string> = {};
  for (const role of ROLES)
    roles[ROLE_FIELD[role]] = incident.roles[role] ? `<@${incident.roles[role]}>` : '';
  const agent: Record<string, string> = {};
  for (const field of AGENT_FIELDS) agent[AGENT_FIELD[field]] = people(incident.agent[field] ?? '');

  const nextUpdate = open ? (updateNext ?? validDate(incident.nextUpdateDueAt)) : undefined;
  // the impact window starts when the agent started misbehaving; unknown, it says it starts no later than the declaration
  const from = started
    ? plainDateTime(started, timezone)
    : `${plainDateTime(declared, timezone)} at the latest (start not yet known)`;
  const window = resolved
    ? `from ${from} to ${plainDateTime(resolved, timezone)}`
    : `from ${from}, still ongoing`;

  const values: FieldValues = {
    incident: {
      id: incident.id,
      title: people(incident.title),
      description: people(incident.description),
      severity: sources.severityLabel,
      severityDescription: sources.severityDescription,
      status: incident.status,
      open,
      resolved: !open,
      drill: incident.drill,
      declaredAt: time(declared),
      declaredAtFull: plainDateTime(declared, timezone),
      startedAt: time(started),
      startedAtFull: started ? plainDateTime(started, timezone) : '',
      resolvedAt: time(resolved),
      window,
      duration: plainDuration((resolved ?? now).getTime() - declared.getTime()),
      channel: incident.channelId ? `<#${incident.channelId}>` : '',
    },
    roles,
    agent,
    update: {
      impact: people(updateData?.impact ?? ''),
      containment: people(updateData?.containment ?? ''),
      investigation: people(updateData?.investigation ?? ''),
      nextUpdateAt: time(updateNext),
      postedAt: updateEvent ? time(new Date(updateEvent.at)) : '',
      postedBy: updateEvent ? `<@${updateEvent.actor}>` : '',
    },
    nextUpdateAt: time(nextUpdate),
    rootCause: {
      confirmed: Boolean(rootCause?.success),
      summary: rootCause?.success ? people(rootCause.data.summary) : '',
      confirmedAt: rootCauseEvent ? time(new Date(rootCauseEvent.at)) : '',
    },
    containment: { actions, count: actions.length },
    // the notification clocks (src/obligations), with full dates: a notice states them exactly
    obligations: (incident.obligations ?? []).map((o) => ({
      type: o.type,
      name: o.name,
      authority: o.authority,
      citation: o.citation,
      awareAt: plainDateTime(new Date(o.awareAt), timezone),
      deadlineAt: plainDateTime(new Date(o.deadlineAt), timezone),
      status: o.status,
      initialAt: o.initial ? plainDateTime(new Date(o.initial.at), timezone) : '',
      submittedAt: o.submitted ? plainDateTime(new Date(o.submitted.at), timezone) : '',
      reference: o.submitted?.reference ?? o.initial?.reference ?? '',
      drill: o.drill,
    })),
    now: plainTime(now, now, timezone),
    timezone,
  };
  return {
    values,
    facts: {
      open,
      sideEffects: incident.severity !== 'sev4' || actions.length > 0,
      rootCauseConfirmed: Boolean(rootCause?.success),
      ownMentions: ROLES.map((role) => incident.roles[role]).filter((u): u is string => Boolean(u)),
    },
  };
}

/**
 * What people typed (title, facts, update fields, root cause), as a message may quote it: no live
 * mention or masked link (src/text/safe-text.ts); Quell's own role and channel mentions stay live.
 */
const people = (text: string) => safeText(text, 'plain');

/** Reads a dotted field from the values (for required-field checks). */
export function fieldValue(values: FieldValues, path: string): unknown {
  let current: unknown = values;
  for (const name of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

export function isEmptyValue(value: unknown): boolean {
  return (
    value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
  );
}

/** Writes a dotted field (used to put the "missing" marker into a required field that is empty). */
export function setFieldValue(values: FieldValues, path: string, value: unknown): void {
  const names = path.split('.');
  let current = values as Record<string, unknown>;
  for (const name of names.slice(0, -1)) {
    const next = current[name];
    if (next === null || typeof next !== 'object') current[name] = {};
    current = current[name] as Record<string, unknown>;
  }
  current[names.at(-1)!] = value;
}
