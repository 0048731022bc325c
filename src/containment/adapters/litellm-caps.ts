import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunState } from '../contract.js';
import { baseUrl, isoAfter, joinUrl, knownState, toPlanned } from './common.js';
import { litellmKeyHash } from './litellm.js';

/**
 * `litellm-caps`: a reversible middle ground between running and off. Caps the agent's LiteLLM
 * virtual key (spend budget, requests and tokens per minute); undo puts back the exact previous
 * values, `null` ("unset") included.
 * Docs: https://docs.litellm.ai/docs/proxy/virtual_keys (`POST /key/update` with `{ key,
 * max_budget, rpm_limit, tpm_limit }`; a field sent as `null` clears it; `GET /key/info?key=` answers
 * `{ key, info: { max_budget, rpm_limit, tpm_limit, spend, ... } }`), and
 * https://docs.litellm.ai/docs/proxy/users (budgets and rate limits per key). The key is named by
 * its hashed token only (as the `litellm` adapter does), so no URL or audit entry holds it.
 * Verify limits: each proxy replica caches key records for `user_api_key_cache_ttl` (default 60 s,
 * https://docs.litellm.ai/docs/proxy/config_settings): caps hold everywhere only after that; spend
 * already over a new budget is refused at the next request, requests already streaming finish.
 * Least privilege: the master key or a `proxy_admin` key (no narrower role can update keys).
 */
const capValue = z.number().min(0).nullable();

const settingsSchema = z.strictObject({
  baseUrl: baseUrl(),
  keyCacheTtlSeconds: z.number().int().min(0).max(86_400).default(60),
  /** The caps to put in force; at least one. `null` clears a cap (rarely what containment wants). */
  caps: z
    .strictObject({
      maxBudget: capValue.optional(),
      rpmLimit: capValue.optional(),
      tpmLimit: capValue.optional(),
    })
    .refine((c) => Object.keys(c).length > 0, 'name at least one of maxBudget, rpmLimit, tpmLimit'),
});
type Settings = z.output<typeof settingsSchema>;

const numberArg = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'must be a non-negative number')
  .transform(Number)
  .optional();
/** Run-time overrides: `/contain caps max_budget=5 rpm_limit=10`. */
const argsSchema = z
  .strictObject({
    key: z.string().trim().min(1).optional(),
    max_budget: numberArg,
    rpm_limit: numberArg,
    tpm_limit: numberArg,
  })
  .default({});
type Args = z.output<typeof argsSchema>;

const FIELDS = { maxBudget: 'max_budget', rpmLimit: 'rpm_limit', tpmLimit: 'tpm_limit' } as const;
type Field = (typeof FIELDS)[keyof typeof FIELDS];

const infoResponse = z.looseObject({
  info: z.looseObject({
    max_budget: z.number().nullish(),
    rpm_limit: z.number().nullish(),
    tpm_limit: z.number().nullish(),
    spend: z.number().nullish(),
  }),
});
type Info = z.output<typeof infoResponse>['info'];

type Ctx = PlanContext<Settings, Args>;

/** The caps this run puts in force, as `/key/update` fields. */
export function wantedCaps(ctx: Ctx): Partial<Record<Field, number | null>> {
  const out: Partial<Record<Field, number | null>> = {};
  for (const [name, field] of Object.entries(FIELDS) as [keyof typeof FIELDS, Field][]) {
    const fromArgs = ctx.args[field];
    const fromSettings = ctx.settings.caps[name];
    if (fromArgs !== undefined) out[field] = fromArgs;
    else if (fromSettings !== undefined) out[field] = fromSettings;
  }
  return out;
}

function hashedKey(ctx: Ctx): string {
  const key = ctx.args.key ?? ctx.secrets.agentKey;
  if (!key) throw new Error('litellm-caps needs the key: give key=<hashed token> or map the agentKey secret');
  return litellmKeyHash(key);
}

const auth = (ctx: Ctx) => ({ authorization: `Bearer ${ctx.secrets.masterKey}` });

