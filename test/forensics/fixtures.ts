import type nock from 'nock';

/**
 * Vendor answers for the conformance suite, each shaped after the page it cites. Every fixture
 * builds the documented requests (path, query, auth header) and answers with documented bodies.
 */
export const WINDOW = { from: new Date('2026-11-21T13:00:00Z'), to: new Date('2026-11-21T14:00:00Z') };
export const AGENT = { name: 'refund-bot', version: '4.2.0', model: 'gpt-4.1' };
/** A prompt that carries a secret and personal data: raw in the bundle, masked in readable views. */
export const SECRET_PROMPT =
  'Refund jane.doe@example.com, card 4111 1111 1111 1111, using api_key=sk_live_51HxAbCdEfGhIjKlMnOpQr';

export interface CollectorFixture {
  collector: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  /** The base URL the fixture mocks. */
  base: string;
  /** Two pages (or the whole answer when the API has no pages). */
  happy(scope: nock.Scope): void;
  /** Page one answers, then page two is a 429 storm (every attempt, Retry-After: 1). */
  stormAfterFirst(scope: nock.Scope): void;
  /** The first request refused for bad credentials. */
  refused(scope: nock.Scope): void;
  /** What the happy path yields. */
  expected: { records: number; files: string[]; toolCalls: string[] };
  /** Records kept when the storm hits page two. */
  keptBeforeStorm: number;
  /** The secret that must never appear in queries.jsonl or run.json. */
  secret: string;
}

// https://docs.litellm.ai/docs/proxy/ui_logs and the spend management endpoints (`/spend/logs/ui`):
// `{ data: [SpendLogs rows], total, page, page_size, total_pages }`, rows with request_id, startTime,
// model, call_type, session_id, messages and response (stored only with store_prompts_in_spend_logs).
const LITELLM_KEY_HASH = 'a'.repeat(64);
const litellmRow = (id: string, at: string, tool?: string) => ({
  request_id: id,
  call_type: 'acompletion',
  api_key: LITELLM_KEY_HASH,
  spend: 0.0012,
  total_tokens: 321,
  startTime: at,
  endTime: at,
  model: 'gpt-4.1',
  user: 'refund-bot',
  session_id: 'sess-9',
  metadata: { user_api_key_alias: 'refund-bot' },
  messages: [{ role: 'user', content: SECRET_PROMPT }],
  response: tool
    ? {
        choices: [
          {
            message: {
              role: 'assistant',
              tool_calls: [
                {
                  id: `call-${id}`,
                  type: 'function',
                  function: { name: tool, arguments: '{"order":"A-17","amount":1200}' },
                },
              ],
            },
          },
        ],
      }
    : { choices: [{ message: { role: 'assistant', content: 'ok' } }] },
});
const litellmQuery = (page: number) => ({
  api_key: LITELLM_KEY_HASH,
  start_date: '2026-11-21 13:00:00',
  end_date: '2026-11-21 14:00:00',
  page: String(page),
  page_size: '2',
});
export const litellmFixture: CollectorFixture = {
  collector: 'litellm',
  settings: { baseUrl: 'https://llm.internal', keyHash: LITELLM_KEY_HASH, pageSize: 2 },
  secrets: { masterKey: 'sk-master-0123456789' },
  base: 'https://llm.internal',
  secret: 'sk-master-0123456789',
  happy(scope) {
    scope
      .get('/spend/logs/ui')
      .query(litellmQuery(1))
      .matchHeader('authorization', 'Bearer sk-master-0123456789')
      .reply(200, {
        data: [
          litellmRow('r1', '2026-11-21T13:05:00Z'),
          litellmRow('r2', '2026-11-21T13:06:00Z', 'issue_refund'),
        ],
        total: 3,
        page: 1,
        page_size: 2,
        total_pages: 2,
      })
      .get('/spend/logs/ui')
      .query(litellmQuery(2))
      .reply(200, {
        data: [litellmRow('r3', '2026-11-21T13:09:00Z', 'send_email')],
        total: 3,
        page: 2,
        page_size: 2,
        total_pages: 2,
      });
  },
  stormAfterFirst(scope) {
    scope
      .get('/spend/logs/ui')
      .query(litellmQuery(1))
      .reply(200, {
        data: [litellmRow('r1', '2026-11-21T13:05:00Z'), litellmRow('r2', '2026-11-21T13:06:00Z')],
        total: 3,
        page: 1,
        page_size: 2,
        total_pages: 2,
      })
      .get('/spend/logs/ui')
      .query(litellmQuery(2))
      .times(3)
      .reply(429, { error: { message: 'Rate limit exceeded' } }, { 'retry-after': '1' });
  },
  refused(scope) {
    scope
      .get('/spend/logs/ui')
      .query(true)
      .reply(401, {
        error: { message: 'Authentication Error, Invalid proxy server token passed', type: 'auth_error' },
      });
  },
  expected: {
    records: 3,
    files: ['spend-logs.page-0001.json', 'spend-logs.page-0002.json'],
    toolCalls: ['issue_refund', 'send_email'],
  },
  keptBeforeStorm: 2,
};

