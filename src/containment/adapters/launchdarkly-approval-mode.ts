import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import {
  type ApprovalProgress,
  type ApprovalRef,
  defineAdapter,
  knownPrior,
  type PlanContext,
  pendingApproval,
  type RunContext,
  type RunState,
} from '../contract.js';
import { anyBody, baseUrl, joinUrl, knownState, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `launchdarkly-approval-mode`: human-approval mode. Serves the named "approval required" variation
 * of a multivariate flag to every context: targeting off with the off variation set to it
 * (changing only the default rule would leave individual targets and rules serving what they
 * served). Undo restores exactly what was there: the previous off variation and the on/off state;
 * targets, rules and the default rule are never touched, so they are as they were.
 * Docs: https://launchdarkly.com/docs/api/feature-flags/update-feature-flag (semantic patch:
 * `turnFlagOff`, `turnFlagOn`, `updateOffVariation { variationId }`),
 * https://launchdarkly.com/docs/api/feature-flags/get-feature-flag (`variations[]._id`, and per
 * environment `on` and `offVariation`, an index into `variations`), https://launchdarkly.com/docs/home/flags/off-variation.
 * Approval-gated: where the environment requires approval, the PATCH answers 405; Quell then creates
 * an approval request with the same instructions (https://launchdarkly.com/docs/api/approvals/post-approval-request-for-flag:
 * `POST /api/v2/projects/{projectKey}/flags/{flagKey}/environments/{env}/approval-requests`
 * `{ description, instructions, notifyMemberIds }` → 201 `{ _id, status, reviewStatus }`), posts its
 * link, and the approval watch reads it (`GET .../approval-requests/{id}`), applies it once approved
 * (`POST .../approval-requests/{id}/apply`, https://launchdarkly.com/docs/api/approvals/post-apply-approval-request-for-flag)
 * unless the environment auto-applies approved changes (`autoApply: true`), then verifies.
 * Verify limits: SDKs receive the change by streaming within seconds; SDKs in polling mode only at
 * their next poll, and evaluations already made stand.
 * Least privilege: a custom role with `updateOn`, `updateOffVariation`, `createApprovalRequest`,
 * `applyApprovalRequest` on `proj/<project>:env/<env>:flag/<flag>`.
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl('https://app.launchdarkly.com'),
  projectKey: nonEmpty,
  environmentKey: nonEmpty,
  flagKey: nonEmpty,
  /** The "approval required" variation: its `_id`, its name, or its value. */
  approvalVariation: nonEmpty,
  approvals: z
    .strictObject({
      /** LaunchDarkly member ids to notify of the approval request. */
      notifyMemberIds: z.array(nonEmpty).max(10).default([]),
      /** The environment applies approved changes itself ("auto-apply approved changes"). */
      autoApply: z.boolean().default(false),
      /** How often the approval watch reads the request. */
      pollSeconds: z.number().int().min(10).max(3600).default(30),
    })
    .prefault({}),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({ comment: z.string().max(500).optional() }).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

const SEMANTIC_PATCH = 'application/json; domain-model=launchdarkly.semanticpatch';

const flagResponse = z.looseObject({
  key: z.string(),
  variations: z.array(z.looseObject({ _id: z.string(), value: z.unknown(), name: z.string().nullish() })),
  environments: z.record(
    z.string(),
    z.looseObject({ on: z.boolean(), offVariation: z.number().int().nullish() }),
  ),
});
type Flag = z.output<typeof flagResponse>;

const approvalResponse = z.looseObject({
  _id: z.string(),
  status: z.string(),
  reviewStatus: z.string(),
});

const auth = (ctx: Ctx) => ({ authorization: ctx.secrets.apiToken ?? '' });
const flagUrl = (ctx: Ctx) =>
  joinUrl(ctx.settings.baseUrl, 'api/v2/flags', seg(ctx.settings.projectKey), seg(ctx.settings.flagKey));
const approvalsUrl = (ctx: Ctx) =>
  joinUrl(
    ctx.settings.baseUrl,
    'api/v2/projects',
    seg(ctx.settings.projectKey),
    'flags',
    seg(ctx.settings.flagKey),
    'environments',
    seg(ctx.settings.environmentKey),
    'approval-requests',
  );
/** The approval request's page in LaunchDarkly's UI. */
const approvalPage = (ctx: Ctx, id: string) =>
  `${joinUrl(ctx.settings.baseUrl, 'projects', seg(ctx.settings.projectKey), 'flags', seg(ctx.settings.flagKey), 'approvals', seg(id))}?env=${encodeURIComponent(ctx.settings.environmentKey)}`;

const read = (ctx: Ctx): HttpRequestSpec => ({
  method: 'GET',
  url: `${flagUrl(ctx)}?env=${encodeURIComponent(ctx.settings.environmentKey)}`,
  headers: auth(ctx),
  idempotent: true,
});

type Instruction = Record<string, unknown> & { kind: string };

const comment = (ctx: Ctx, why: string) =>
  ctx.args.comment ?? `Quell ${ctx.incidentId}: ${why} (${ctx.actionName})`;

const patch = (ctx: Ctx, instructions: Instruction[], why: string): HttpRequestSpec => ({
  method: 'PATCH',
  url: flagUrl(ctx),
  headers: { ...auth(ctx), 'content-type': SEMANTIC_PATCH },
  json: { environmentKey: ctx.settings.environmentKey, instructions, comment: comment(ctx, why) },
  idempotent: true,
  // 405: this environment requires approval for the change (answered, not a failure)
  acceptStatus: [405],
});

const requestApproval = (ctx: Ctx, instructions: Instruction[], why: string): HttpRequestSpec => ({
  method: 'POST',
  url: approvalsUrl(ctx),
  headers: auth(ctx),
  json: {
    description: comment(ctx, why),
    instructions,
    notifyMemberIds: ctx.settings.approvals.notifyMemberIds,
  },
  idempotent: false,
});

/** The approval variation's id, found by id, name or value. */
export function approvalVariationId(flag: Flag, wanted: string): string {
  const found = flag.variations.find(
    (v) =>
      v._id === wanted ||
      v.name === wanted ||
      (typeof v.value === 'string' ? v.value : JSON.stringify(v.value)) === wanted,
  );
  if (!found)
    throw new Error(
      `flag ${flag.key} has no variation "${wanted}" (its variations: ${flag.variations.map((v) => v.name ?? JSON.stringify(v.value)).join(', ')})`,
    );
  return found._id;
}

function environmentOf(ctx: Ctx, flag: Flag) {
  const env = flag.environments[ctx.settings.environmentKey];
  if (!env) throw new Error(`environment ${ctx.settings.environmentKey} is not in flag ${flag.key}`);
  return {
    on: env.on,
    offVariationId: env.offVariation == null ? null : (flag.variations[env.offVariation]?._id ?? null),
  };
}

interface Prior {
  on: boolean;
  offVariationId: string | null;
}

const contain = (variationId: string): Instruction[] => [
  { kind: 'turnFlagOff' },
  { kind: 'updateOffVariation', variationId },
];

/** Back to exactly what was there; an unset off variation cannot be unset again by semantic patch. */
function restore(prior: Prior): Instruction[] {
  return [
    ...(prior.offVariationId ? [{ kind: 'updateOffVariation', variationId: prior.offVariationId }] : []),
    ...(prior.on ? [{ kind: 'turnFlagOn' }] : []),
  ];
}

const priorOf = (state?: RunState) => knownPrior(state) as Prior | undefined;

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState) {
  if (phase === 'verify') return [read(ctx)];
  const variation = ctx.settings.approvalVariation;
  if (phase === 'undo') {
    const prior = priorOf(state);
    if (pendingApproval(state))
      return [
        {
          method: 'DELETE' as const,
          url: joinUrl(approvalsUrl(ctx), seg(pendingApproval(state)!.id)),
          headers: auth(ctx),
          idempotent: true,
        },
      ];
    const instructions = prior ? restore(prior) : [{ kind: 'turnFlagOn' }];
    return instructions.length ? [patch(ctx, instructions, 'undo')] : [];
  }
  // execute resolves a name or value to the variation's id; the plan names it as configured
  return [read(ctx), patch(ctx, contain(variation), 'human-approval mode')];
}