const info = (ctx: Ctx): HttpRequestSpec => ({
  method: 'GET',
  url: `${joinUrl(ctx.settings.baseUrl, 'key/info')}?key=${encodeURIComponent(hashedKey(ctx))}`,
  headers: auth(ctx),
  idempotent: true,
});
const update = (ctx: Ctx, fields: Record<string, number | null>): HttpRequestSpec => ({
  method: 'POST',
  url: joinUrl(ctx.settings.baseUrl, 'key/update'),
  headers: auth(ctx),
  json: { key: hashedKey(ctx), ...fields },
  idempotent: true,
});

/** The previous values of exactly the fields this run changes (null = was unset). */
function priorFields(ctx: Ctx, before: Info): Record<Field, number | null> {
  const out = {} as Record<Field, number | null>;
  for (const field of Object.keys(wantedCaps(ctx)) as Field[]) out[field] = before[field] ?? null;
  return out;
}

const show = (fields: Record<string, number | null | undefined>) =>
  Object.entries(fields)
    .map(([f, v]) => `${f} ${v ?? 'unset'}`)
    .join(', ');

function undoRequests(ctx: Ctx, state?: RunState): HttpRequestSpec[] {
  const prior = knownPrior(state) as Record<string, number | null> | undefined;
  // unknown prior: undo clears the caps it set (the confirmation said so first)
  const fields = prior ?? Object.fromEntries(Object.keys(wantedCaps(ctx)).map((f) => [f, null]));
  return [update(ctx, fields)];
}

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState) {
  if (phase === 'verify') return [info(ctx)];
  if (phase === 'undo') return undoRequests(ctx, state);
  return [info(ctx), update(ctx, wantedCaps(ctx))];
}

export const litellmCapsAdapter = defineAdapter<Settings, Args>({
  id: 'litellm-caps',
  summary: 'Cap a LiteLLM key’s spend budget and rate limits (reversible to the exact previous values)',
  settingsSchema,
  argsSchema,
  secrets: { required: ['masterKey'], optional: ['agentKey'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Cap LiteLLM key ${ctx.args.key ? litellmKeyHash(ctx.args.key).slice(0, 12) : '(agentKey secret)'} to ${show(wantedCaps(ctx))} on ${new URL(ctx.settings.baseUrl).host}`,
  describeUndo: (ctx, state) => {
    const prior = knownPrior(state) as Record<string, number | null> | undefined;
    return prior
      ? `restore the previous caps (${show(prior)})`
      : `clear ${Object.keys(wantedCaps(ctx)).join(', ')} (the previous values were not recorded)`;
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const before = await ctx.http.request(info(ctx), infoResponse);
    const prior = priorFields(ctx, before.data.info);
    const { status } = await ctx.http.request(update(ctx, wantedCaps(ctx)), z.unknown());
    return {
      detail: `caps ${show(prior)} → ${show(wantedCaps(ctx))}`,
      state: { prior: knownState(show(prior), prior), appliedAt: ctx.now.toISOString() },
      status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(info(ctx), infoResponse);
    const wanted: Record<string, number | null> =
      after === 'execute'
        ? wantedCaps(ctx)
        : ((knownPrior(state) as Record<string, number | null> | undefined) ??
          Object.fromEntries(Object.keys(wantedCaps(ctx)).map((f) => [f, null])));
    const observed = Object.fromEntries(
      Object.keys(wanted).map((f) => [f, data.info[f as Field] ?? null]),
    ) as Record<string, number | null>;
    const holds = Object.entries(wanted).every(([f, v]) => observed[f] === v);
    const appliedAt = typeof state.appliedAt === 'string' ? state.appliedAt : ctx.now.toISOString();
    const effectiveBy = isoAfter(appliedAt, ctx.settings.keyCacheTtlSeconds);
    const pending = after === 'execute' && holds && new Date(effectiveBy) > ctx.now;
    return {
      verified: holds,
      observed: `${show(observed)}${pending ? `; effective on every proxy by ${effectiveBy} (key cache)` : ''}; requests already streaming finish`,
      ...(pending ? { effectiveBy } : {}),
      status,
    };
  },
  async undo(ctx, state) {
    const [request] = undoRequests(ctx, state);
    const { status } = await ctx.http.request(request!, z.unknown());
    const { key: _key, ...fields } = request!.json as Record<string, number | null>;
    return { detail: `caps restored: ${show(fields)}`, status };
  },
});
