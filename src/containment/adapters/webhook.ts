import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunState, UNKNOWN_PRIOR } from '../contract.js';
import { anyBody, knownState, toPlanned } from './common.js';

/**
 * `webhook`: POSTs a signed JSON event to an in-house kill switch. Quell defines this contract
 * (documented in the README, "Webhook adapter"), modelled on common signed-webhook practice:
 *
 *   POST <url>
 *   content-type: application/json
 *   x-quell-timestamp: <unix seconds>
 *   x-quell-signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the signing secret>
 *   idempotency-key: <run key>          (the same run never acts twice)
 *   body: { type: "quell.containment.execute" | "quell.containment.undo" | "quell.containment.cancel_runs",
 *           action, incident, at, idempotencyKey, args }
 *
 * Optional `verifyUrl` is read with GET and must answer `{ "active": boolean, "runsInProgress"?: string[] }`
 * (active: the kill switch is engaged; runsInProgress: the agent's work still running). It is read
 * before the kill switch is engaged too, so undo knows whether it was engaged already (then undo
 * sends nothing); without it the prior state is unknown and undo says so before it is confirmed.
 * Optional `undoUrl` receives the `quell.containment.undo` event; optional `cancelRunsUrl` receives
 * `quell.containment.cancel_runs` right after the execute event: "stop what is running, keep its
 * records" (it may answer `{ "cancelled": [ids] }`).
 * Least privilege: the receiver should accept this signing secret for these event types only.
 */
const settingsSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  verifyUrl: z.url({ protocol: /^https?$/ }).optional(),
  undoUrl: z.url({ protocol: /^https?$/ }).optional(),
  cancelRunsUrl: z.url({ protocol: /^https?$/ }).optional(),
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.record(z.string(), z.string()).default({});
type Args = z.output<typeof argsSchema>;

export const WEBHOOK_HEADERS = {
  timestamp: 'x-quell-timestamp',
  signature: 'x-quell-signature',
  idempotencyKey: 'idempotency-key',
} as const;

const verifyBody = z.looseObject({ active: z.boolean(), runsInProgress: z.array(z.string()).optional() });
const cancelBody = z.looseObject({ cancelled: z.array(z.string()).optional() }).optional();

type EventType = 'execute' | 'undo' | 'cancel_runs';

export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

function eventRequest(ctx: PlanContext<Settings, Args>, type: EventType, url: string): HttpRequestSpec {
  const idempotencyKey =
    type === 'execute' ? ctx.idempotencyKey : `${ctx.idempotencyKey}-${type.replace('_', '-')}`;
  const rawBody = JSON.stringify({
    type: `quell.containment.${type}`,
    action: ctx.actionName,
    incident: ctx.incidentId,
    at: ctx.now.toISOString(),
    idempotencyKey,
    args: ctx.args,
  });
  const timestamp = String(Math.floor(ctx.now.getTime() / 1000));
  const secret = ctx.secrets.signingSecret ?? '';
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      [WEBHOOK_HEADERS.timestamp]: timestamp,
      [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, rawBody),
      [WEBHOOK_HEADERS.idempotencyKey]: idempotencyKey,
      ...(ctx.secrets.token ? { authorization: `Bearer ${ctx.secrets.token}` } : {}),
    },
    rawBody,
    // the idempotency key makes a repeat harmless
    idempotent: true,
  };
}

function verifyRequest(ctx: PlanContext<Settings, Args>): HttpRequestSpec | undefined {
  if (!ctx.settings.verifyUrl) return undefined;
  return {
    method: 'GET',
    url: ctx.settings.verifyUrl,
    headers: {
      accept: 'application/json',
      ...(ctx.secrets.token ? { authorization: `Bearer ${ctx.secrets.token}` } : {}),
    },
    idempotent: true,
  };
}

const wasActive = (state?: RunState) => knownPrior(state)?.active === true;

function requests(
  phase: 'execute' | 'verify' | 'undo',
  ctx: PlanContext<Settings, Args>,
  state?: RunState,
): HttpRequestSpec[] {
  const verify = verifyRequest(ctx);
  if (phase === 'execute')
    return [
      ...(verify ? [verify] : []),
      eventRequest(ctx, 'execute', ctx.settings.url),
      ...(ctx.settings.cancelRunsUrl ? [eventRequest(ctx, 'cancel_runs', ctx.settings.cancelRunsUrl)] : []),
    ];
  if (phase === 'undo')
    return ctx.settings.undoUrl && !wasActive(state) ? [eventRequest(ctx, 'undo', ctx.settings.undoUrl)] : [];
  return verify ? [verify] : [];
}

export const webhookAdapter = defineAdapter<Settings, Args>({
  id: 'webhook',
  summary: 'POST a signed event to an in-house kill switch',
  settingsSchema,
  argsSchema,
  secrets: { required: ['signingSecret'], optional: ['token'] },
  irreversible: () => false,
  canUndo: (settings) => Boolean(settings.undoUrl),
  describe: (ctx) =>
    `Send a signed kill-switch event to ${new URL(ctx.settings.url).host}${ctx.settings.cancelRunsUrl ? ' and cancel its runs in progress' : ''}`,
  describeUndo: (_ctx, state) => {
    if (!knownPrior(state))
      return 'send the undo event (whether the kill switch was engaged before was not recorded: there is no verify URL)';
    return wasActive(state)
      ? 'send nothing (the kill switch was engaged before containment)'
      : 'send the undo event';
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const check = verifyRequest(ctx);
    const before = check ? (await ctx.http.request(check, verifyBody)).data : undefined;
    const { status } = await ctx.http.request(eventRequest(ctx, 'execute', ctx.settings.url), anyBody);
    let cancelled = '';
    if (ctx.settings.cancelRunsUrl) {
      const answer = await ctx.http.request(
        eventRequest(ctx, 'cancel_runs', ctx.settings.cancelRunsUrl),
        cancelBody,
      );
      const ids = answer.data?.cancelled ?? [];
      cancelled = `; cancel-runs accepted (HTTP ${answer.status})${ids.length ? `, cancelled ${ids.join(', ')}` : ''}`;
    }
    return {
      detail: `kill switch accepted the event (HTTP ${status})${cancelled}`,
      state: {
        prior: before ? knownState(`active: ${before.active}`, { active: before.active }) : UNKNOWN_PRIOR,
      },
      status,
    };
  },
  async verify(ctx, state: RunState, after) {
    const request = verifyRequest(ctx);
    if (!request) return { verified: false, observed: 'no verify URL configured' };
    const { status, data } = await ctx.http.request(request, verifyBody);
    const wanted = after === 'execute' ? true : wasActive(state);
    const running = after === 'execute' ? (data.runsInProgress ?? []) : [];
    return {
      verified: data.active === wanted && running.length === 0,
      observed: `active: ${data.active}${running.length ? `; runs still in progress: ${running.join(', ')}` : ''}`,
      ...(running.length ? { inFlight: running } : {}),
      status,
    };
  },
  async undo(ctx, state) {
    if (!ctx.settings.undoUrl) throw new Error('this webhook has no undoUrl configured');
    if (wasActive(state)) return { detail: 'kill switch was engaged before containment: left engaged' };
    const { status } = await ctx.http.request(eventRequest(ctx, 'undo', ctx.settings.undoUrl), anyBody);
    return { detail: `kill switch accepted the undo event (HTTP ${status})`, status };
  },
});