// https://langfuse.com/docs/api-and-data-platform/features/public-api, OpenAPI
// https://cloud.langfuse.com/generated/api/openapi.yml: `{ data, meta: { page, limit, totalItems, totalPages } }`.
const lfAuth = `Basic ${Buffer.from('pk-lf-1234:sk-lf-secret-5678').toString('base64')}`;
const observation = (id: string, at: string, type: string, name: string) => ({
  id,
  traceId: 'trace-1',
  type,
  name,
  startTime: at,
  endTime: at,
  model: type === 'GENERATION' ? 'gpt-4.1' : null,
  input: type === 'GENERATION' ? [{ role: 'user', content: SECRET_PROMPT }] : { order: 'A-17' },
  output: { ok: true },
});
export const langfuseFixture: CollectorFixture = {
  collector: 'langfuse',
  settings: {
    baseUrl: 'https://cloud.langfuse.com',
    userId: '{agent.name}',
    pageSize: 1,
    ingestionLagMinutes: 0,
  },
  secrets: { publicKey: 'pk-lf-1234', secretKey: 'sk-lf-secret-5678' },
  base: 'https://cloud.langfuse.com',
  secret: 'sk-lf-secret-5678',
  happy(scope) {
    const window = { fromTimestamp: WINDOW.from.toISOString(), toTimestamp: WINDOW.to.toISOString() };
    const obsWindow = { fromStartTime: WINDOW.from.toISOString(), toStartTime: WINDOW.to.toISOString() };
    scope
      .get('/api/public/traces')
      .query({ page: '1', limit: '1', userId: 'refund-bot', ...window })
      .matchHeader('authorization', lfAuth)
      .reply(200, {
        data: [
          {
            id: 'trace-1',
            timestamp: '2026-11-21T13:04:00Z',
            name: 'refund',
            userId: 'refund-bot',
            sessionId: 'sess-9',
            tags: [],
          },
        ],
        meta: { page: 1, limit: 1, totalItems: 1, totalPages: 1 },
      })
      .get('/api/public/observations')
      .query({ page: '1', limit: '1', userId: 'refund-bot', ...obsWindow })
      .reply(200, {
        data: [observation('o1', '2026-11-21T13:04:30Z', 'GENERATION', 'plan')],
        meta: { page: 1, limit: 1, totalItems: 2, totalPages: 2 },
      })
      .get('/api/public/observations')
      .query({ page: '2', limit: '1', userId: 'refund-bot', ...obsWindow })
      .reply(200, {
        data: [observation('o2', '2026-11-21T13:07:00Z', 'TOOL', 'issue_refund')],
        meta: { page: 2, limit: 1, totalItems: 2, totalPages: 2 },
      });
  },
  stormAfterFirst(scope) {
    scope
      .get('/api/public/traces')
      .query(true)
      .reply(200, {
        data: [{ id: 'trace-1', timestamp: '2026-11-21T13:04:00Z' }],
        meta: { page: 1, limit: 1, totalItems: 1, totalPages: 1 },
      })
      .get('/api/public/observations')
      .query((q) => q.page === '1')
      .reply(200, {
        data: [observation('o1', '2026-11-21T13:04:30Z', 'GENERATION', 'plan')],
        meta: { page: 1, limit: 1, totalItems: 2, totalPages: 2 },
      })
      .get('/api/public/observations')
      .query((q) => q.page === '2')
      .times(3)
      .reply(429, { message: 'rate limit exceeded' }, { 'retry-after': '1' });
  },
  refused(scope) {
    scope
      .get('/api/public/traces')
      .query(true)
      .reply(401, { message: 'Invalid credentials. Confirm that you have used the correct host.' });
  },
  expected: {
    records: 3,
    files: ['traces.page-0001.json', 'observations.page-0001.json', 'observations.page-0002.json'],
    toolCalls: ['issue_refund'],
  },
  keptBeforeStorm: 2,
};

