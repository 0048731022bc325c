import type nock from 'nock';
import { type CollectorFixture, SECRET_PROMPT, WINDOW } from './fixtures.js';

/**
 * Grafana Tempo's answers, shaped after https://grafana.com/docs/tempo/latest/api_docs/:
 * - "Search": `GET /api/search?q=&start=&end=&limit=&spss=` answers `{ traces: [{ traceID,
 *   rootServiceName, rootTraceName, startTimeUnixNano, durationMs, spanSets: [{ spans: [{ spanID,
 *   startTimeUnixNano, durationNanos, attributes }], matched }] }], metrics: { ... } }` (the page's
 *   "Example of TraceQL search").
 * - "Query V2": `GET /api/v2/traces/<traceID>` answers a query response holding an OpenTelemetry JSON
 *   trace: `{ trace: { resourceSpans }, metrics }`, with `status: "PARTIAL"` and `message` when Tempo
 *   could not read all of it (TraceByIDResponse in grafana/tempo pkg/tempopb/tempo.proto). Tempo
 *   writes the proto3 JSON mapping, so span and trace ids in a trace body are base64.
 * - "Query": `GET /api/traces/<traceID>` answers the older `{ batches: [ResourceSpans] }`.
 * - Multi-tenancy (https://grafana.com/docs/tempo/latest/operations/manage-advanced-systems/multitenancy/):
 *   every request carries `X-Scope-OrgID`.
 * GenAI attributes after https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/.
 */
export const TEMPO = 'https://tempo.internal';
export const TEMPO_PASSWORD = 'glc_tempo_read_token_0123456789';
export const TEMPO_BASIC = `Basic ${Buffer.from(`812345:${TEMPO_PASSWORD}`).toString('base64')}`;
export const TEMPO_SETTINGS = {
  baseUrl: TEMPO,
  tenant: 'agents-prod',
  username: '812345',
  limit: 20,
  spss: 3,
};

export const TRACE_A = '2f3e0cee77ae5dc9c17ade3689eb2e54';
export const TRACE_B = '1b1ba462b409200d4a1c7e6e0f3d9a21';
export const TRACE_C = '7c0ffee07c0ffee07c0ffee07c0ffee0';

const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));
const ns = (iso: string) => String(BigInt(Date.parse(iso)) * 1_000_000n);
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** The search query the collector sends for the agent (default TraceQL on the service name). */
export function searchQuery(
  overrides: Partial<Record<'q' | 'start' | 'end' | 'limit' | 'spss', string>> = {},
): Record<string, string> {
  return {
    q: '{ resource.service.name = "refund-bot" }',
    start: unix(WINDOW.from),
    end: unix(WINDOW.to),
    limit: '20',
    spss: '3',
    ...overrides,
  };
}

/** One search hit as the docs' TraceQL example shows it. */
export function searchHit(traceID: string, at: string) {
  return {
    traceID,
    rootServiceName: 'refund-bot',
    rootTraceName: 'invoke_agent refund-bot',
    startTimeUnixNano: ns(at),
    durationMs: 1200,
    spanSets: [
      {
        spans: [
          {
            spanID: '563d623c76514f8e',
            startTimeUnixNano: ns(at),
            durationNanos: '446979497',
            attributes: [str('service.name', 'refund-bot')],
          },
        ],
        matched: 1,
      },
    ],
  };
}

export function searchAnswer(hits: ReturnType<typeof searchHit>[]) {
  return { traces: hits, metrics: { inspectedTraces: 3100, inspectedBytes: '3811736', totalBlocks: 3 } };
}

export interface FixtureSpan {
  spanId: string;
  name: string;
  at: string;
  attributes: { key: string; value: { stringValue: string } }[];
}

export const modelSpan = (spanId: string, at: string): FixtureSpan => ({
  spanId,
  name: 'chat gpt-4.1',
  at,
  attributes: [
    str('gen_ai.operation.name', 'chat'),
    str('gen_ai.request.model', 'gpt-4.1'),
    str('gen_ai.input.messages', SECRET_PROMPT),
  ],
});
export const toolSpan = (spanId: string, at: string, tool: string): FixtureSpan => ({
  spanId,
  name: `execute_tool ${tool}`,
  at,
  attributes: [
    str('gen_ai.operation.name', 'execute_tool'),
    str('gen_ai.tool.name', tool),
    str('gen_ai.tool.call.id', `call-${spanId}`),
    str('gen_ai.tool.call.arguments', '{"table":"orders"}'),
  ],
});
export const httpSpan = (spanId: string, at: string): FixtureSpan => ({
  spanId,
  name: 'GET /orders',
  at,
  attributes: [str('http.request.method', 'GET')],
});

