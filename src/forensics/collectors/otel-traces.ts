import { z } from 'zod';
import { defineCollector, fillTemplate, joinUrl, withQuery } from '../contract.js';
import { emitGenAiSpan, otlpResourceSpans, spansIn } from './otlp-spans.js';

/**
 * `otel-traces`: the agent service's spans in the window from Jaeger's query API **v3**
 * (`GET /api/v3/traces`, OTLP JSON). Docs: https://www.jaegertracing.io/docs/latest/architecture/apis/
 * and the v3 OpenAPI (https://github.com/jaegertracing/jaeger-idl/blob/main/swagger/api_v3/query_service.openapi.yaml):
 * parameters `query.service_name`, `query.start_time_min`, `query.start_time_max` (RFC 3339),
 * `query.search_depth` (most traces returned); answer `{ result: { resourceSpans: [{ resource,
 * scopeSpans: [{ spans: [{ traceId, spanId, name, startTimeUnixNano, attributes }] }] }] } }`.
 * v3 has no pages: a search that returns `search_depth` traces may hold more, recorded as truncated.
 * The answer is kept as Jaeger sent it; spans become the agent timeline through otlp-spans.ts (the
 * GenAI conventions). Grafana Tempo has its own collector (`tempo`): its search-then-fetch API,
 * tenant header and auth are a different contract from Jaeger's one request.
 */
const settingsSchema = z.strictObject({
  baseUrl: z.url(),
  /** The agent's service name, e.g. `{agent.name}`. */
  service: z.string().min(1).default('{agent.name}'),
  searchDepth: z.number().int().min(1).max(10_000).default(500),
});
type Settings = z.output<typeof settingsSchema>;

const answer = z.looseObject({
  result: z
    .looseObject({ resourceSpans: z.array(otlpResourceSpans).default([]) })
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
    // kept as Jaeger sent it (no defaults filled in); read through the schema afterwards
    const res = await http.request({ method: 'GET', url: target, headers, idempotent: true }, z.unknown());
    const file = 'traces.json';
    await out.page(file, JSON.stringify(res.data), { method: 'GET', url: target, what: 'traces' });
    const parsed = answer.safeParse(res.data);
    if (!parsed.success)
      throw new Error(
        `Jaeger answered GET /api/v3/traces with an unexpected body: ${parsed.error.issues[0]?.message}`,
      );
    const traces = new Set<string>();
    let spans = 0;
    for (const s of spansIn(parsed.data.result.resourceSpans)) {
      traces.add(s.traceId);
      spans++;
      emitGenAiSpan(s, 'otel-traces', file, out);
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
