import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunState } from '../contract.js';
import { baseUrl, joinUrl, knownState, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `anthropic`: set an API key inactive through the Admin API; undo sets back the status it had.
 * Docs: https://platform.claude.com/docs/en/api/admin/api_keys/update
 * (`POST /v1/organizations/api_keys/{api_key_id}` with `{"status":"inactive"}`) and
 * https://platform.claude.com/docs/en/api/admin/api_keys/retrieve (`GET` the same path; answer
 * `{ type: "api_key", id, name, status, ... }`, status `active` | `inactive` | `archived`). Headers:
 * `x-api-key: <admin key>`, `anthropic-version: 2023-06-01`. Errors: `{ type: "error", error: { type, message } }`.
 * Least privilege: an Admin API key (`sk-ant-admin…`); the Admin API has no narrower scope.
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl('https://api.anthropic.com'),
  apiKeyId: nonEmpty,
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

export const ANTHROPIC_VERSION = '2023-06-01';

const apiKeyResponse = z.looseObject({ id: z.string(), status: z.string() });

const keyUrl = (ctx: PlanContext<Settings, Args>) =>
  joinUrl(ctx.settings.baseUrl, 'v1/organizations/api_keys', seg(ctx.settings.apiKeyId));
const headersOf = (ctx: PlanContext<Settings, Args>) => ({
  'x-api-key': ctx.secrets.adminKey ?? '',
  'anthropic-version': ANTHROPIC_VERSION,
});

const read = (ctx: PlanContext<Settings, Args>): HttpRequestSpec => ({
  method: 'GET',
  url: keyUrl(ctx),
  headers: headersOf(ctx),
  idempotent: true,
});
const setStatus = (ctx: PlanContext<Settings, Args>, status: string): HttpRequestSpec => ({
  method: 'POST',
  url: keyUrl(ctx),
  headers: headersOf(ctx),
  json: { status },
  idempotent: true,
});

/** The status undo sets: the recorded one, `active` when unknown; nothing when it was not active. */
function restoredStatus(state?: RunState): string | undefined {
  const prior = knownPrior(state)?.status;
  if (prior === undefined) return 'active';
  return prior === 'active' ? 'active' : undefined;
}

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>, state?: RunState) {
  if (phase === 'verify') return [read(ctx)];
  if (phase === 'undo') {
    const status = restoredStatus(state);
    return status ? [setStatus(ctx, status)] : [];
  }
  return [read(ctx), setStatus(ctx, 'inactive')];
}

export const anthropicAdapter = defineAdapter<Settings, Args>({
  id: 'anthropic',
  summary: 'Set an Anthropic API key inactive (reversible)',
  settingsSchema,
  argsSchema,
  secrets: { required: ['adminKey'] },
  irreversible: () => false,
  describe: (ctx) => `Set Anthropic API key ${ctx.settings.apiKeyId} inactive`,
  describeUndo: (_ctx, state) => {
    const prior = knownPrior(state)?.status;
    if (prior === undefined) return 'set the key active (its status before containment was not recorded)';
    return prior === 'active' ? 'set the key active again' : `leave the key ${String(prior)} (as it was)`;
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const before = await ctx.http.request(read(ctx), apiKeyResponse);
    const { status, data } = await ctx.http.request(setStatus(ctx, 'inactive'), apiKeyResponse);
    return {
      detail: `key status ${before.data.status} → ${data.status}`,
      state: { prior: knownState(`status ${before.data.status}`, { status: before.data.status }) },
      status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(read(ctx), apiKeyResponse);
    const wanted = after === 'execute' ? 'inactive' : String(knownPrior(state)?.status ?? 'active');
    return { verified: data.status === wanted, observed: `status: ${data.status}`, status };
  },
  async undo(ctx, state) {
    const restore = restoredStatus(state);
    if (!restore)
      return { detail: `key was ${String(knownPrior(state)?.status)} before containment: left so` };
    const { status, data } = await ctx.http.request(setStatus(ctx, restore), apiKeyResponse);
    return { detail: `key status ${data.status}`, status };
  },
});
