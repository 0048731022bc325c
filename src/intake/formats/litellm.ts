import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { NormalizedAlert } from '../model.js';
import { type FormatResult, issuesText } from './result.js';

/**
 * LiteLLM proxy's budget and spend alert webhook (`general_settings.alerting: ["webhook"]` with
 * `WEBHOOK_URL`), as documented at https://docs.litellm.ai/docs/proxy/alerting (section
 * "Advanced - [BETA] Webhooks for Budget Alerts", added with https://github.com/BerriAI/litellm/pull/3748):
 * a JSON body with spend, max_budget, token, user_id, team_id, user_email, key_alias,
 * projected_exceeded_data (later releases: projected_exceeded_date), projected_spend, event
 * (Literal budget_crossed, threshold_crossed, projected_limit_exceeded), event_group (user, key,
 * team, proxy, customer...) and event_message. The doc marks the spec beta, so unknown fields pass.
 * LiteLLM sends no signature and no fingerprint: the fingerprint is derived from the event, its
 * group and whose budget it is, so repeats of one budget alert add to one incident. `token` is the
 * hashed virtual key: used for the fingerprint only, never shown.
 */

const nullableString = z.string().nullish();
const amount = z.number().nullish();

export const litellmPayloadSchema = z.object({
  spend: amount,
  max_budget: amount,
  token: nullableString,
  customer_id: nullableString,
  user_id: nullableString,
  team_id: nullableString,
  team_alias: nullableString,
  organization_id: nullableString,
  user_email: nullableString,
  key_alias: nullableString,
  projected_exceeded_data: nullableString,
  projected_exceeded_date: nullableString,
  projected_spend: amount,
  event: z.enum(['budget_crossed', 'threshold_crossed', 'projected_limit_exceeded']),
  event_group: z.string().regex(/^[a-z_]{1,40}$/, 'a lower-case word such as user, key, team or proxy'),
  event_message: z.string().max(2_000),
});

export function parseLitellm(body: unknown): FormatResult {
  const parsed = litellmPayloadSchema.safeParse(body);
  if (!parsed.success)
    return { ok: false, reason: `not a LiteLLM budget alert: ${issuesText(parsed.error)}` };
  const p = parsed.data;
  const whose = p.token ?? p.user_id ?? p.team_id ?? p.customer_id ?? p.organization_id ?? 'proxy';
  const fingerprint = `litellm-${p.event_group}-${createHash('sha256')
    .update(`${p.event}\u0000${p.event_group}\u0000${whose}`)
    .digest('hex')
    .slice(0, 16)}`;
  const labels: Record<string, string> = { event: p.event, event_group: p.event_group };
  for (const key of [
    'user_id',
    'team_id',
    'team_alias',
    'customer_id',
    'organization_id',
    'key_alias',
  ] as const) {
    const value = p[key];
    if (value) labels[key] = value;
  }
  const fields: Record<string, string> = {};
  for (const key of ['spend', 'max_budget', 'projected_spend'] as const) {
    const value = p[key];
    if (value !== null && value !== undefined) fields[key] = String(value);
  }
  const exceeds = p.projected_exceeded_date ?? p.projected_exceeded_data;
  if (exceeds) fields.projected_exceeded_date = exceeds;
  const alert: NormalizedAlert = {
    fingerprint,
    status: 'firing',
    labels,
    annotations: {},
    fields,
    summary: p.event_message,
  };
  return { ok: true, alerts: [alert] };
}
