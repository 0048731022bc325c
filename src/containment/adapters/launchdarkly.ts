import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunState } from '../contract.js';
import { baseUrl, joinUrl, knownState, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `launchdarkly`: turn a flag off in one environment with a semantic patch; undo puts back what was
 * there (a flag that was already off stays off).
 * Docs: https://launchdarkly.com/docs/api/feature-flags/update-feature-flag
 * (`PATCH /api/v2/flags/{projectKey}/{featureFlagKey}`, `Content-Type: application/json;
 * domain-model=launchdarkly.semanticpatch`, body `{ environmentKey, instructions: [{ kind: "turnFlagOff" }],
 * comment }`) and https://launchdarkly.com/docs/api/feature-flags/get-feature-flag
 * (`GET ...?env=<key>`, answer has `environments.<key>.on`). The `Authorization` header is the bare
 * access token, no "Bearer". Errors: `{ "code", "message" }`. Rate limits:
 * https://launchdarkly.com/docs/api#rate-limiting (429 with `X-Ratelimit-Reset`, epoch ms; http.ts).
 * Least privilege: a custom role allowing `updateOn` on `proj/<project>:env/<env>:flag/<flag>`.
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

function flagUrl(ctx: PlanContext<Settings, Args>): string {
  const { baseUrl: base, projectKey, flagKey } = ctx.settings;
  return joinUrl(base, 'api/v2/flags', seg(projectKey), seg(flagKey));
}

function read(ctx: PlanContext<Settings, Args>): HttpRequestSpec {
  return {
    method: 'GET',
    url: `${flagUrl(ctx)}?env=${encodeURIComponent(ctx.settings.environmentKey)}`,
    headers: { authorization: ctx.secrets.apiToken ?? '' },
    idempotent: true,
  };
}

function turn(ctx: PlanContext<Settings, Args>, on: boolean, why: 'containment' | 'undo'): HttpRequestSpec {
  return {
    method: 'PATCH',
    url: flagUrl(ctx),
    headers: { authorization: ctx.secrets.apiToken ?? '', 'content-type': SEMANTIC_PATCH },
    json: {
      environmentKey: ctx.settings.environmentKey,
      instructions: [{ kind: on ? 'turnFlagOn' : 'turnFlagOff' }],
      comment: ctx.args.comment ?? `Quell ${ctx.incidentId}: ${why} (${ctx.actionName})`,
    },
    idempotent: true,
  };
}

/** Undo turns the flag on only if it was on (or nobody knows, and the person confirming was told). */
function undoRequests(ctx: PlanContext<Settings, Args>, state?: RunState): HttpRequestSpec[] {
  const prior = knownPrior(state);
  return prior?.on === false ? [] : [turn(ctx, true, 'undo')];
}

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>, state?: RunState) {
  if (phase === 'verify') return [read(ctx)];
  if (phase === 'undo') return undoRequests(ctx, state);
  return [read(ctx), turn(ctx, false, 'containment')];
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
  describeUndo: (_ctx, state) => {
    const prior = knownPrior(state);
    if (!prior) return 'turn the flag on (its state before containment was not recorded)';
    return prior.on ? 'turn the flag back on' : 'leave the flag off (it was off before containment)';
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const [readPrior, turnOff] = requests('execute', ctx);
    const before = await ctx.http.request(readPrior!, flagResponse);
    const on = onIn(before.data, ctx.settings.environmentKey);
    if (on === undefined)
      throw new Error(`environment ${ctx.settings.environmentKey} is not in flag ${ctx.settings.flagKey}`);
    const { status, data } = await ctx.http.request(turnOff!, flagResponse);
    return {
      detail: `flag ${on ? 'on → off' : 'was already off; kept off'}${onIn(data, ctx.settings.environmentKey) === false ? '' : ' (change accepted)'}`,
      state: { prior: knownState(on ? 'flag on' : 'flag off', { on }) },
      status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(read(ctx), flagResponse);
    const on = onIn(data, ctx.settings.environmentKey);
    if (on === undefined)
      return {
        verified: false,
        observed: `environment ${ctx.settings.environmentKey} not in the flag`,
        status,
      };
    const wanted = after === 'execute' ? false : (knownPrior(state)?.on ?? true);
    return { verified: on === wanted, observed: `on: ${on}`, status };
  },
  async undo(ctx, state) {
    const [request] = undoRequests(ctx, state);
    if (!request) return { detail: 'flag was off before containment: left off' };
    const { status } = await ctx.http.request(request, flagResponse);
    return { detail: 'flag on again', status };
  },
});
