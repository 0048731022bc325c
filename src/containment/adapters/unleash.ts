import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import {
  type ApprovalRef,
  defineAdapter,
  knownPrior,
  type PlanContext,
  pendingApproval,
  type RunContext,
  type RunState,
} from '../contract.js';
import { anyBody, baseUrl, joinUrl, knownState, nonEmpty, seg, toPlanned } from './common.js';
import {
  advanceChangeRequest,
  type ChangeRequestTarget,
  openChangeRequest,
  requiresChangeRequest,
  setState,
} from './unleash-change-requests.js';

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
 * Change requests (Unleash Enterprise only): where the environment requires them the toggle answers
 * 403; Quell opens a change request (`updateEnabled`), posts its link, and the approval watch applies
 * it once approved, then verifies; undo while it is pending cancels it (unleash-change-requests.ts).
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl(),
  project: nonEmpty.default('default'),
  feature: nonEmpty,
  environment: nonEmpty,
  approvals: z
    .strictObject({
      /** How often the approval watch reads a pending change request. */
      pollSeconds: z.number().int().min(10).max(3600).default(30),
    })
    .prefault({}),
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

const crTarget = (ctx: PlanContext<Settings, Args>): ChangeRequestTarget => ({
  baseUrl: ctx.settings.baseUrl,
  project: ctx.settings.project,
  environment: ctx.settings.environment,
  auth: headersOf(ctx),
});
const crComment = (ctx: PlanContext<Settings, Args>, why: string) =>
  `Quell ${ctx.incidentId}: ${why} (${ctx.actionName})`;

/** Toggles, or where the environment requires change requests, opens one with the same change. */
async function toggleOrRequest(
  ctx: RunContext<Settings, Args>,
  to: 'on' | 'off',
  why: string,
): Promise<{ status: number; approval?: ApprovalRef }> {
  try {
    return await ctx.http.request(toggle(ctx, to), anyBody);
  } catch (error) {
    if (!(await requiresChangeRequest(ctx.http, crTarget(ctx), error))) throw error;
    const change = {
      feature: ctx.settings.feature,
      action: 'updateEnabled',
      payload: { enabled: to === 'on' },
    };
    return openChangeRequest(ctx, crTarget(ctx), change, crComment(ctx, why));
  }
}

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
    if (pendingApproval(state)) return 'cancel the pending change request (nothing was applied)';
    const prior = knownPrior(state);
    if (!prior) return 'enable the feature (its state before containment was not recorded)';
    return prior.enabled
      ? 'enable the feature again'
      : 'leave the feature disabled (it was disabled before containment)';
  },
  plan: (phase, ctx, state) => {
    const approval = phase === 'undo' ? pendingApproval(state) : undefined;
    if (approval)
      return [toPlanned(setState(crTarget(ctx), approval.id, 'Cancelled', crComment(ctx, 'undo')))];
    return requests(phase, ctx, state).map(toPlanned);
  },
  async execute(ctx) {
    const before = await ctx.http.request(read(ctx), featureEnvironment);
    const enabled = before.data.enabled;
    const prior = knownState(enabled ? 'enabled' : 'disabled', { enabled });
    const { status, approval } = await toggleOrRequest(ctx, 'off', 'containment');
    if (approval)
      return {
        detail: `Unleash requires a change request in ${ctx.settings.environment}: ${approval.url} (sent to review) — Quell applies it once approved, then verifies`,
        state: { prior, approval },
        status,
      };
    return {
      detail: enabled ? 'feature enabled → disabled' : 'feature was already disabled; kept disabled',
      state: { prior },
      status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(read(ctx), featureEnvironment);
    const wanted = after === 'execute' ? false : (knownPrior(state)?.enabled ?? true);
    const approval = pendingApproval(state);
    if (after === 'execute' && approval && data.enabled !== wanted)
      return {
        verified: false,
        observed: `awaiting change request approval: ${approval.url} (enabled: ${data.enabled})`,
        awaitingApproval: { url: approval.url },
        status,
      };
    return { verified: data.enabled === wanted, observed: `enabled: ${data.enabled}`, status };
  },
  async undo(ctx, state) {
    const approval = pendingApproval(state);
    if (approval) {
      const request = setState(crTarget(ctx), approval.id, 'Cancelled', crComment(ctx, 'undo'));
      const { status } = await ctx.http.request(request, anyBody);
      return { detail: `change request cancelled (${approval.url}); the feature was never changed`, status };
    }
    if (!undoRequests(ctx, state).length)
      return { detail: 'feature was disabled before containment: left disabled' };
    const { status, approval: restoring } = await toggleOrRequest(ctx, 'on', 'undo');
    if (restoring)
      throw new Error(
        `Unleash requires a change request to enable the feature again: ${restoring.url} sent to review; once it is applied, the feature is as it was`,
      );
    return { detail: 'feature enabled again', status };
  },
  advanceApproval: (ctx, state) =>
    advanceChangeRequest(
      ctx.http,
      crTarget(ctx),
      state,
      crComment(ctx, 'applying the approved change request'),
    ),
});
