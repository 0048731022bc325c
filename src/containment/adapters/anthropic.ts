import { z } from 'zod';
import { defineAdapter, type PlanContext } from '../contract.js';
import type { HttpRequestSpec } from '../http.js';
import { baseUrl, joinUrl, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `anthropic`: set an API key inactive / active through the Admin API (reversible).
 * Docs: https://platform.claude.com/docs/en/api/admin/api_keys/update
 * (`POST /v1/organizations/api_keys/{api_key_id}` with `{"status":"inactive"}`) and
 * https://platform.claude.com/docs/en/api/admin/api_keys/retrieve (`GET` the same path; answer
 * `{ type: "api_key", id, name, status, ... }`). Headers: `x-api-key: <admin key>`,
 * `anthropic-version: 2023-06-01`. Errors: `{ type: "error", error: { type, message } }`.
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

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>): HttpRequestSpec[] {
  const url = joinUrl(ctx.settings.baseUrl, 'v1/organizations/api_keys', seg(ctx.settings.apiKeyId));
  const headers = { 'x-api-key': ctx.secrets.adminKey ?? '', 'anthropic-version': ANTHROPIC_VERSION };
  if (phase === 'verify') return [{ method: 'GET', url, headers, idempotent: true }];
  return [
    {
      method: 'POST',
      url,
      headers,
      json: { status: phase === 'execute' ? 'inactive' : 'active' },
      idempotent: true,
    },
  ];
}

export const anthropicAdapter = defineAdapter<Settings, Args>({
  id: 'anthropic',
  summary: 'Set an Anthropic API key inactive (reversible)',
  settingsSchema,
  argsSchema,
  secrets: { required: ['adminKey'] },
  irreversible: () => false,
  describe: (ctx) => `Set Anthropic API key ${ctx.settings.apiKeyId} inactive`,
  plan: (phase, ctx) => requests(phase, ctx).map(toPlanned),
  async execute(ctx) {
    const { status, data } = await ctx.http.request(requests('execute', ctx)[0]!, apiKeyResponse);
    return { detail: `key status ${data.status}`, status };
  },
  async verify(ctx, _state, after) {
    const { status, data } = await ctx.http.request(requests('verify', ctx)[0]!, apiKeyResponse);
    const wanted = after === 'execute' ? 'inactive' : 'active';
    return { verified: data.status === wanted, observed: `status: ${data.status}`, status };
  },
  async undo(ctx) {
    const { status, data } = await ctx.http.request(requests('undo', ctx)[0]!, apiKeyResponse);
    return { detail: `key status ${data.status}`, status };
  },
});
