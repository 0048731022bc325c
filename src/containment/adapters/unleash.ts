import { z } from 'zod';
import { defineAdapter, type PlanContext } from '../contract.js';
import type { HttpRequestSpec } from '../http.js';
import { anyBody, baseUrl, joinUrl, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `unleash`: disable / enable a feature in one environment through the Admin API.
 * Docs: https://docs.getunleash.io/api/toggle-feature-environment-off (and `.../on`):
 * `POST /api/admin/projects/{projectId}/features/{featureName}/environments/{environment}/off`,
 * no body, 200 with no meaningful body; https://docs.getunleash.io/api/get-feature-environment:
 * `GET .../environments/{environment}` answers `{ name, environmentName, enabled, strategies, ... }`.
 * Auth: `Authorization: <admin API token or PAT>` (no scheme). Errors: `{ id, name, message }`.
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl(),
  project: nonEmpty.default('default'),
  feature: nonEmpty,
  environment: nonEmpty,
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

const featureEnvironment = z.looseObject({ enabled: z.boolean() });

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>): HttpRequestSpec[] {
  const { baseUrl: base, project, feature, environment } = ctx.settings;
  const url = joinUrl(
    base,
    'api/admin/projects',
    seg(project),
    'features',
    seg(feature),
    'environments',
    seg(environment),
  );
  const headers = { authorization: ctx.secrets.apiToken ?? '', accept: 'application/json' };
  if (phase === 'verify') return [{ method: 'GET', url, headers, idempotent: true }];
  return [{ method: 'POST', url: `${url}/${phase === 'execute' ? 'off' : 'on'}`, headers, idempotent: true }];
}

export const unleashAdapter = defineAdapter<Settings, Args>({
  id: 'unleash',
  summary: 'Disable an Unleash feature in one environment',
  settingsSchema,
  argsSchema,
  secrets: { required: ['apiToken'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Disable Unleash feature ${ctx.settings.feature} in ${ctx.settings.project}/${ctx.settings.environment}`,
  plan: (phase, ctx) => requests(phase, ctx).map(toPlanned),
  async execute(ctx) {
    const { status } = await ctx.http.request(requests('execute', ctx)[0]!, anyBody);
    return { detail: 'feature disabled', status };
  },
  async verify(ctx, _state, after) {
    const { status, data } = await ctx.http.request(requests('verify', ctx)[0]!, featureEnvironment);
    return {
      verified: after === 'execute' ? !data.enabled : data.enabled,
      observed: `enabled: ${data.enabled}`,
      status,
    };
  },
  async undo(ctx) {
    const { status } = await ctx.http.request(requests('undo', ctx)[0]!, anyBody);
    return { detail: 'feature enabled', status };
  },
});
