import { z } from 'zod';
import type { ApiOperation } from './routes.js';
import {
  changedSchema,
  changeRequestSchema,
  declaredSchema,
  declareRequestSchema,
  errorSchema,
  incidentDetailSchema,
  incidentListSchema,
  incidentSchema,
  noteAddedSchema,
  noteRequestSchema,
  timelineEntrySchema,
} from './schemas.js';

/**
 * The OpenAPI 3.1 document of the REST API, generated from the same zod schemas and operation table
 * the router uses (zod 4's `z.toJSONSchema`, JSON Schema 2020-12 as OpenAPI 3.1 expects), served at
 * `GET /api/v1/openapi.json`. Named schemas become `components.schemas` and are referenced.
 */
const REQUESTS = {
  DeclareRequest: declareRequestSchema,
  NoteRequest: noteRequestSchema,
  ChangeRequest: changeRequestSchema,
} as const;
const RESPONSES = {
  Incident: incidentSchema,
  TimelineEntry: timelineEntrySchema,
  IncidentList: incidentListSchema,
  IncidentDetail: incidentDetailSchema,
  Declared: declaredSchema,
  Changed: changedSchema,
  NoteAdded: noteAddedSchema,
  Error: errorSchema,
} as const;

const ERRORS: Record<number, string> = {
  400: 'Bad input: the body or query does not match its schema (issues name each path)',
  401: 'No token, or a token the config does not name',
  403: 'The token lacks the scope, or the permission model refuses it (recorded on the timeline)',
  404: 'No such incident (or a private one the token may not see)',
  409: "Refused by the incident's state: the restart gate, a transition, a declare in progress",
  413: 'The body is over the limit (api.bodyLimit)',
  422: 'Understood but refused: e.g. the severity is already that, an Idempotency-Key reused with another body',
  429: 'Over api.requestsPerMinute for this token; see Retry-After',
};

type JsonSchema = Record<string, unknown>;

function componentSchemas(): Record<string, JsonSchema> {
  const build = (named: Record<string, z.ZodType>, io: 'input' | 'output') => {
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
    const { schemas } = z.toJSONSchema(registry, {
      target: 'draft-2020-12',
      io,
      uri: (id) => `#/components/schemas/${id}`,
    });
    // each component is a schema of the document, not a document of its own
    return Object.fromEntries(
      Object.entries(schemas).map(([id, schema]) => {
        const { $schema: _drop, $id: _id, ...rest } = schema as JsonSchema;
        return [id, rest];
      }),
    );
  };
  return { ...build(REQUESTS, 'input'), ...build(RESPONSES, 'output') };
}

function nameOf(schema: z.ZodType | undefined): string | undefined {
  const all: Record<string, z.ZodType> = { ...REQUESTS, ...RESPONSES };
  return Object.entries(all).find(([, s]) => s === schema)?.[0];
}

const ref = (schema: z.ZodType | undefined) => {
  const name = nameOf(schema);
  if (!name) throw new Error('an API schema is not named in openapi.ts');
  return { $ref: `#/components/schemas/${name}` };
};

function parameters(operation: ApiOperation): JsonSchema[] {
  const path = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The incident id, e.g. INC-12',
  }));
  const headers = (operation.headers ?? []).map((h) => ({
    name: h.name,
    in: 'header',
    required: h.required,
    schema: { type: 'string', minLength: 1, maxLength: 255 },
    description: h.description,
  }));
  const query: JsonSchema[] = [];
  if (operation.query) {
    const json = z.toJSONSchema(operation.query, { target: 'draft-2020-12', io: 'input' }) as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(json.properties ?? {}))
      query.push({ name, in: 'query', required: json.required?.includes(name) ?? false, schema });
  }
  return [...path, ...headers, ...query];
}

export function openApiDocument(operations: readonly ApiOperation[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of operations) {
    const responses: Record<string, JsonSchema> = {};
    for (const [status, schema] of Object.entries(operation.responses))
      responses[status] = {
        description: Number(status) === 201 ? 'Created' : 'OK',
        content: { 'application/json': { schema: schema ? ref(schema) : { type: 'object' } } },
      };
    const errors = operation.scope ? ERRORS : {};
    for (const [status, description] of Object.entries(errors))
      responses[status] = { description, content: { 'application/json': { schema: ref(errorSchema) } } };
    const params = parameters(operation);
    const item = paths[operation.path] ?? {};
    paths[operation.path] = item;
    item[operation.method.toLowerCase()] = {
      operationId: operation.id,
      summary: operation.summary,
      security: operation.scope ? [{ bearerToken: [] }] : [],
      ...(operation.scope ? { 'x-quell-scope': operation.scope } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(operation.request
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: ref(operation.request) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Quell REST API',
      version,
      description:
        'Incidents from outside Slack: list, read, declare, add notes, change severity or status. A token acts through the same permission model and restart gate as a person; every call is on the incident timeline as "API token <name>".',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A token from the config file (api.tokens.<name>.tokenEnv); scopes: read, declare, write',
        },
      },
    },
  };
}
