import { z } from 'zod';
import { defineAdapter, knownPrior, type PlanContext, type RunState } from '../contract.js';
import type { HttpRequestSpec } from '../http.js';
import { anyBody, baseUrl, joinUrl, knownState, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `unleash`: disable a feature in one environment through the Admin API; undo enables it again only
 * if it was enabled before.
 * Docs: https://docs.getunleash.io/api/toggle-feature-environment-off (and `.../on`):
 * `POST /api/admin/projects/{projectId}/features/{featureName}/environments/{environment}/off`,
 * no body, 200 with no meaningful body; https://docs.getunleash.io/api/get-feature-environment:
 * `GET .../environments/{environment}` answers `{ name, environmentName, enabled, strategies, ... }`.
 * Auth: `Authorization: <admin API token or PAT>` (no scheme). Errors: `{ id, name, message }`.
 * Least privilege: a PAT (or service account token) of a user with a project role that has
 * "Enable/disable flags" for that environment (https://docs.getunleash.io/reference/rbac).
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

function environmentUrl(ctx: PlanContext<Settings, Args>): string {
  const { baseUrl: base, project, feature, environment } = ctx.settings;
  return joinUrl(
    base,
    'api/admin/projects',
    seg(project),
    'features',
    seg(feature),
    'environments',
    seg(environment),
  );
}

const headersOf = (ctx: PlanContext<Settings, Args>) => ({
  authorization: ctx.secrets.apiToken ?? '',
  accept: 'application/json',
});

function read(ctx: PlanContext<Settings, Args>): HttpRequestSpec {
  return { method: 'GET', url: environmentUrl(ctx), headers: headersOf(ctx), idempotent: true };
}

function toggle(ctx: PlanContext<Settings, Args>, to: 'on' | 'off'): HttpRequestSpec {
  return { method: 'POST', url: `${environmentUrl(ctx)}/${to}`, headers: headersOf(ctx), idempotent: true };
}

function undoRequests(ctx: PlanContext<Settings, Args>, state?: RunState): HttpRequestSpec[] {
  return knownPrior(state)?.enabled === false ? [] : [toggle(ctx, 'on')];
}

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>, state?: RunState) {
  if (phase === 'verify') return [read(ctx)];
  if (phase === 'undo') return undoRequests(ctx, state);
  return [read(ctx), toggle(ctx, 'off')];
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
  describeUndo: (_ctx, state) => {
    const prior = knownPrior(state);
    if (!prior) return 'enable the feature (its state before containment was not recorded)';
    return prior.enabled
      ? 'enable the feature again'
      : 'leave the feature disabled (it was disabled before containment)';
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const before = await ctx.http.request(read(ctx), featureEnvironment);
    const { status } = await ctx.http.request(toggle(ctx, 'off'), anyBody);
    const enabled = before.data.enabled;
    return {
      detail: enabled ? 'feature enabled → disabled' : 'feature was already disabled; kept disabled',
      state: { prior: knownState(enabled ? 'enabled' : 'disabled', { enabled }) },
      status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(read(ctx), featureEnvironment);
    const wanted = after === 'execute' ? false : (knownPrior(state)?.enabled ?? true);
    return { verified: data.enabled === wanted, observed: `enabled: ${data.enabled}`, status };
  },
  async undo(ctx, state) {
    const [request] = undoRequests(ctx, state);
    if (!request) return { detail: 'feature was disabled before containment: left disabled' };
    const { status } = await ctx.http.request(request, anyBody);
    return { detail: 'feature enabled again', status };
  },
});
