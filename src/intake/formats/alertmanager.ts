import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FINGERPRINT_PATTERN, type NormalizedAlert } from '../model.js';
import { type FormatResult, issuesText } from './result.js';

/**
 * Prometheus Alertmanager's webhook notification, payload version "4", as documented in the
 * `<webhook_config>` section of https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 * (fields: version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels,
 * commonAnnotations, externalURL, alerts[] with status, labels, annotations, startsAt, endsAt,
 * generatorURL, fingerprint). Alertmanager cannot sign a body; it authenticates with
 * `http_config` (bearer, basic or OAuth2), so replays are refused by fingerprint and startsAt.
 * Unknown fields are allowed (Alertmanager adds fields within a version); a missing or other
 * `version` is refused, since the shape is only promised for "4".
 */

const stringMap = z.record(z.string(), z.string());

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap.default({}),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  /** Alertmanager ≥ 0.19 sends it (a hash of the labels); derived from the labels otherwise. */
  fingerprint: z.string().optional(),
});

export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4', { error: 'version must be "4" (Alertmanager webhook payload version 4)' }),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertSchema).min(1, 'alerts is empty'),
});

export function parseAlertmanager(body: unknown): FormatResult {
  const parsed = alertmanagerPayloadSchema.safeParse(body);
  if (!parsed.success)
    return { ok: false, reason: `not an Alertmanager v4 payload: ${issuesText(parsed.error)}` };
  const payload = parsed.data;
  const alerts: NormalizedAlert[] = [];
  for (const [i, alert] of payload.alerts.entries()) {
    const fingerprint = alert.fingerprint ?? labelsFingerprint(alert.labels);
    if (!FINGERPRINT_PATTERN.test(fingerprint))
      return { ok: false, reason: `alerts[${i}].fingerprint must be 1-128 letters, digits, '.', '_' or '-'` };
    alerts.push({
      fingerprint,
      status: alert.status,
      startsAt: new Date(alert.startsAt).toISOString(),
      labels: alert.labels,
      annotations: alert.annotations,
      fields: { receiver: payload.receiver, groupKey: payload.groupKey, externalURL: payload.externalURL },
      summary:
        alert.annotations.summary ??
        alert.annotations.description ??
        alert.labels.alertname ??
        'Alertmanager alert',
      ...(alert.generatorURL ? { url: alert.generatorURL } : {}),
    });
  }
  return { ok: true, alerts };
}

/** Alertmanager's own fingerprint is a hash of the sorted label set; the same idea when it is absent. */
function labelsFingerprint(labels: Record<string, string>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
