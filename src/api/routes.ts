import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { ApiError, type ApiReply, type ApiRequest, type ApiRoute, readJson } from '../http-api/router.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { Logger } from '../logging/logger.js';
import type { ResolutionService } from '../resolution/index.js';
import type { ApiScope } from './config.js';
import { type ApiGuard, failure, parse } from './guard.js';
import {
  changedSchema,
  changeRequestSchema,
  declaredSchema,
  declareRequestSchema,
  incidentDetailSchema,
  incidentListSchema,
  incidentView,
  listQuerySchema,
  noteAddedSchema,
  noteRequestSchema,
  timelineEntry,
} from './schemas.js';
import type { ApiToken } from './tokens.js';

/**
 * `/api/v1/incidents`: list, get, declare, add a timeline note, change severity or status. Each
 * operation is one row of OPERATIONS (method, path, scope, schemas, handler), which both the router
 * and the OpenAPI document are built from. Handlers act as the token through the domain services,
 * so the permission model and the restart gate decide exactly as for a person, and every change is
 * on the timeline under "API token <name>"; reads are recorded there too (`api_read`).
 */
export interface ApiDeps {
  guard: ApiGuard;
  incidents: Pick<
    IncidentService,
    'declare' | 'require' | 'addNote' | 'setSeverity' | 'setStatus' | 'timeline'
  >;
  store: Pick<IncidentStore, 'get' | 'listActive' | 'appendTimeline'>;
  resolution: Pick<ResolutionService, 'resolve'>;
  redis: Redis;
  prefix: string;
  bodyLimit: number;
  now: () => Date;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface ApiOperation {
  id: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** OpenAPI style: `/api/v1/incidents/{id}`. */
  path: string;
  summary: string;
  /** Undefined: no token needed (the OpenAPI document). */
  scope?: ApiScope;
  request?: z.ZodType;
  query?: z.ZodType;
  /** Status → response schema. */
  responses: Readonly<Record<number, z.ZodType | undefined>>;
  headers?: readonly { name: string; required: boolean; description: string }[];
  handle(request: ApiRequest, token: ApiToken | undefined, deps: ApiDeps): Promise<ApiReply>;
}

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const TIMELINE_LIMIT = 200;

/** The incident, unless it does not exist or is private and the token may not see it (both 404). */
async function visibleIncident(deps: ApiDeps, token: ApiToken, id: string): Promise<Incident> {
  const incident = await deps.store.get(id);
  if (!incident || (incident.private && !token.privateIncidents))
    throw new ApiError(404, `no incident ${id}`, { code: 'incident_not_found' });
  return incident;
}

export const OPERATIONS: readonly ApiOperation[] = [
  {
    id: 'listIncidents',
    method: 'GET',
    path: '/api/v1/incidents',
    summary: 'Open incidents, newest first (private ones only for tokens with privateIncidents)',
    scope: 'read',
    query: listQuerySchema,
    responses: { 200: incidentListSchema },
    async handle(request, token, deps) {
      const query = parse(listQuerySchema, Object.fromEntries(request.query));
      const active = await deps.store.listActive();
      const incidents = active
        .filter((i) => !i.private || token!.privateIncidents)
        .filter((i) => (query.severity ? i.severity === query.severity : true))
        .filter((i) => (query.status ? i.status === query.status : true))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, query.limit);
      deps.logger.info({ token: token!.name, count: incidents.length }, 'REST API: incidents listed');
      return { status: 200, body: incidentListSchema.parse({ incidents: incidents.map(incidentView) }) };
    },
  },
  {
    id: 'getIncident',
    method: 'GET',
    path: '/api/v1/incidents/{id}',
    summary: 'One incident and its timeline (the read is recorded on the timeline)',
    scope: 'read',
    responses: { 200: incidentDetailSchema },
    async handle(request, token, deps) {
      const incident = await visibleIncident(deps, token!, request.params.id!);
      // a read changes nothing, but who looked is part of the record
      await deps.store.appendTimeline({
        incidentId: incident.id,
        at: deps.now().toISOString(),
        actor: token!.actor,
        kind: 'api_read',
        text: 'read the incident through the REST API',
        data: { token: token!.name, route: 'GET /api/v1/incidents/{id}' },
      });
      const timeline = (await deps.incidents.timeline(incident.id)).slice(-TIMELINE_LIMIT);
      return {
        status: 200,
        body: incidentDetailSchema.parse({
          incident: incidentView(incident),
          timeline: timeline.map(timelineEntry),
        }),
      };
    },
  },
  {
    id: 'declareIncident',
    method: 'POST',
    path: '/api/v1/incidents',
    summary: 'Declare an incident (channel, summary, announcement, pages) as the token',
    scope: 'declare',
    request: declareRequestSchema,
    responses: { 200: declaredSchema, 201: declaredSchema },
    headers: [
      {
        name: 'Idempotency-Key',
        required: true,
        description:
          'Any unique string (≤ 255 characters): a retried request with the same key and body returns the same incident, never a second one',
      },
    ],
    async handle(request, token, deps) {
      const key = request.header('idempotency-key')?.trim();
      if (!key || key.length > 255 || !/^[\x21-\x7e]+$/.test(key))
        throw new ApiError(
          400,
          'send an Idempotency-Key header (1-255 visible ASCII characters) with every declare',
          {
            code: 'idempotency_key_required',
          },
        );
      const body = parse(declareRequestSchema, readJson(request));
      const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const claimKey = `${deps.prefix}:api:idempotency:${token!.name}:${createHash('sha256').update(key).digest('hex')}`;
      // the key remembers its request: the same key with another body is a client bug, not a retry
      await deps.redis.set(claimKey, fingerprint, 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX');
      if ((await deps.redis.get(claimKey)) !== fingerprint)
        throw new ApiError(422, 'this Idempotency-Key was used with a different body; use a new key', {
          code: 'idempotency_key_reused',
        });
      const outcome = await deps.incidents.declare({
        title: body.title,
        severity: body.severity,
        ...(body.description ? { description: body.description } : {}),
        ...(body.agent ? { agent: body.agent } : {}),
        ...(body.drill !== undefined ? { drill: body.drill } : {}),
        ...(body.announce !== undefined ? { announce: body.announce } : {}),
        ...(body.private !== undefined ? { private: body.private } : {}),
        declaredBy: token!.actor,
        // the incident's id is claimed under this key in Redis before the channel is made
        idempotencyKey: `api:${token!.name}:${key}`,
      });
      return {
        status: outcome.created ? 201 : 200,
        headers: outcome.created ? {} : ({ 'idempotent-replayed': 'true' } as Record<string, string>),
        body: declaredSchema.parse({
          incident: incidentView(outcome.incident),
          created: outcome.created,
          failures: outcome.failures,
        }),
      };
    },
  },
  {
    id: 'addNote',
    method: 'POST',
    path: '/api/v1/incidents/{id}/notes',
    summary: "Add a note to the incident's timeline",
    scope: 'write',
    request: noteRequestSchema,
    responses: { 201: noteAddedSchema },
    async handle(request, token, deps) {
      const incident = await visibleIncident(deps, token!, request.params.id!);
      const body = parse(noteRequestSchema, readJson(request));
      await deps.incidents.addNote(incident.id, token!.actor, body.text);
      const entry = (await deps.incidents.timeline(incident.id))
        .reverse()
        .find((e) => e.kind === 'note' && e.actor === token!.actor);
      return { status: 201, body: noteAddedSchema.parse({ entry: timelineEntry(entry!) }) };
    },
  },
  {
    id: 'changeIncident',
    method: 'PATCH',
    path: '/api/v1/incidents/{id}',
    summary: 'Change the severity and/or status (severity first); resolving goes through the restart gate',
    scope: 'write',
    request: changeRequestSchema,
    responses: { 200: changedSchema },
    async handle(request, token, deps) {
      const { id } = await visibleIncident(deps, token!, request.params.id!);
      const body = parse(changeRequestSchema, readJson(request));
      let incident = await deps.incidents.require(id);
      if (body.severity && body.severity !== incident.severity)
        incident = await deps.incidents.setSeverity(id, token!.actor, body.severity);
      if (body.status && body.status !== incident.status)
        incident =
          body.status === 'resolved'
            ? await deps.resolution.resolve(id, token!.actor)
            : await deps.incidents.setStatus(id, token!.actor, body.status);
      return { status: 200, body: changedSchema.parse({ incident: incidentView(incident) }) };
    },
  },
];

/** OpenAPI `/a/{id}` → the router's `/a/:id`. */
export const routerPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** The router's routes for OPERATIONS (and the document), each guarded and its refusals mapped. */
export function apiRoutes(deps: ApiDeps, operations: readonly ApiOperation[] = OPERATIONS): ApiRoute[] {
  return operations.map((operation) => ({
    method: operation.method,
    path: routerPath(operation.path),
    bodyLimit: deps.bodyLimit,
    handler: async (request) => {
      try {
        const token = operation.scope ? await deps.guard.authenticate(request) : undefined;
        if (token && operation.scope) {
          // a scope refusal about one incident is recorded on its timeline
          const incident = request.params.id ? await deps.store.get(request.params.id) : undefined;
          const visible = incident && (!incident.private || token.privateIncidents) ? incident : undefined;
          await deps.guard.requireScope(token, operation.scope, visible);
        }
        return await operation.handle(request, token, deps).catch(failure);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return errorReply(error);
      }
    },
  }));
}

function errorReply(error: ApiError): ApiReply {
  const { retryAfterSeconds, ...details } = error.details as { retryAfterSeconds?: number };
  const headers: Record<string, string> = {};
  if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="quell"';
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return { status: error.status, headers, body: { error: error.reason, ...details } };
}
