import { z } from 'zod';
import { type CollectContext, defineCollector, fillTemplate, joinUrl, withQuery } from '../contract.js';

/**
 * `langfuse`: traces and observations in the window, filtered by the agent's user, session or tags.
 * Docs: https://langfuse.com/docs/api-and-data-platform/features/public-api (Basic auth with the
 * project's public key as user and secret key as password; OpenAPI at
 * https://cloud.langfuse.com/generated/api/openapi.yml): `GET /api/public/traces?page=&limit=
 * &userId=&sessionId=&tags=&fromTimestamp=&toTimestamp=` and `GET /api/public/observations?page=
 * &limit=&userId=&fromStartTime=&toStartTime=`, both answering `{ data, meta: { page, limit,
 * totalItems, totalPages } }`. The same page says read endpoints other than the v2 observations and
 * metrics APIs can lag ingestion by about 10 minutes: the run records the lag and collects once
 * more after it when the window ends inside it.
 */
const settingsSchema = z
  .strictObject({
    baseUrl: z.url().default('https://cloud.langfuse.com'),
    /** Templates over the agent facts, e.g. `{agent.name}`; at least one filter is required. */
    userId: z.string().optional(),
    sessionId: z.string().optional(),
    tags: z.array(z.string()).default([]),
    pageSize: z.number().int().min(1).max(100).default(50),
    ingestionLagMinutes: z.number().int().min(0).max(120).default(10),
  })
  .refine((s) => s.userId || s.sessionId || s.tags.length > 0, {
    message: 'give at least one of userId, sessionId or tags, so only the agent is collected',
  });
type Settings = z.output<typeof settingsSchema>;

const listPage = z.looseObject({
  data: z.array(z.looseObject({ id: z.string() })),
  meta: z.looseObject({ totalPages: z.number().int().nonnegative() }),
});

type Ctx = Pick<CollectContext<Settings>, 'settings' | 'window' | 'agent'>;

function filters({ settings, window, agent }: Ctx) {
  const fill = (t?: string) => (t ? fillTemplate(t, window, agent) : undefined);
  return {
    userId: fill(settings.userId),
    sessionId: fill(settings.sessionId),
    tags: settings.tags.map((t) => fill(t)!),
  };
}

function tracesUrl(ctx: Ctx, page: number): string {
  const f = filters(ctx);
  return withQuery(joinUrl(ctx.settings.baseUrl, 'api/public/traces'), {
    page,
    limit: ctx.settings.pageSize,
    userId: f.userId,
    sessionId: f.sessionId,
    tags: f.tags,
    fromTimestamp: ctx.window.from.toISOString(),
    toTimestamp: ctx.window.to.toISOString(),
  });
}

function observationsUrl(ctx: Ctx, page: number): string {
  return withQuery(joinUrl(ctx.settings.baseUrl, 'api/public/observations'), {
    page,
    limit: ctx.settings.pageSize,
    userId: filters(ctx).userId,
    fromStartTime: ctx.window.from.toISOString(),
    toStartTime: ctx.window.to.toISOString(),
  });
}

const basic = (secrets: Readonly<Record<string, string>>) =>
  `Basic ${Buffer.from(`${secrets.publicKey}:${secrets.secretKey}`).toString('base64')}`;

export const langfuseCollector = defineCollector<Settings>({
  id: 'langfuse',
  summary: "Langfuse traces and observations of the agent's user, session or tags",
  docs: 'https://langfuse.com/docs/api-and-data-platform/features/public-api',
  settingsSchema,
  secrets: { required: ['publicKey', 'secretKey'] },
  plan: (ctx) => [
    { method: 'GET', url: tracesUrl(ctx, 1), what: 'traces in the window, page by page' },
    ...(ctx.settings.userId
      ? [{ method: 'GET', url: observationsUrl(ctx, 1), what: "the agent user's observations, page by page" }]
      : []),
  ],
  async collect(ctx) {
    const { http, out, secrets, settings, window } = ctx;
    out.note('ingestionLagMinutes', settings.ingestionLagMinutes);
    const lagMs = settings.ingestionLagMinutes * 60_000;
    const sources: [string, (n: number) => string][] = [['traces', (n) => tracesUrl(ctx, n)]];
    if (settings.userId) sources.push(['observations', (n) => observationsUrl(ctx, n)]);
    for (const [kind, urlOf] of sources) {
      for (let n = 1; ; n++) {
        const url = urlOf(n);
        const res = await http.request(
          { method: 'GET', url, headers: { authorization: basic(secrets) }, idempotent: true },
          listPage,
        );
        const file = `${kind}.page-${String(n).padStart(4, '0')}.json`;
        await out.page(file, JSON.stringify(res.data), { method: 'GET', url, what: `${kind} page ${n}` });
        if (kind === 'observations') for (const o of res.data.data) emitObservation(o, file, out);
        if (!out.count(res.data.data.length)) return;
        if (n >= res.data.meta.totalPages || res.data.data.length === 0) break;
      }
    }
    // a window ending inside the lag may miss the latest records: collect once more after it
    if (Date.now() - window.to.getTime() < lagMs) out.recollectAfter(lagMs);
  },
});

function emitObservation(
  o: Record<string, unknown>,
  file: string,
  out: CollectContext<Settings>['out'],
): void {
  const start = typeof o.startTime === 'string' ? o.startTime : undefined;
  if (!start) return;
  const type = String(o.type ?? '');
  const correlation: Record<string, string> = { observation_id: String(o.id) };
  if (typeof o.traceId === 'string') correlation.trace_id = o.traceId;
  const text = (v: unknown) =>
    v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
  const input = text(o.input);
  const output = text(o.output);
  out.event({
    at: new Date(start).toISOString(),
    kind: type === 'GENERATION' ? 'model_call' : 'tool_call',
    name: String(o.name ?? o.model ?? type),
    correlation,
    ...(input ? { input } : {}),
    ...(output ? { output } : {}),
    source: { collector: 'langfuse', file },
  });
}