function served(ctx: Ctx, flag: Flag) {
  const env = environmentOf(ctx, flag);
  const name = (id: string | null) => flag.variations.find((v) => v._id === id)?.name ?? id ?? 'none';
  return { ...env, text: `on: ${env.on}, off variation: ${name(env.offVariationId)}` };
}

export const launchdarklyApprovalModeAdapter = defineAdapter<Settings, Args>({
  id: 'launchdarkly-approval-mode',
  summary: 'Human-approval mode: serve a flag’s "approval required" variation to every context',
  settingsSchema,
  argsSchema,
  secrets: { required: ['apiToken'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Serve "${ctx.settings.approvalVariation}" of LaunchDarkly flag ${ctx.settings.flagKey} to every context in ${ctx.settings.projectKey}/${ctx.settings.environmentKey} (targeting off, off variation set)`,
  describeUndo: (_ctx, state) => {
    if (pendingApproval(state)) return 'withdraw the pending approval request (nothing was applied)';
    const prior = priorOf(state);
    if (!prior) return 'turn targeting back on (the previous state was not recorded)';
    return `restore the previous off variation${prior.on ? ' and turn targeting back on' : ' (targeting stays off, as it was)'}`;
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const before = await ctx.http.request(read(ctx), flagResponse);
    const prior = environmentOf(ctx, before.data);
    const variationId = approvalVariationId(before.data, ctx.settings.approvalVariation);
    const instructions = contain(variationId);
    const changed = await ctx.http.request(patch(ctx, instructions, 'human-approval mode'), anyBody);
    const recorded = knownState(`on: ${prior.on}, off variation ${prior.offVariationId ?? 'none'}`, {
      ...prior,
    });
    if (changed.status !== 405)
      return {
        detail: `every context now gets "${ctx.settings.approvalVariation}" (targeting off)`,
        state: { prior: recorded, variationId },
        status: changed.status,
      };
    const created = await ctx.http.request(
      requestApproval(ctx, instructions, 'human-approval mode'),
      approvalResponse,
    );
    const approval: ApprovalRef = {
      id: created.data._id,
      url: approvalPage(ctx, created.data._id),
      status: 'pending',
      requestedAt: ctx.now.toISOString(),
    };
    return {
      detail: `LaunchDarkly requires approval for this change: approval request ${approval.url} — Quell applies it once approved${ctx.settings.approvals.autoApply ? ' (this environment applies approved changes itself)' : ''}, then verifies`,
      state: { prior: recorded, variationId, approval },
      status: created.status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(read(ctx), flagResponse);
    const now = served(ctx, data);
    const approval = pendingApproval(state);
    if (after === 'execute') {
      const holds = !now.on && now.offVariationId === state.variationId;
      if (!holds && approval)
        return {
          verified: false,
          observed: `awaiting approval: ${approval.url} (${now.text})`,
          awaitingApproval: { url: approval.url },
          status,
        };
      return {
        verified: holds,
        observed: `${now.text}${holds ? '; SDKs in polling mode see it at their next poll' : ''}`,
        status,
      };
    }
    const prior = priorOf(state);
    const wanted = prior ?? { on: true, offVariationId: now.offVariationId };
    const restored =
      now.on === wanted.on &&
      (wanted.offVariationId === null || now.offVariationId === wanted.offVariationId);
    return { verified: restored, observed: now.text, status };
  },
  async undo(ctx, state) {
    const approval = pendingApproval(state);
    if (approval) {
      const { status } = await ctx.http.request(
        {
          method: 'DELETE',
          url: joinUrl(approvalsUrl(ctx), seg(approval.id)),
          headers: auth(ctx),
          idempotent: true,
          acceptStatus: [404],
        },
        anyBody,
      );
      return { detail: `approval request withdrawn (${approval.url}); the flag was never changed`, status };
    }
    const [request] = requests('undo', ctx, state);
    if (!request) return { detail: 'nothing to restore: targeting was off before containment and stays off' };
    const { status } = await ctx.http.request(request, anyBody);
    if (status === 405) {
      const prior = priorOf(state);
      const created = await ctx.http.request(
        requestApproval(ctx, prior ? restore(prior) : [{ kind: 'turnFlagOn' }], 'undo'),
        approvalResponse,
      );
      throw new Error(
        `LaunchDarkly requires approval to restore the flag: approval request ${approvalPage(ctx, created.data._id)} created; once it is applied, the flag is as it was`,
      );
    }
    return { detail: 'previous off variation and targeting state restored', status };
  },
  async advanceApproval(ctx: RunContext<Settings, Args>, state: RunState): Promise<ApprovalProgress> {
    const approval = pendingApproval(state);
    if (!approval) return { status: 'applied', detail: 'no approval pending', state };
    const url = joinUrl(approvalsUrl(ctx), seg(approval.id));
    const { data } = await ctx.http.request(
      { method: 'GET', url, headers: auth(ctx), idempotent: true },
      approvalResponse,
    );
    const settle = (status: ApprovalRef['status'], detail: string): ApprovalProgress => ({
      status,
      detail,
      state: { ...state, approval: { ...approval, status } },
    });
    if (data.reviewStatus === 'declined')
      return settle('declined', `approval request declined (${approval.url}); nothing applied`);
    if (data.status === 'failed')
      return settle('declined', `approved change failed to apply in LaunchDarkly (${approval.url})`);
    if (data.status === 'completed')
      return settle('applied', `approved and applied in LaunchDarkly (${approval.url})`);
    if (data.reviewStatus !== 'approved' || ctx.settings.approvals.autoApply)
      return { status: 'pending', detail: `approval ${data.reviewStatus}, status ${data.status}`, state };
    await ctx.http.request(
      {
        method: 'POST',
        url: joinUrl(url, 'apply'),
        headers: auth(ctx),
        json: { comment: comment(ctx, 'applying the approved change') },
        idempotent: true,
      },
      anyBody,
    );
    return settle('applied', `approved; Quell applied it (${approval.url})`);
  },
});
