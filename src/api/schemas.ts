import { z } from 'zod';
import { AGENT_FIELDS, type Incident, ROLES, SEVERITIES, STATUSES } from '../incidents/model.js';
import type { TimelineEvent } from '../incidents/timeline.js';

/**
 * Every request and response of the REST API, as zod schemas: requests are parsed with them (a bad
 * one is a 400 naming each issue's path), responses are built through them, and the OpenAPI
 * document (openapi.ts) is generated from them, so the three cannot drift apart.
 */
const agentFacts = z
  .partialRecord(z.enum(AGENT_FIELDS), z.string().trim().min(1).max(200))
  .describe('Facts about the misbehaving agent: name, version, model, prompt-hash, tools, environment');

export const declareRequestSchema = z.strictObject({
  title: z.string().trim().min(1).max(120),
  severity: z.enum(SEVERITIES),
  description: z.string().trim().max(3_000).optional(),
  agent: agentFacts.optional(),
  drill: z.boolean().optional().describe('A rehearsal: pages nobody, announces nothing'),
  announce: z.boolean().optional().describe('Announce in the announcement channel (default true)'),
  private: z.boolean().optional().describe('Private channel; unset: incidents.privateByDefault decides'),
});

export const noteRequestSchema = z.strictObject({ text: z.string().trim().min(1).max(3_000) });

export const changeRequestSchema = z
  .strictObject({
    severity: z.enum(SEVERITIES).optional(),
    status: z
      .enum(STATUSES)
      .optional()
      .describe('`resolved` goes through the restart gate, as `/incident resolve` does'),
  })
  .refine((body) => body.severity !== undefined || body.status !== undefined, {
    message: 'name a severity, a status or both',
  });

export const listQuerySchema = z.strictObject({
  severity: z.enum(SEVERITIES).optional(),
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const incidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(STATUSES),
  drill: z.boolean(),
  private: z.boolean(),
  channel: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  roles: z.partialRecord(z.enum(ROLES), z.string()),
  agent: z.partialRecord(z.enum(AGENT_FIELDS), z.string()),
  declaredBy: z.string(),
  declaredAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  nextUpdateDueAt: z.string().nullable(),
});
export type IncidentView = z.infer<typeof incidentSchema>;

export const timelineEntrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  kind: z.string(),
  text: z.string(),
});

export const incidentListSchema = z.object({ incidents: z.array(incidentSchema) });
export const incidentDetailSchema = z.object({
  incident: incidentSchema,
  timeline: z.array(timelineEntrySchema),
});
export const declaredSchema = z.object({
  incident: incidentSchema,
  created: z.boolean().describe('false: this Idempotency-Key had already declared it'),
  failures: z.array(z.string()).describe('Channel set-up steps that failed (the incident exists regardless)'),
});
export const changedSchema = z.object({ incident: incidentSchema });
export const noteAddedSchema = z.object({ entry: timelineEntrySchema });

export const errorSchema = z.object({
  error: z.string().describe('What went wrong and what to do about it'),
  code: z.string().optional(),
  issues: z
    .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
    .optional()
    .describe('Bad input: each problem with its path in the request'),
});

export function incidentView(incident: Incident): IncidentView {
  return incidentSchema.parse({
    id: incident.id,
    title: incident.title,
    description: incident.description,
    severity: incident.severity,
    status: incident.status,
    drill: incident.drill,
    private: incident.private ?? false,
    channel: incident.channelId ? { id: incident.channelId, name: incident.channelName ?? null } : null,
    roles: incident.roles,
    agent: incident.agent,
    declaredBy: incident.declaredBy,
    declaredAt: incident.createdAt,
    updatedAt: incident.updatedAt,
    resolvedAt: incident.resolvedAt ?? null,
    nextUpdateDueAt: incident.nextUpdateDueAt,
  });
}

export function timelineEntry(event: TimelineEvent): z.infer<typeof timelineEntrySchema> {
  return { at: event.at, actor: event.actor, kind: event.kind, text: event.text };
}
