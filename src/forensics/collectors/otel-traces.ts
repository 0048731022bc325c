import { z } from 'zod';
import { type CollectOutput, defineCollector, fillTemplate, joinUrl, withQuery } from '../contract.js';

/**
 * `otel-traces`: the agent service's spans in the window from Jaeger's query API **v3**
 * (`GET /api/v3/traces`, OTLP JSON). Docs: https://www.jaegertracing.io/docs/latest/architecture/apis/
 * and the v3 OpenAPI (https://github.com/jaegertracing/jaeger-idl/blob/main/swagger/api_v3/query_service.openapi.yaml):
 * parameters `query.service_name`, `query.start_time_min`, `query.start_time_max` (RFC 3339),
 * `query.search_depth` (most traces returned); answer `{ result: { resourceSpans: [{ resource,
 * scopeSpans: [{ spans: [{ traceId, spanId, name, startTimeUnixNano, attributes }] }] }] } }`.
 * v3 has no pages: a search that returns `search_depth` traces may hold more, recorded as truncated.
 * Spans keep every attribute as returned; OpenTelemetry GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/) make the agent timeline:
 * `gen_ai.operation.name = execute_tool` with `gen_ai.tool.name` (+ `gen_ai.tool.call.arguments`) is a
 * tool call; `chat` / `text_completion` / `generate_content` with `gen_ai.request.model` a model call.
 */
const settingsSchema = z.strictObject({
  baseUrl: z.url(),
  /** The agent's service name, e.g. `{agent.name}`. */
  service: z.string().min(1).default('{agent.name}'),
  searchDepth: z.number().int().min(1).max(10_000).default(500),
});
type Settings = z.output<typeof settingsSchema>;

const anyValue = z.looseObject({
  stringValue: z.string().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  boolValue: z.boolean().optional(),
  doubleValue: z.number().optional(),
});
const attribute = z.looseObject({ key: z.string(), value: anyValue.optional() });
const span = z.looseObject({
  traceId: z.string(),
  spanId: z.string(),
  name: z.string().default(''),
  startTimeUnixNano: z.union([z.string(), z.number()]),
  attributes: z.array(attribute).default([]),
});
const answer = z.looseObject({
  result: z
    .looseObject({
      resourceSpans: z
        .array(
          z.looseObject({
            scopeSpans: z.array(z.looseObject({ spans: z.array(span).default([]) })).default([]),
          }),
        )
        .default([]),
    })
    .default({ resourceSpans: [] }),
});

const url = (
  settings: Settings,
  window: { from: Date; to: Date },
  agent: Record<string, string | undefined>,
) =>
  withQuery(joinUrl(settings.baseUrl, 'api/v3/traces'), {
    'query.service_name': fillTemplate(settings.service, window, agent),
    'query.start_time_min': window.from.toISOString(),
    'query.start_time_max': window.to.toISOString(),
    'query.search_depth': settings.searchDepth,
  });

export const otelTracesCollector = defineCollector<Settings>({
  id: 'otel-traces',
  summary: "OpenTelemetry spans of the agent's service from Jaeger (query API v3), GenAI attributes kept",
  docs: 'https://www.jaegertracing.io/docs/latest/architecture/apis/',
  settingsSchema,
  secrets: { required: [], optional: ['token'] },
  plan: ({ settings, window, agent }) => [
    { method: 'GET', url: url(settings, window, agent), what: "the agent service's traces in the window" },
  ],
  async collect({ settings, window, agent, secrets, http, out }) {
    const target = url(settings, window, agent);
    const headers: Record<string, string> = secrets.token ? { authorization: `Bearer ${secrets.token}` } : {};
    const res = await http.request({ method: 'GET', url: target, headers, idempotent: true }, answer);
    const file = 'traces.json';
    await out.page(file, JSON.stringify(res.data), { method: 'GET', url: target, what: 'traces' });
    const traces = new Set<string>();
    let spans = 0;
    for (const rs of res.data.result.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) {
          traces.add(s.traceId);
          spans++;
          emitSpan(s, file, out);
        }
    out.note('traces', traces.size);
    if (traces.size >= settings.searchDepth)
      out.gap(
        'traces beyond the search depth',
        `Jaeger returned search_depth=${settings.searchDepth} traces; older ones may exist`,
      );
    out.count(spans);
  },
});

function attrs(list: z.infer<typeof attribute>[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) {
    const v = a.value;
    const value = v?.stringValue ?? v?.intValue ?? v?.boolValue ?? v?.doubleValue;
    if (value !== undefined) out[a.key] = String(value);
  }
  return out;
}

const MODEL_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content']);

function emitSpan(s: z.infer<typeof span>, file: string, out: CollectOutput): void {
  const a = attrs(s.attributes);
  const operation = a['gen_ai.operation.name'];
  const isTool = operation === 'execute_tool' || a['gen_ai.tool.name'] !== undefined;
  const isModel = operation !== undefined && MODEL_OPERATIONS.has(operation);
  if (!isTool && !isModel) return;
  const at = new Date(Number(BigInt(String(s.startTimeUnixNano)) / 1_000_000n)).toISOString();
  const correlation: Record<string, string> = { trace_id: s.traceId, span_id: s.spanId };
  if (a['gen_ai.tool.call.id']) correlation.tool_call_id = a['gen_ai.tool.call.id'];
  if (a['gen_ai.conversation.id']) correlation.conversation_id = a['gen_ai.conversation.id'];
  const input = isTool ? a['gen_ai.tool.call.arguments'] : a['gen_ai.input.messages'];
  const output = isTool ? a['gen_ai.tool.call.result'] : a['gen_ai.output.messages'];
  out.event({
    at,
    kind: isTool ? 'tool_call' : 'model_call',
    name: (isTool ? a['gen_ai.tool.name'] : a['gen_ai.request.model']) ?? s.name,
    correlation,
    ...(input ? { input } : {}),
    ...(output ? { output } : {}),
    source: { collector: 'otel-traces', file },
  });
}
