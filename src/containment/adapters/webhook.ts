import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { defineAdapter, type PlanContext, type RunState } from '../contract.js';
import type { HttpRequestSpec } from '../http.js';
import { anyBody, toPlanned } from './common.js';

/**
 * `webhook`: POSTs a signed JSON event to an in-house kill switch. Quell defines this contract
 * (documented in the README, "Webhook adapter"), modelled on common signed-webhook practice:
 *
 *   POST <url>
 *   content-type: application/json
 *   x-quell-timestamp: <unix seconds>
 *   x-quell-signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the signing secret>
 *   idempotency-key: <run key>          (the same run never acts twice)
 *   body: { type: "quell.containment.execute" | "quell.containment.undo", action, incident, at, idempotencyKey, args }
 *
 * Optional `verifyUrl` is read with GET and must answer `{ "active": boolean }` (true while the kill
 * switch is engaged); optional `undoUrl` receives the `quell.containment.undo` event.
 */
const settingsSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  verifyUrl: z.url({ protocol: /^https?$/ }).optional(),
  undoUrl: z.url({ protocol: /^https?$/ }).optional(),
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.record(z.string(), z.string()).default({});
type Args = z.output<typeof argsSchema>;

export const WEBHOOK_HEADERS = {
  timestamp: 'x-quell-timestamp',
  signature: 'x-quell-signature',
  idempotencyKey: 'idempotency-key',
} as const;

const verifyBody = z.looseObject({ active: z.boolean() });

export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

function eventRequest(
  ctx: PlanContext<Settings, Args>,
  type: 'execute' | 'undo',
  url: string,
): HttpRequestSpec {
  const idempotencyKey = type === 'execute' ? ctx.idempotencyKey : `${ctx.idempotencyKey}-undo`;
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

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>): HttpRequestSpec[] {
  if (phase === 'execute') return [eventRequest(ctx, 'execute', ctx.settings.url)];
  if (phase === 'undo') return ctx.settings.undoUrl ? [eventRequest(ctx, 'undo', ctx.settings.undoUrl)] : [];
  const verify = verifyRequest(ctx);
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
  describe: (ctx) => `Send a signed kill-switch event to ${new URL(ctx.settings.url).host}`,
  plan: (phase, ctx) => requests(phase, ctx).map(toPlanned),
  async execute(ctx) {
    const { status } = await ctx.http.request(requests('execute', ctx)[0]!, anyBody);
    return { detail: `kill switch accepted the event (HTTP ${status})`, status };
  },
  async verify(ctx, _state: RunState, after) {
    const request = verifyRequest(ctx);
    if (!request) return { verified: false, observed: 'no verify URL configured' };
    const { status, data } = await ctx.http.request(request, verifyBody);
    const wanted = after === 'execute';
    return { verified: data.active === wanted, observed: `active: ${data.active}`, status };
  },
  async undo(ctx) {
    const [request] = requests('undo', ctx);
    if (!request) throw new Error('this webhook has no undoUrl configured');
    const { status } = await ctx.http.request(request, anyBody);
    return { detail: `kill switch accepted the undo event (HTTP ${status})`, status };
  },
});
