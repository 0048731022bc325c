import { z } from 'zod';
import {
  type AgentFacts,
  type CollectContext,
  type CollectWindow,
  defineCollector,
  fillTemplate,
  joinUrl,
  type PlannedFetch,
  withQuery,
} from '../contract.js';
import { emitGenAiSpan, otlpResourceSpans, spansIn } from './otlp-spans.js';

/**
 * `tempo`: the agent service's traces in the window from Grafana Tempo's HTTP API, whole, as Tempo
 * returns them. Docs: https://grafana.com/docs/tempo/latest/api_docs/ ("Search", "Query V2",
 * "Query"), tenants: https://grafana.com/docs/tempo/latest/operations/manage-advanced-systems/multitenancy/
 * and https://grafana.com/docs/tempo/latest/configuration/tenant-ids/.
 *
 * 1. `GET /api/search?q=<TraceQL>|tags=<logfmt>&start=&end=(unix seconds)&limit=&spss=` answers
 *    `{ traces: [{ traceID, rootServiceName, rootTraceName, startTimeUnixNano, durationMs, spanSets }],
 *    metrics }`. Search has no pages: Tempo "takes the first N results" (`limit`). A search that comes
 *    back full is split into two halves of its time range and searched again, down to
 *    `minSliceSeconds`; a slice still full at that size is recorded as a gap.
 * 2. Each trace found, once: `GET /api/v2/traces/<traceID>` (`{ trace: { resourceSpans }, status?:
 *    "PARTIAL", message? }`), or `GET /api/traces/<traceID>` (`{ batches }`) for Tempo before v2 of
 *    that API. No `start`/`end` on it: the docs warn a range can return the trace partial.
 *    A 404 (found by search, gone or not yet flushed) is a gap and the run goes on.
 *
 * Every answer is kept as Tempo sent it. Auth is a bearer token or basic auth (Grafana Cloud: the
 * stack's user id and an access-policy token with `traces:read`), and `X-Scope-OrgID` names the
 * tenant when Tempo runs multi-tenant. The agent facts filled into TraceQL or logfmt are quoted, so a
 * name cannot change the query. Spans become the agent timeline the same way as Jaeger's
 * (otlp-spans.ts); ids Tempo writes base64 become hex there.
 *
 * A sibling of `otel-traces` rather than a mode of it: the two APIs differ in every setting (one
 * request vs search-then-fetch, tenant, basic auth) and a collector has one settings schema and one
 * docs page.
 */