// Jaeger query API v3 (https://www.jaegertracing.io/docs/latest/architecture/apis/, OpenAPI
// jaeger-idl swagger/api_v3/query_service.openapi.yaml): OTLP JSON under `result.resourceSpans`.
// GenAI attributes after https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/.
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const ns = (iso: string) => String(BigInt(Date.parse(iso)) * 1_000_000n);
export const otelFixture: CollectorFixture = {
  collector: 'otel-traces',
  settings: { baseUrl: 'http://jaeger.internal:16686', service: '{agent.name}', searchDepth: 20 },
  secrets: { token: 'jaeger-token-abcdef' },
  base: 'http://jaeger.internal:16686',
  secret: 'jaeger-token-abcdef',
  happy(scope) {
    scope
      .get('/api/v3/traces')
      .query({
        'query.service_name': 'refund-bot',
        'query.start_time_min': WINDOW.from.toISOString(),
        'query.start_time_max': WINDOW.to.toISOString(),
        'query.search_depth': '20',
      })
      .matchHeader('authorization', 'Bearer jaeger-token-abcdef')
      .reply(200, {
        result: {
          resourceSpans: [
            {
              resource: { attributes: [str('service.name', 'refund-bot')] },
              scopeSpans: [
                {
                  scope: { name: 'openai-agents' },
                  spans: [
                    {
                      traceId: 'aa11',
                      spanId: 's1',
                      name: 'chat gpt-4.1',
                      startTimeUnixNano: ns('2026-11-21T13:06:30Z'),
                      endTimeUnixNano: ns('2026-11-21T13:06:31Z'),
                      attributes: [
                        str('gen_ai.operation.name', 'chat'),
                        str('gen_ai.request.model', 'gpt-4.1'),
                        str('gen_ai.input.messages', SECRET_PROMPT),
                      ],
                    },
                    {
                      traceId: 'aa11',
                      spanId: 's2',
                      name: 'execute_tool delete_records',
                      startTimeUnixNano: ns('2026-11-21T13:08:00Z'),
                      endTimeUnixNano: ns('2026-11-21T13:08:01Z'),
                      attributes: [
                        str('gen_ai.operation.name', 'execute_tool'),
                        str('gen_ai.tool.name', 'delete_records'),
                        str('gen_ai.tool.call.id', 'call-77'),
                        str('gen_ai.tool.call.arguments', '{"table":"orders"}'),
                      ],
                    },
                    {
                      traceId: 'aa11',
                      spanId: 's3',
                      name: 'GET /orders',
                      startTimeUnixNano: ns('2026-11-21T13:08:02Z'),
                      attributes: [str('http.request.method', 'GET')],
                    },
                  ],
                },
              ],
            },
          ],
        },
      });
  },
  // v3 has no pages: the one search is rate limited throughout
  stormAfterFirst(scope) {
    scope
      .get('/api/v3/traces')
      .query(true)
      .times(3)
      .reply(429, { error: { code: 8, message: 'too many requests' } }, { 'retry-after': '1' });
  },
  refused(scope) {
    scope
      .get('/api/v3/traces')
      .query(true)
      .reply(403, { error: { code: 7, message: 'permission denied' } });
  },
  expected: { records: 3, files: ['traces.json'], toolCalls: ['delete_records'] },
  keptBeforeStorm: 0,
};

