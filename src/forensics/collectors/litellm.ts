import { z } from 'zod';
import { defineCollector, joinUrl, withQuery } from '../contract.js';

/**
 * `litellm`: the proxy's request (spend) logs for the agent's key in the window.
 * Docs: https://docs.litellm.ai/docs/proxy/cost_tracking (spend tracking, `/spend/logs`),
 * https://docs.litellm.ai/docs/proxy/ui_logs (request/response content is stored only when
 * `general_settings.store_prompts_in_spend_logs` is on; off by default). We read the paginated
 * family member the logs page uses, `GET /spend/logs/ui?api_key=<hashed key>&start_date=&end_date=
 * &page=&page_size=` (answers `{ data, total, page, page_size, total_pages }`), with
 * `Authorization: Bearer <master key>`. Whether prompts are stored is read from the rows: a row
 * whose `messages` and `response` are empty means the proxy did not keep them; the run says which.
 */
const settingsSchema = z.strictObject({
  baseUrl: z.url(),
  /** The agent's key as LiteLLM stores it (SHA-256 hex of `sk-…`); or map the agentKey secret. */
  keyHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  pageSize: z.number().int().min(1).max(1000).default(100),
});
type Settings = z.output<typeof settingsSchema>;

const row = z.looseObject({
  request_id: z.string(),
  startTime: z.string().nullish(),
  model: z.string().nullish(),
  call_type: z.string().nullish(),
  session_id: z.string().nullish(),
  messages: z.unknown().optional(),
  response: z.unknown().optional(),
});
const page = z.looseObject({
  data: z.array(row),
  total_pages: z.number().int().nonnegative().nullish(),
});

const sqlTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

async function keyHashOf(settings: Settings, secrets: Readonly<Record<string, string>>): Promise<string> {
  if (settings.keyHash) return settings.keyHash;
  const raw = secrets.agentKey;
  if (!raw) throw new Error('litellm collector needs settings.keyHash or the agentKey secret');
  const { createHash } = await import('node:crypto');
  return raw.startsWith('sk-') ? createHash('sha256').update(raw).digest('hex') : raw;
}

function pageUrl(settings: Settings, key: string, from: Date, to: Date, n: number): string {
  return withQuery(joinUrl(settings.baseUrl, 'spend/logs/ui'), {
    api_key: key,
    start_date: sqlTime(from),
    end_date: sqlTime(to),
    page: n,
    page_size: settings.pageSize,
  });
}

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  (typeof v === 'object' && Object.keys(v as object).length === 0);

export const litellmCollector = defineCollector<Settings>({
  id: 'litellm',
  summary: "LiteLLM proxy request logs (spend logs) for the agent's key",
  docs: 'https://docs.litellm.ai/docs/proxy/ui_logs',
  settingsSchema,
  secrets: { required: ['masterKey'], optional: ['agentKey'] },
  plan: ({ settings, window }) => [
    {
      method: 'GET',
      url: pageUrl(settings, settings.keyHash ?? '<hash of agentKey>', window.from, window.to, 1),
      what: "spend logs of the agent's key in the window, page by page",
    },
  ],
  async collect({ settings, secrets, window, http, out }) {
    const key = await keyHashOf(settings, secrets);
    let stored: boolean | undefined;
    for (let n = 1; ; n++) {
      const url = pageUrl(settings, key, window.from, window.to, n);
      const res = await http.request(
        { method: 'GET', url, headers: { authorization: `Bearer ${secrets.masterKey}` }, idempotent: true },
        page,
      );
      const file = `spend-logs.page-${String(n).padStart(4, '0')}.json`;
      await out.page(file, JSON.stringify(res.data), { method: 'GET', url, what: `spend logs page ${n}` });
      for (const r of res.data.data) {
        const hasContent = !isEmpty(r.messages) || !isEmpty(r.response);
        stored = stored === true || hasContent;
        const at = r.startTime ? new Date(r.startTime).toISOString() : window.from.toISOString();
        const correlation = {
          request_id: r.request_id,
          ...(r.session_id ? { session_id: r.session_id } : {}),
        };
        out.event({
          at,
          kind: 'model_call',
          name: r.model ?? r.call_type ?? 'model call',
          correlation,
          ...(hasContent
            ? { input: JSON.stringify(r.messages ?? null), output: JSON.stringify(r.response ?? null) }
            : {}),
          source: { collector: 'litellm', file },
        });
        for (const call of toolCalls(r.response))
          out.event({
            at,
            kind: 'tool_call',
            name: call.name,
            correlation,
            input: call.arguments,
            source: { collector: 'litellm', file },
          });
      }
      if (!out.count(res.data.data.length)) break;
      const pages = res.data.total_pages ?? 0;
      if (res.data.data.length === 0 || n >= pages) break;
    }
    out.note('promptsStored', stored === true);
    if (stored !== true)
      out.gap(
        'prompt and response text',
        'the proxy does not store them (store_prompts_in_spend_logs is off)',
      );
  },
});

/** OpenAI-shaped tool calls in a stored response: `choices[].message.tool_calls[].function`. */
function toolCalls(response: unknown): { name: string; arguments: string }[] {
  const choices = (response as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return [];
  const calls: { name: string; arguments: string }[] = [];
  for (const choice of choices) {
    const list = (choice as { message?: { tool_calls?: unknown } })?.message?.tool_calls;
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const fn = (c as { function?: { name?: unknown; arguments?: unknown } }).function;
      if (typeof fn?.name === 'string')
        calls.push({
          name: fn.name,
          arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? null),
        });
    }
  }
  return calls;
}
