import { z } from 'zod';
import { defineAdapter, type PlanContext } from '../contract.js';
import type { HttpRequestSpec } from '../http.js';
import { baseUrl, joinUrl, toPlanned } from './common.js';

/**
 * `litellm`: block / unblock a virtual key on a LiteLLM proxy.
 * Docs: https://docs.litellm.ai/docs/proxy/virtual_keys (Key management: `POST /key/block`,
 * `POST /key/unblock` with `{"key": ...}` — the raw `sk-...` key or its hashed token; admin-only,
 * `Authorization: Bearer <master key>`), and `GET /key/info?key=...` which answers
 * `{ "key": ..., "info": { ..., "blocked": true|false|null } }`. Errors come as
 * `{ "error": { "message", "type", "param", "code" } }`.
 */
const settingsSchema = z.strictObject({ baseUrl: baseUrl() });
type Settings = z.output<typeof settingsSchema>;

/** The key to block: a hashed token here, or the raw key in the `agentKey` secret. */
const argsSchema = z.strictObject({ key: z.string().min(1).optional() }).default({});
type Args = z.output<typeof argsSchema>;

const blockResponse = z.looseObject({ blocked: z.boolean().nullish() });
const infoResponse = z.looseObject({ info: z.looseObject({ blocked: z.boolean().nullish() }) });

function keyOf(ctx: PlanContext<Settings, Args>): string {
  const key = ctx.args.key ?? ctx.secrets.agentKey;
  if (!key)
    throw new Error('litellm needs the key to block: set args.key (hashed token) or the agentKey secret');
  return key;
}

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>): HttpRequestSpec[] {
  const auth = { authorization: `Bearer ${ctx.secrets.masterKey}` };
  const key = keyOf(ctx);
  if (phase === 'verify')
    return [
      {
        method: 'GET',
        url: `${joinUrl(ctx.settings.baseUrl, 'key/info')}?key=${encodeURIComponent(key)}`,
        headers: auth,
        idempotent: true,
      },
    ];
  return [
    {
      method: 'POST',
      url: joinUrl(ctx.settings.baseUrl, phase === 'execute' ? 'key/block' : 'key/unblock'),
      headers: auth,
      json: { key },
      idempotent: true,
    },
  ];
}

export const litellmAdapter = defineAdapter<Settings, Args>({
  id: 'litellm',
  summary: 'Block a LiteLLM virtual key so the agent can no longer call models',
  settingsSchema,
  argsSchema,
  secrets: { required: ['masterKey'], optional: ['agentKey'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Block LiteLLM key ${ctx.args.key ? ctx.args.key.slice(0, 12) : '(agentKey secret)'} on ${new URL(ctx.settings.baseUrl).host}`,
  plan: (phase, ctx) => requests(phase, ctx).map(toPlanned),
  async execute(ctx) {
    const { status, data } = await ctx.http.request(requests('execute', ctx)[0]!, blockResponse);
    return { detail: `key blocked${data.blocked === true ? '' : ' (request accepted)'}`, status };
  },
  async verify(ctx, _state, after) {
    const { status, data } = await ctx.http.request(requests('verify', ctx)[0]!, infoResponse);
    const blocked = data.info.blocked === true;
    return { verified: after === 'execute' ? blocked : !blocked, observed: `blocked: ${blocked}`, status };
  },
  async undo(ctx) {
    const { status } = await ctx.http.request(requests('undo', ctx)[0]!, blockResponse);
    return { detail: 'key unblocked', status };
  },
});
