import { z } from 'zod';
import { INCIDENT_CATEGORIES } from './categories.js';

export { CATEGORY_LABELS, INCIDENT_CATEGORIES, type IncidentCategory } from './categories.js';

import { obligationSchema } from '../obligations/model.js';

/** Who did it when nobody did: the actor of what Quell did by itself (timers, auto-archive, gates). */
export const SYSTEM_ACTOR = 'quell';

/**
 * Quell acting for a rule in the config file, not a person: an alert rule acts as
 * `quell:alert:<alert id>` ("Quell on alert <id>"). Never a Slack id, so never invited or mentioned;
 * the permission model lets it act as the operator who wrote the rule (permissions.ts).
 */
const ALERT_ACTOR_PREFIX = 'quell:alert:';
export const alertActor = (alertId: string): string => `${ALERT_ACTOR_PREFIX}${alertId}`;
/**
 * A REST API token (src/api) acts as `quell:api:<token name>` ("API token <name>"). Also never a
 * Slack id, but unlike an alert rule it is NOT trusted by default: the permission model decides it
 * by the standing its config gives it (src/api/token-permissions.ts).
 */
const API_ACTOR_PREFIX = 'quell:api:';
export const apiTokenActor = (name: string): string => `${API_ACTOR_PREFIX}${name}`;
/** The token's name for an API token actor; undefined for anyone else. */
export const apiTokenName = (actor: string): string | undefined =>
  actor.startsWith(API_ACTOR_PREFIX) ? actor.slice(API_ACTOR_PREFIX.length) : undefined;
/** Not a person (an alert rule, an API token): never invited, mentioned or made commander. */
export const isAutomationActor = (actor: string): boolean =>
  actor.startsWith(ALERT_ACTOR_PREFIX) || actor.startsWith(API_ACTOR_PREFIX);
/** "Quell on alert <id>" / "API token <name>" for an automation actor; undefined for anyone else. */
export function automationActorLabel(actor: string): string | undefined {
  if (actor.startsWith(ALERT_ACTOR_PREFIX)) return `Quell on alert ${actor.slice(ALERT_ACTOR_PREFIX.length)}`;
  const token = apiTokenName(actor);
  return token === undefined ? undefined : `API token ${token}`;
}

/**
 * An incident id as people type it and as action values carry it: the configured prefix
 * (`incidents.idPrefix`, 1-10 upper-case letters or digits) and a sequence number, e.g. `INC-42`.
 */
export const INCIDENT_ID_PATTERN = /^[A-Z][A-Z0-9]{0,9}-\d+$/;
export const incidentIdSchema = z
  .string()
  .regex(INCIDENT_ID_PATTERN, 'must be an incident id such as INC-42');

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ['investigating', 'contained', 'monitoring', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];

export const ROLES = ['commander', 'scribe', 'tech-lead', 'comms'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  commander: 'Incident commander',
  scribe: 'Scribe',
  'tech-lead': 'Technical lead',
  comms: 'Communications lead',
};

/** Facts about the misbehaving agent that responders record as they learn them. */
export const AGENT_FIELDS = ['name', 'version', 'model', 'prompt-hash', 'tools', 'environment'] as const;
export type AgentField = (typeof AGENT_FIELDS)[number];

export const AGENT_FIELD_LABELS: Record<AgentField, string> = {
  name: 'Agent',
  version: 'Version',
  model: 'Model',
  'prompt-hash': 'Prompt/config hash',
  tools: 'Tools',
  environment: 'Environment',
};

const isoInstant = z.iso.datetime({ offset: true });

/** How the agent comes back after the incident: shadow or read-only first, then limited, then full. */
export const REACTIVATION_STAGES = ['shadow', 'read-only', 'limited', 'full'] as const;
export type ReactivationStage = (typeof REACTIVATION_STAGES)[number];
export const reactivationPlanSchema = z.object({
  steps: z.array(z.object({ stage: z.enum(REACTIVATION_STAGES), owner: z.string(), criteria: z.string() })),
  recordedBy: z.string(),
  recordedAt: isoInstant,
});
export type ReactivationPlan = z.infer<typeof reactivationPlanSchema>;

/** The stored incident record; parsed with this schema whenever it is read back from Redis. */
export const incidentSchema = z.object({
  id: z.string(),
  seq: z.number().int().positive(),
  title: z.string(),
  description: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(STATUSES),
  drill: z.boolean(),
  channelId: z.string().optional(),
  channelName: z.string().optional(),
  summaryTs: z.string().optional(),
  roles: z.partialRecord(z.enum(ROLES), z.string()),
  agent: z.partialRecord(z.enum(AGENT_FIELDS), z.string()),
  declaredBy: z.string(),
  createdAt: isoInstant,
  /** When the agent's misbehaviour started, if known (`--started` / the declare form); else unknown. */
  startedAt: isoInstant.optional(),
  updatedAt: isoInstant,
  /** When the next structured update is due; null when the severity has no cadence or it is resolved. */
  nextUpdateDueAt: isoInstant.nullable(),
  resolvedAt: isoInstant.optional(),
  /** `/incident reactivate-plan`: how the agent is brought back, shown in the summary. */
  reactivationPlan: reactivationPlanSchema.optional(),
  /** A private incident: private channel, announcement without details, shown only to its members. */
  private: z.boolean().optional(),
  /** What kind of misbehaviour (security, privacy, ...), when the declarer said. */
  category: z.enum(INCIDENT_CATEGORIES).optional(),
  /** Where the announcement was posted, so its thread and text can follow the incident. */
  announcement: z.object({ channel: z.string(), ts: z.string() }).optional(),
  /** Channels the incident left (a public channel before its private follow-up). */
  previousChannelIds: z.array(z.string()).optional(),
  /** Notification clocks (GDPR Art. 33, AI Act Art. 73...): src/obligations keeps them. */
  obligations: z.array(obligationSchema).optional(),
  /** Optimistic-concurrency counter, bumped by every stored change. */
  version: z.number().int().nonnegative(),
});

export type Incident = z.infer<typeof incidentSchema>;

export function isActive(incident: Incident): boolean {
  return incident.status !== 'resolved';
}