// Kubernetes API (https://kubernetes.io/docs/reference/kubernetes-api/): Deployment, ReplicaSetList,
// EventList with `metadata.continue`, PodList, and the pod log as text with RFC 3339 timestamps.
const k8s = 'https://k8s.internal:6443';
export const kubernetesFixture: CollectorFixture = {
  collector: 'kubernetes',
  settings: { apiServer: k8s, namespace: 'agents', deployment: '{agent.name}', eventPageSize: 1 },
  secrets: { token: 'k8s-sa-token-123456' },
  base: k8s,
  secret: 'k8s-sa-token-123456',
  happy(scope) {
    const rev = (n: number) => ({ 'deployment.kubernetes.io/revision': String(n) });
    scope
      .get('/apis/apps/v1/namespaces/agents/deployments/refund-bot')
      .matchHeader('authorization', 'Bearer k8s-sa-token-123456')
      .reply(200, {
        kind: 'Deployment',
        metadata: { name: 'refund-bot', annotations: rev(7) },
        spec: { replicas: 2, selector: { matchLabels: { app: 'refund-bot' } } },
      })
      .get('/apis/apps/v1/namespaces/agents/replicasets')
      .query({ labelSelector: 'app=refund-bot' })
      .reply(200, {
        kind: 'ReplicaSetList',
        metadata: {},
        items: [
          { metadata: { name: 'refund-bot-7', annotations: rev(7) } },
          {
            metadata: { name: 'refund-bot-6', annotations: rev(6) },
            spec: { template: { spec: { containers: [{ image: 'refund-bot:4.1.0' }] } } },
          },
        ],
      })
      .get('/api/v1/namespaces/agents/events')
      .query({ fieldSelector: 'involvedObject.name=refund-bot', limit: '1' })
      .reply(200, {
        kind: 'EventList',
        metadata: { continue: 'c1' },
        items: [{ metadata: { name: 'ev1' }, reason: 'ScalingReplicaSet' }],
      })
      .get('/api/v1/namespaces/agents/events')
      .query({ fieldSelector: 'involvedObject.name=refund-bot', limit: '1', continue: 'c1' })
      .reply(200, {
        kind: 'EventList',
        metadata: {},
        items: [{ metadata: { name: 'ev2' }, reason: 'Killing' }],
      })
      .get('/api/v1/namespaces/agents/pods')
      .query({ labelSelector: 'app=refund-bot' })
      .reply(200, { kind: 'PodList', metadata: {}, items: [{ metadata: { name: 'refund-bot-7-abc' } }] })
      .get('/api/v1/namespaces/agents/pods/refund-bot-7-abc/log')
      .query({ timestamps: 'true', sinceTime: WINDOW.from.toISOString(), limitBytes: '5000000' })
      .reply(
        200,
        '2026-11-21T13:08:00.123456789Z tool=delete_records table=orders\n2026-11-21T13:08:01.000000000Z done\n',
        { 'content-type': 'text/plain' },
      );
  },
  stormAfterFirst(scope) {
    scope
      .get('/apis/apps/v1/namespaces/agents/deployments/refund-bot')
      .reply(200, {
        metadata: { name: 'refund-bot', annotations: { 'deployment.kubernetes.io/revision': '1' } },
        spec: { selector: { matchLabels: { app: 'refund-bot' } } },
      })
      .get('/apis/apps/v1/namespaces/agents/replicasets')
      .query(true)
      .reply(200, { metadata: {}, items: [] })
      .get('/api/v1/namespaces/agents/events')
      .query((q) => !q.continue)
      .reply(200, { metadata: { continue: 'c1' }, items: [{ metadata: { name: 'ev1' } }] })
      .get('/api/v1/namespaces/agents/events')
      .query((q) => q.continue === 'c1')
      .times(3)
      .reply(
        429,
        { kind: 'Status', message: 'Too many requests, please try again later.' },
        { 'retry-after': '1' },
      );
  },
  refused(scope) {
    scope.get('/apis/apps/v1/namespaces/agents/deployments/refund-bot').reply(401, {
      kind: 'Status',
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  },
  // 2 events + 2 log lines
  expected: {
    records: 4,
    files: [
      'deployment.json',
      'replicasets.json',
      'previous-revision.json',
      'events.page-0001.json',
      'events.page-0002.json',
      'pods.json',
      'logs/refund-bot-7-abc.log',
    ],
    toolCalls: [],
  },
  keptBeforeStorm: 1,
};

// A generic in-house audit log: `{ items, next }` with a cursor.
export const httpFixture: CollectorFixture = {
  collector: 'http',
  settings: {
    url: 'https://audit.internal/v1/events?actor={agent.name}&since={from}',
    next: 'next',
    cursorParam: 'cursor',
    items: 'items',
  },
  secrets: { token: 'audit-token-987654' },
  base: 'https://audit.internal',
  secret: 'audit-token-987654',
  happy(scope) {
    scope
      .get('/v1/events')
      .query({ actor: 'refund-bot', since: WINDOW.from.toISOString() })
      .matchHeader('authorization', 'Bearer audit-token-987654')
      .reply(200, { items: [{ id: 1 }, { id: 2 }], next: 'p2' })
      .get('/v1/events')
      .query({ actor: 'refund-bot', since: WINDOW.from.toISOString(), cursor: 'p2' })
      .reply(200, { items: [{ id: 3 }], next: null });
  },
  stormAfterFirst(scope) {
    scope
      .get('/v1/events')
      .query((q) => !q.cursor)
      .reply(200, { items: [{ id: 1 }, { id: 2 }], next: 'p2' })
      .get('/v1/events')
      .query((q) => q.cursor === 'p2')
      .times(3)
      .reply(429, 'slow down', { 'retry-after': '1' });
  },
  refused(scope) {
    scope.get('/v1/events').query(true).reply(403, { error: 'token revoked' });
  },
  expected: { records: 3, files: ['response.page-0001.json', 'response.page-0002.json'], toolCalls: [] },
  keptBeforeStorm: 2,
};

export const HTTP_FIXTURES = [litellmFixture, langfuseFixture, otelFixture, kubernetesFixture, httpFixture];