function resourceSpans(traceId: string, spans: FixtureSpan[]) {
  return [
    {
      resource: { attributes: [str('service.name', 'refund-bot')] },
      scopeSpans: [
        {
          scope: { name: 'openai-agents', version: '0.4.0' },
          spans: spans.map((s) => ({
            traceId: b64(traceId),
            spanId: b64(s.spanId),
            name: s.name,
            kind: 'SPAN_KIND_INTERNAL',
            startTimeUnixNano: ns(s.at),
            endTimeUnixNano: ns(s.at),
            attributes: s.attributes,
            status: {},
          })),
        },
      ],
    },
  ];
}

/** A `/api/v2/traces/<id>` answer. */
export function traceV2(traceId: string, spans: FixtureSpan[], partial?: string) {
  return {
    trace: { resourceSpans: resourceSpans(traceId, spans) },
    metrics: { inspectedBytes: '1841' },
    ...(partial ? { status: 'PARTIAL', message: partial } : {}),
  };
}

/** A `/api/traces/<id>` answer (the first trace API). */
export function traceV1(traceId: string, spans: FixtureSpan[]) {
  return { batches: resourceSpans(traceId, spans) };
}

export const TRACE_A_SPANS = [
  modelSpan('a1a1a1a1a1a1a1a1', '2026-11-21T13:06:30Z'),
  toolSpan('a2a2a2a2a2a2a2a2', '2026-11-21T13:08:00Z', 'delete_records'),
  httpSpan('a3a3a3a3a3a3a3a3', '2026-11-21T13:08:02Z'),
];
export const TRACE_B_SPANS = [toolSpan('b1b1b1b1b1b1b1b1', '2026-11-21T13:20:00Z', 'send_email')];

/** Mocks the tenant's search answering both traces, with the documented headers. */
function searchBoth(scope: nock.Scope): nock.Scope {
  return scope
    .get('/api/search')
    .query(searchQuery())
    .matchHeader('authorization', TEMPO_BASIC)
    .matchHeader('x-scope-orgid', 'agents-prod')
    .reply(
      200,
      searchAnswer([searchHit(TRACE_A, '2026-11-21T13:06:00Z'), searchHit(TRACE_B, '2026-11-21T13:19:00Z')]),
    );
}

export const tempoFixture: CollectorFixture = {
  collector: 'tempo',
  settings: TEMPO_SETTINGS,
  secrets: { password: TEMPO_PASSWORD },
  base: TEMPO,
  secret: TEMPO_PASSWORD,
  happy(scope) {
    searchBoth(scope)
      .get(`/api/v2/traces/${TRACE_A}`)
      .matchHeader('authorization', TEMPO_BASIC)
      .matchHeader('x-scope-orgid', 'agents-prod')
      .reply(200, traceV2(TRACE_A, TRACE_A_SPANS))
      .get(`/api/v2/traces/${TRACE_B}`)
      .matchHeader('x-scope-orgid', 'agents-prod')
      .reply(200, traceV2(TRACE_B, TRACE_B_SPANS));
  },
  // the search and the first trace answer; the second trace is rate limited throughout
  stormAfterFirst(scope) {
    searchBoth(scope)
      .get(`/api/v2/traces/${TRACE_A}`)
      .reply(200, traceV2(TRACE_A, TRACE_A_SPANS))
      .get(`/api/v2/traces/${TRACE_B}`)
      .times(3)
      .reply(429, 'job queue full', { 'retry-after': '1' });
  },
  refused(scope) {
    scope.get('/api/search').query(true).reply(401, 'invalid authentication credentials');
  },
  expected: {
    records: 4,
    files: ['search.page-0001.json', `traces/${TRACE_A}.json`, `traces/${TRACE_B}.json`],
    toolCalls: ['delete_records', 'send_email'],
  },
  keptBeforeStorm: 3,
};