// https://grafana.com/docs/tempo/latest/configuration/tenant-ids/: ≤ 150 bytes of these, not `.`/`..`
const tenantId = z
  .string()
  .regex(/^[0-9A-Za-z!\-_.*'()]{1,150}$/, "tenant ids are letters, digits and ! - _ . * ' ( ) (at most 150)")
  .refine((t) => t !== '.' && t !== '..', 'tenant id cannot be "." or ".."');

const settingsSchema = z
  .strictObject({
    baseUrl: z.url(),
    /** The agent's service (`resource.service.name`) when neither `query` nor `tags` is given. */
    service: z.string().min(1).default('{agent.name}'),
    /** A TraceQL query, e.g. `{ resource.service.name = "{agent.name}" && span.gen_ai.system != nil }`. */
    query: z.string().min(1).optional(),
    /** Tag search instead (logfmt, e.g. `service.name={agent.name}`); Tempo prefers TraceQL. */
    tags: z.string().min(1).optional(),
    /** Traces per search (Tempo's `limit`; its own default is 20). */
    limit: z.number().int().min(1).max(10_000).default(100),
    /** Matching spans listed per span set in a search answer (`spss`); whole traces are fetched anyway. */
    spss: z.number().int().min(1).max(1_000).default(10),
    /** A full search is split down to slices this short before a gap is recorded. */
    minSliceSeconds: z.number().int().min(1).max(86_400).default(60),
    traceApi: z.enum(['v2', 'v1']).default('v2'),
    /** `X-Scope-OrgID` for multi-tenant Tempo. */
    tenant: tenantId.optional(),
    /** Basic auth user (with the `password` secret); Grafana Cloud: the Tempo stack's user id. */
    username: z.string().min(1).optional(),
  })
  .refine((s) => !(s.query && s.tags), {
    message: 'give query (TraceQL) or tags (logfmt), not both',
    path: ['query'],
  });
type Settings = z.output<typeof settingsSchema>;

const searchAnswer = z.looseObject({
  traces: z.array(z.looseObject({ traceID: z.string(), startTimeUnixNano: z.string().optional() })).nullish(),
});
const traceV2 = z.looseObject({
  // `batches` is how Tempo's first trace API named them; read both
  trace: z
    .looseObject({
      resourceSpans: z.array(otlpResourceSpans).default([]),
      batches: z.array(otlpResourceSpans).default([]),
    })
    .nullish(),
  status: z.union([z.string(), z.number()]).optional(),
  message: z.string().optional(),
});
const traceV1 = z.looseObject({ batches: z.array(otlpResourceSpans).nullish() });

// Tempo trims leading zeros from search trace ids; only hex goes into a URL path
const TRACE_ID = /^[0-9a-f]{1,32}$/i;

/** Secret slots the settings make necessary or rule out (checked with the config file). */
export function tempoSecretIssues(
  settings: Settings,
  mapped: readonly string[],
): { slot: string; message: string }[] {
  const has = (slot: string) => mapped.includes(slot);
  if (has('token') && has('password'))
    return [
      {
        slot: 'password',
        message: 'tempo takes a token (bearer) or username and password (basic), not both',
      },
    ];
  if (has('password') && !settings.username)
    return [
      { slot: 'password', message: 'tempo basic auth needs settings.username beside the password secret' },
    ];
  if (settings.username && !has('password'))
    return [{ slot: 'password', message: 'tempo settings.username needs the password secret (basic auth)' }];
  return [];
}

type Ctx = Pick<CollectContext<Settings>, 'settings' | 'window' | 'agent'>;

/** The agent facts quoted for the query language they go into. */
const quoted = (agent: AgentFacts, quote: (v: string) => string): AgentFacts =>
  Object.fromEntries(Object.entries(agent).map(([k, v]) => [k, v === undefined ? v : quote(v)]));
// TraceQL string literals are double-quoted with backslash escapes
const traceqlString = (v: string) => v.replace(/[\\"]/g, (c) => `\\${c}`);
// logfmt: a value with a space, quote or `=` goes in double quotes
const logfmtValue = (v: string) => (/[\s"=\\]/.test(v) ? JSON.stringify(v) : v);

function searchFilter({ settings, window, agent }: Ctx): { q: string } | { tags: string } {
  if (settings.tags) return { tags: fillTemplate(settings.tags, window, quoted(agent, logfmtValue)) };
  if (settings.query) return { q: fillTemplate(settings.query, window, quoted(agent, traceqlString)) };
  const service = traceqlString(fillTemplate(settings.service, window, agent));
  return { q: `{ resource.service.name = "${service}" }` };
}

interface Slice {
  start: number;
  end: number;
}

function searchUrl(ctx: Ctx, slice: Slice): string {
  return withQuery(joinUrl(ctx.settings.baseUrl, 'api/search'), {
    ...searchFilter(ctx),
    start: slice.start,
    end: slice.end,
    limit: ctx.settings.limit,
    spss: ctx.settings.spss,
  });
}

function traceUrl(settings: Settings, traceId: string): string {
  return joinUrl(
    settings.baseUrl,
    `${settings.traceApi === 'v2' ? 'api/v2/traces' : 'api/traces'}/${traceId}`,
  );
}

function headers(settings: Settings, secrets: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { accept: 'application/json' };
  if (settings.tenant) out['x-scope-orgid'] = settings.tenant;
  if (secrets.token) out.authorization = `Bearer ${secrets.token}`;
  else if (settings.username && secrets.password)
    out.authorization = `Basic ${Buffer.from(`${settings.username}:${secrets.password}`).toString('base64')}`;
  return out;
}

function windowSlice(window: CollectWindow): Slice {
  const start = Math.floor(window.from.getTime() / 1000);
  return { start, end: Math.max(start + 1, Math.ceil(window.to.getTime() / 1000)) };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const pad = (n: number) => String(n).padStart(4, '0');

/** A placeholder left unfilled (`{agent.name}` on an incident with no agent name) would search for the wrong thing. */
function unfilled(ctx: Ctx): string | undefined {
  const filter = searchFilter(ctx);
  return /\{agent\.[a-z.-]+\}/.exec('q' in filter ? filter.q : filter.tags)?.[0];
}

export const tempoCollector = defineCollector<Settings>({
  id: 'tempo',
  summary: "OpenTelemetry traces of the agent's service from Grafana Tempo (search, then each trace whole)",
  docs: 'https://grafana.com/docs/tempo/latest/api_docs/',
  settingsSchema,
  secrets: { required: [], optional: ['token', 'password'] },
  plan: (ctx): PlannedFetch[] => [
    {
      method: 'GET',
      url: searchUrl(ctx, windowSlice(ctx.window)),
      what: "search the agent's traces in the window",
    },
    {
      method: 'GET',
      url: traceUrl(ctx.settings, '<traceID>'),
      what: 'each trace found, whole (a full search is split into shorter time slices)',
    },
  ],
  async collect(ctx) {
    const { settings, secrets, http, out } = ctx;
    const missing = unfilled(ctx);
    if (missing)
      throw new Error(`the incident records no ${missing.slice(1, -1)}, which this collector's search needs`);
    if (settings.username && !secrets.password)
      throw new Error('tempo settings.username needs the password secret (basic auth)');
    const auth = headers(settings, secrets);
    const seen = new Set<string>();
    const pending: Slice[] = [windowSlice(ctx.window)];
    let searches = 0;
    const fetchTrace = async (traceId: string): Promise<boolean> => {
      const url = traceUrl(settings, traceId);
      const res = await http.request(
        { method: 'GET', url, headers: auth, idempotent: true, acceptStatus: [404] },
        z.unknown(),
      );
      if (res.status === 404) {
        out.gap(
          `trace ${traceId}`,
          'Tempo found it in search but answered 404 for it (expired or not flushed yet)',
        );
        return true;
      }
      const file = `traces/${traceId}.json`;
      await out.page(file, JSON.stringify(res.data), { method: 'GET', url, what: `trace ${traceId}` });
      const resourceSpans = readTrace(settings, traceId, res.data, out);
      let spans = 0;
      for (const s of spansIn(resourceSpans)) {
        spans++;
        emitGenAiSpan(s, 'tempo', file, out);
      }
      return out.count(spans);
    };
    try {
      while (pending.length > 0) {
        const slice = pending.shift()!;
        searches++;
        const url = searchUrl(ctx, slice);
        const res = await http.request({ method: 'GET', url, headers: auth, idempotent: true }, z.unknown());
        const what = `trace search ${iso(slice.start)} to ${iso(slice.end)}`;
        await out.page(`search.page-${pad(searches)}.json`, JSON.stringify(res.data), {
          method: 'GET',
          url,
          what,
        });
        const parsed = searchAnswer.safeParse(res.data);
        if (!parsed.success)
          throw new Error(
            `Tempo answered GET /api/search with an unexpected body: ${parsed.error.issues[0]?.message}`,
          );
        const found = parsed.data.traces ?? [];
        if (found.length >= settings.limit) {
          if (slice.end - slice.start >= 2 * settings.minSliceSeconds) {
            // the halves cover the same traces and more: fetch from them, not from this answer
            const mid = Math.floor((slice.start + slice.end) / 2);
            pending.unshift({ start: slice.start, end: mid }, { start: mid, end: slice.end });
            continue;
          }
          out.gap(
            `traces from ${iso(slice.start)} to ${iso(slice.end)} past the search limit`,
            `Tempo returned limit=${settings.limit} traces for a ${slice.end - slice.start}-second slice; raise settings.limit or lower settings.minSliceSeconds`,
          );
        }
        for (const t of found) {
          if (seen.has(t.traceID)) continue;
          seen.add(t.traceID);
          if (!TRACE_ID.test(t.traceID)) {
            out.gap('a trace with an id that is not hex', 'Tempo listed it in search; it was not fetched');
            continue;
          }
          if (!(await fetchTrace(t.traceID))) return;
        }
      }
    } finally {
      out.note('traces', seen.size);
      out.note('searches', searches);
      if (settings.tenant) out.note('tenant', settings.tenant);
    }
  },
});

/** The trace's resource spans from a v2 or v1 answer; a partial v2 answer is a gap. */
function readTrace(
  settings: Settings,
  traceId: string,
  body: unknown,
  out: CollectContext<Settings>['out'],
): z.output<typeof otlpResourceSpans>[] {
  if (settings.traceApi === 'v1') {
    const parsed = traceV1.safeParse(body);
    if (!parsed.success)
      throw new Error(
        `Tempo answered GET /api/traces/${traceId} with an unexpected body: ${parsed.error.issues[0]?.message}`,
      );
    return parsed.data.batches ?? [];
  }
  const parsed = traceV2.safeParse(body);
  if (!parsed.success)
    throw new Error(
      `Tempo answered GET /api/v2/traces/${traceId} with an unexpected body: ${parsed.error.issues[0]?.message}`,
    );
  if (parsed.data.status === 'PARTIAL' || parsed.data.status === 1)
    out.gap(
      `part of trace ${traceId}`,
      `Tempo returned it partial${parsed.data.message ? `: ${parsed.data.message}` : ''}`,
    );
  return parsed.data.trace ? [...parsed.data.trace.resourceSpans, ...parsed.data.trace.batches] : [];
}
