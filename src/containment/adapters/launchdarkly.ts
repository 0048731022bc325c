import { z } from 'zod';
import { defineAdapter, type PlanContext } from '../contract.js';
import type { HttpRequestSpec } from '../http.js';
import { baseUrl, joinUrl, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `launchdarkly`: turn a flag off / on in one environment with a semantic patch.
 * Docs: https://launchdarkly.com/docs/api/feature-flags/update-feature-flag
 * (`PATCH /api/v2/flags/{projectKey}/{featureFlagKey}`, `Content-Type: application/json;
 * domain-model=launchdarkly.semanticpatch`, body `{ environmentKey, instructions: [{ kind: "turnFlagOff" }],
 * comment }`) and https://launchdarkly.com/docs/api/feature-flags/get-feature-flag
 * (`GET ...?env=<key>`, answer has `environments.<key>.on`). The `Authorization` header is the bare
 * access token, no "Bearer". Errors: `{ "code", "message" }`.
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl('https://app.launchdarkly.com'),
  projectKey: nonEmpty,
  environmentKey: nonEmpty,
  flagKey: nonEmpty,
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({ comment: z.string().max(500).optional() }).default({});
type Args = z.output<typeof argsSchema>;

const SEMANTIC_PATCH = 'application/json; domain-model=launchdarkly.semanticpatch';

const flagResponse = z.looseObject({
  key: z.string(),
  environments: z.record(z.string(), z.looseObject({ on: z.boolean() })),
});

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>): HttpRequestSpec[] {
  const { baseUrl: base, projectKey, flagKey, environmentKey } = ctx.settings;
  const url = joinUrl(base, 'api/v2/flags', seg(projectKey), seg(flagKey));
  const authorization = ctx.secrets.apiToken ?? '';
  if (phase === 'verify')
    return [
      {
        method: 'GET',
        url: `${url}?env=${encodeURIComponent(environmentKey)}`,
        headers: { authorization },
        idempotent: true,
      },
    ];
  const comment =
    ctx.args.comment ??
    `Quell ${ctx.incidentId}: ${phase === 'execute' ? 'containment' : 'undo'} (${ctx.actionName})`;
  return [
    {
      method: 'PATCH',
      url,
      headers: { authorization, 'content-type': SEMANTIC_PATCH },
      json: {
        environmentKey,
        instructions: [{ kind: phase === 'execute' ? 'turnFlagOff' : 'turnFlagOn' }],
        comment,
      },
      idempotent: true,
    },
  ];
}

function onIn(data: z.output<typeof flagResponse>, env: string): boolean | undefined {
  return data.environments[env]?.on;
}

export const launchdarklyAdapter = defineAdapter<Settings, Args>({
  id: 'launchdarkly',
  summary: 'Turn a LaunchDarkly flag off in one environment',
  settingsSchema,
  argsSchema,
  secrets: { required: ['apiToken'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Turn LaunchDarkly flag ${ctx.settings.flagKey} off in ${ctx.settings.projectKey}/${ctx.settings.environmentKey}`,
  plan: (phase, ctx) => requests(phase, ctx).map(toPlanned),
  async execute(ctx) {
    const { status, data } = await ctx.http.request(requests('execute', ctx)[0]!, flagResponse);
    return {
      detail: `flag targeting ${onIn(data, ctx.settings.environmentKey) === false ? 'off' : 'change accepted'}`,
      status,
    };
  },
  async verify(ctx, _state, after) {
    const { status, data } = await ctx.http.request(requests('verify', ctx)[0]!, flagResponse);
    const on = onIn(data, ctx.settings.environmentKey);
    if (on === undefined)
      return {
        verified: false,
        observed: `environment ${ctx.settings.environmentKey} not in the flag`,
        status,
      };
    return { verified: after === 'execute' ? !on : on, observed: `on: ${on}`, status };
  },
  async undo(ctx) {
    const { status } = await ctx.http.request(requests('undo', ctx)[0]!, flagResponse);
    return { detail: 'flag targeting on', status };
  },
});
