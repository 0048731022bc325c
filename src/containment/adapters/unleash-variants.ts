import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunContext, type RunState } from '../contract.js';
import { anyBody, baseUrl, joinUrl, knownState, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `unleash-variants`: human-approval mode on Unleash. Every activation strategy of the feature in
 * one environment serves the named "approval required" variant to 100% of contexts; undo puts each
 * strategy's previous variants back exactly (none included).
 * Docs: https://docs.getunleash.io/api/get-feature-strategies (`GET
 * /api/admin/projects/{projectId}/features/{featureName}/environments/{environment}/strategies` →
 * `[{ id, name, title, constraints, parameters, segments, disabled, variants }]`),
 * https://docs.getunleash.io/api/update-feature-strategy (`PUT .../strategies/{strategyId}` with the
 * whole strategy) and https://docs.getunleash.io/reference/strategy-variants (strategy variants take
 * precedence over feature variants; weights out of 1000).
 * Change requests: where the environment requires them the PUT answers 403; that refusal is
 * reported as the target's answer (Quell does not yet open Unleash change requests).
 * Verify limits: SDKs fetch toggles on their refresh interval (15 s by default for server SDKs), so
 * the variant reaches them then; a feature that is disabled in the environment serves no variant.
 * Least privilege: a project role with "Update activation strategies" in that environment.
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl(),
  project: nonEmpty.default('default'),
  feature: nonEmpty,
  environment: nonEmpty,
  /** The variant every context gets. */
  approvalVariant: nonEmpty,
  /** Optional payload of that variant (e.g. `{ type: 'string', value: 'approval-required' }`). */
  payload: z
    .strictObject({ type: z.enum(['string', 'json', 'csv', 'number']), value: z.string() })
    .optional(),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

const strategySchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  title: z.string().nullish(),
  constraints: z.array(z.unknown()).default([]),
  parameters: z.record(z.string(), z.unknown()).default({}),
  segments: z.array(z.number()).default([]),
  disabled: z.boolean().nullish(),
  variants: z.array(z.looseObject({ name: z.string() })).default([]),
});
type Strategy = z.output<typeof strategySchema>;
const strategiesResponse = z.array(strategySchema);

const strategiesUrl = (ctx: Ctx) =>
  joinUrl(
    ctx.settings.baseUrl,
    'api/admin/projects',
    seg(ctx.settings.project),
    'features',
    seg(ctx.settings.feature),
    'environments',
    seg(ctx.settings.environment),
    'strategies',
  );
const auth = (ctx: Ctx) => ({ authorization: ctx.secrets.apiToken ?? '' });
const read = (ctx: Ctx): HttpRequestSpec => ({
  method: 'GET',
  url: strategiesUrl(ctx),
  headers: auth(ctx),
  idempotent: true,
});

export function approvalVariants(ctx: Ctx) {
  return [
    {
      name: ctx.settings.approvalVariant,
      weight: 1000,
      weightType: 'variable',
      stickiness: 'default',
      ...(ctx.settings.payload ? { payload: ctx.settings.payload } : {}),
    },
  ];
}

/** The whole strategy as PUT wants it, with `variants` replaced. */
const put = (
  ctx: Ctx,
  strategy: Pick<Strategy, 'id'> & Partial<Strategy>,
  variants: unknown[],
): HttpRequestSpec => {
  const { id, name, title, constraints, parameters, segments, disabled } = strategy;
  return {
    method: 'PUT',
    url: joinUrl(strategiesUrl(ctx), id === '{strategyId}' ? id : seg(id)),
    headers: auth(ctx),
    json: {
      name,
      ...(title ? { title } : {}),
      constraints,
      parameters,
      segments,
      disabled: disabled ?? false,
      variants,
    },
    idempotent: true,
  };
};

interface PriorStrategies {
  strategies: Strategy[];
}
const priorOf = (state?: RunState) => knownPrior(state) as PriorStrategies | undefined;
const sameVariants = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);

export const unleashVariantsAdapter = defineAdapter<Settings, Args>({
  id: 'unleash-variants',
  summary: 'Human-approval mode: every Unleash strategy serves the "approval required" variant',
  settingsSchema,
  argsSchema,
  secrets: { required: ['apiToken'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Serve variant "${ctx.settings.approvalVariant}" of Unleash feature ${ctx.settings.feature} to everyone in ${ctx.settings.environment}`,
  describeUndo: (_ctx, state) =>
    priorOf(state)
      ? `put back each strategy's previous variants (${priorOf(state)!.strategies.length} strategies)`
      : 'nothing: the previous variants were not recorded',
  plan: (phase, ctx, state) => {
    if (phase === 'verify') return [toPlanned(read(ctx))];
    const prior = priorOf(state);
    if (phase === 'undo') return (prior?.strategies ?? []).map((s) => toPlanned(put(ctx, s, s.variants)));
    // strategy ids are read at run time: the plan shows the PUT as a template
    return [toPlanned(read(ctx)), toPlanned(put(ctx, { id: '{strategyId}' }, approvalVariants(ctx)))];
  },
  async execute(ctx) {
    const before = await ctx.http.request(read(ctx), strategiesResponse);
    if (!before.data.length)
      throw new Error(
        `feature ${ctx.settings.feature} has no strategy in ${ctx.settings.environment}: nothing would serve the variant`,
      );
    let status = before.status;
    for (const strategy of before.data)
      status = (await ctx.http.request(put(ctx, strategy, approvalVariants(ctx)), anyBody)).status;
    return {
      detail: `${before.data.length} strateg${before.data.length === 1 ? 'y serves' : 'ies serve'} "${ctx.settings.approvalVariant}" to everyone`,
      state: {
        prior: knownState(
          before.data
            .map((s) => `${s.name}: ${s.variants.map((v) => v.name).join('/') || 'no variants'}`)
            .join('; '),
          {
            strategies: before.data,
          },
        ),
      },
      status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(read(ctx), strategiesResponse);
    const prior = priorOf(state);
    const holds =
      after === 'execute'
        ? data.length > 0 && data.every((s) => sameVariants(s.variants, approvalVariants(ctx)))
        : (prior?.strategies ?? []).every((p) => {
            const now = data.find((s) => s.id === p.id);
            return now && sameVariants(now.variants, p.variants);
          });
    return {
      verified: holds,
      observed: `${data.map((s) => `${s.name}: ${s.variants.map((v) => v.name).join('/') || 'no variants'}`).join('; ') || 'no strategies'}${after === 'execute' && holds ? '; SDKs see it at their next refresh' : ''}`,
      status,
    };
  },
  async undo(ctx: RunContext<Settings, Args>, state) {
    const prior = priorOf(state);
    if (!prior) return { detail: 'previous variants not recorded: nothing restored' };
    let status: number | undefined;
    for (const strategy of prior.strategies)
      status = (await ctx.http.request(put(ctx, strategy, strategy.variants), anyBody)).status;
    return {
      detail: `previous variants restored on ${prior.strategies.length} strateg${prior.strategies.length === 1 ? 'y' : 'ies'}`,
      status,
    };
  },
});
