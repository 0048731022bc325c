import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunState } from '../contract.js';
import { baseUrl, isoAfter, joinUrl, knownState, toPlanned } from './common.js';

/**
 * `litellm`: block a virtual key on a LiteLLM proxy; undo unblocks it only if it was not blocked.
 * Docs: https://docs.litellm.ai/docs/proxy/virtual_keys (Key management: `POST /key/block`,
 * `POST /key/unblock` with `{"key": ...}`, the raw `sk-...` key or its hashed token; `GET
 * /key/info?key=...`, which answers `{ "key": ..., "info": { ..., "blocked": true|false|null } }`;
 * admin-only, `Authorization: Bearer <master key>`). Errors: `{ "error": { "message", "type",
 * "param", "code" } }`. The raw key never leaves Quell: every request names the key by its hashed
 * token (LiteLLM stores keys as the SHA-256 hex of the raw key), so no URL, proxy log or audit
 * entry can hold it.
 * Each proxy replica caches a key's record in memory for `user_api_key_cache_ttl` (default 60 s,
 * https://docs.litellm.ai/docs/proxy/config_settings): a blocked key keeps working that long on a
 * replica that cached it, so verify says when the block is effective everywhere and checks again then.
 * Least privilege: the proxy has no block-only role; the master key (or a `proxy_admin` key) is needed.
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl(),
  /** The proxies' `general_settings.user_api_key_cache_ttl`, in seconds. */
  keyCacheTtlSeconds: z.number().int().min(0).max(86_400).default(60),
});
type Settings = z.output<typeof settingsSchema>;

/** The key to block: its hashed token here, or the raw key in the `agentKey` secret. */
const argsSchema = z.strictObject({ key: z.string().trim().min(1).optional() }).default({});
type Args = z.output<typeof argsSchema>;

const blockResponse = z.looseObject({ blocked: z.boolean().nullish() });
const infoResponse = z.looseObject({ info: z.looseObject({ blocked: z.boolean().nullish() }) });

/** LiteLLM's `hash_token`: SHA-256 hex of the raw key. A value that is not a raw key is a hash already. */
export function litellmKeyHash(key: string): string {
  return key.startsWith('sk-') ? createHash('sha256').update(key).digest('hex') : key;
}

type Ctx = PlanContext<Settings, Args>;

function hashedKey(ctx: Ctx): string {
  const key = ctx.args.key ?? ctx.secrets.agentKey;
  if (!key)
    throw new Error(
      'litellm needs the key to block: give key=<hashed token> or map the agentKey secret in the config',
    );
  return litellmKeyHash(key);
}

const auth = (ctx: Ctx) => ({ authorization: `Bearer ${ctx.secrets.masterKey}` });

const info = (ctx: Ctx): HttpRequestSpec => ({
  method: 'GET',
  url: `${joinUrl(ctx.settings.baseUrl, 'key/info')}?key=${encodeURIComponent(hashedKey(ctx))}`,
  headers: auth(ctx),
  idempotent: true,
});
const change = (ctx: Ctx, to: 'block' | 'unblock'): HttpRequestSpec => ({
  method: 'POST',
  url: joinUrl(ctx.settings.baseUrl, `key/${to}`),
  headers: auth(ctx),
  json: { key: hashedKey(ctx) },
  idempotent: true,
});

const wasBlocked = (state?: RunState) => knownPrior(state)?.blocked === true;

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState) {
  if (phase === 'verify') return [info(ctx)];
  if (phase === 'undo') return wasBlocked(state) ? [] : [change(ctx, 'unblock')];
  return [info(ctx), change(ctx, 'block')];
}

export const litellmAdapter = defineAdapter<Settings, Args>({
  id: 'litellm',
  summary: 'Block a LiteLLM virtual key so the agent can no longer call models',
  settingsSchema,
  argsSchema,
  secrets: { required: ['masterKey'], optional: ['agentKey'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Block LiteLLM key ${ctx.args.key ? litellmKeyHash(ctx.args.key).slice(0, 12) : '(agentKey secret)'} on ${new URL(ctx.settings.baseUrl).host}`,
  describeUndo: (_ctx, state) => {
    if (!knownPrior(state)) return 'unblock the key (whether it was blocked before was not recorded)';
    return wasBlocked(state)
      ? 'leave the key blocked (it was blocked before containment)'
      : 'unblock the key again';
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const before = await ctx.http.request(info(ctx), infoResponse);
    const { status, data } = await ctx.http.request(change(ctx, 'block'), blockResponse);
    const blocked = before.data.info.blocked === true;
    return {
      detail: `key ${blocked ? 'was already blocked; kept blocked' : 'blocked'}${data.blocked === true ? '' : ' (request accepted)'}`,
      state: {
        prior: knownState(blocked ? 'blocked' : 'not blocked', { blocked }),
        appliedAt: ctx.now.toISOString(),
      },
      status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(info(ctx), infoResponse);
    const blocked = data.info.blocked === true;
    const wanted = after === 'execute' ? true : wasBlocked(state);
    // the database says blocked; each proxy's cache may still hold the key until the TTL has passed
    const appliedAt = typeof state.appliedAt === 'string' ? state.appliedAt : ctx.now.toISOString();
    const effectiveBy = isoAfter(appliedAt, ctx.settings.keyCacheTtlSeconds);
    const pending = after === 'execute' && blocked && new Date(effectiveBy) > ctx.now;
    return {
      verified: blocked === wanted,
      observed: `blocked: ${blocked}${pending ? `; effective on every proxy by ${effectiveBy}` : ''}`,
      ...(pending ? { effectiveBy } : {}),
      status,
    };
  },
  async undo(ctx, state) {
    if (wasBlocked(state)) return { detail: 'key was blocked before containment: left blocked' };
    const { status } = await ctx.http.request(change(ctx, 'unblock'), blockResponse);
    return { detail: 'key unblocked', status };
  },
});
