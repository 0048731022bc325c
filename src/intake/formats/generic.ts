import { z } from 'zod';
import { FINGERPRINT_PATTERN, type NormalizedAlert } from '../model.js';
import { type FormatResult, issuesText } from './result.js';

/**
 * Quell's own alert schema, for guardrail and monitoring products that can send JSON of their
 * choosing (a prompt-injection detector, a policy engine, a tool-call anomaly monitor). Documented
 * in the README ("Starting incidents automatically"); `genericAlertJsonSchema()` prints it as JSON
 * Schema. One alert per body, or `{ "alerts": [ … ] }` with up to 100.
 */

const labelValue = z.string().max(1_000);

export const genericAlertSchema = z.strictObject({
  /** Stable across repeats of the same alert: repeats add to its incident instead of declaring again. */
  fingerprint: z.string().regex(FINGERPRINT_PATTERN, "1-128 letters, digits, '.', '_' or '-'"),
  status: z.enum(['firing', 'resolved']).default('firing'),
  /** When the condition started (ISO 8601 with offset). With the fingerprint, a repeat of both is a replay. */
  startsAt: z.iso.datetime({ offset: true }).optional(),
  /** One line for people. */
  summary: z.string().min(1).max(1_000),
  /** What rules match on and templates read: `agent`, `model`, `environment`, `detector`... */
  labels: z.record(z.string().max(100), labelValue).default({}),
  /** Longer text shown with the alert (description, runbook...). */
  annotations: z.record(z.string().max(100), z.string().max(3_000)).default({}),
  /** Where the product shows this alert. */
  url: z.url({ protocol: /^https?$/ }).optional(),
});

export const genericPayloadSchema = z.union([
  genericAlertSchema,
  z.strictObject({ alerts: z.array(genericAlertSchema).min(1).max(100) }),
]);

export type GenericAlert = z.input<typeof genericAlertSchema>;

export function parseGeneric(body: unknown): FormatResult {
  const parsed = genericPayloadSchema.safeParse(body);
  if (!parsed.success) {
    // the union's error is unhelpful; say what is wrong with the single-alert reading
    const single = genericAlertSchema.safeParse(body);
    const error = single.success ? parsed.error : single.error;
    return { ok: false, reason: `not a Quell generic alert: ${issuesText(error)}` };
  }
  const list = 'alerts' in parsed.data ? parsed.data.alerts : [parsed.data];
  const alerts: NormalizedAlert[] = list.map((a) => ({
    fingerprint: a.fingerprint,
    status: a.status,
    ...(a.startsAt ? { startsAt: new Date(a.startsAt).toISOString() } : {}),
    labels: a.labels,
    annotations: a.annotations,
    fields: {},
    summary: a.summary,
    ...(a.url ? { url: a.url } : {}),
  }));
  return { ok: true, alerts };
}

/** The generic schema as JSON Schema (draft 2020-12), for the README and for senders. */
export function genericAlertJsonSchema(): unknown {
  return z.toJSONSchema(genericPayloadSchema, { io: 'input' });
}
