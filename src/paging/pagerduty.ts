import { z } from 'zod';
import type { Severity } from '../incidents/model.js';
import { PagerRefusedError, pagerRequest } from './http.js';
import type { Page, PageReceipt, Pager } from './model.js';

/**
 * PagerDuty Events API v2: one alert per incident, keyed by its dedup key.
 *
 * Follows "Send an Alert Event" (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/)
 * and the Events API v2 OpenAPI document
 * (https://raw.githubusercontent.com/PagerDuty/api-schema/main/reference/events-v2/openapiv3.json):
 * `POST https://events.pagerduty.com/v2/enqueue` with `routing_key`, `event_action`
 * (trigger / acknowledge / resolve) and `dedup_key`; a trigger carries `payload` (`summary` ≤ 1024
 * characters, `source`, `severity` critical|error|warning|info, `timestamp`, `component`, `group`,
 * `class`, `custom_details`), `links[]` (`href`, `text`), `client` and `client_url`. Answers: 202
 * `{status: "success", message: "Event processed", dedup_key}`; 400 `{status: "invalid event",
 * message, errors[]}` (e.g. a routing key that is not 32 characters) is permanent; 429 (throttled)
 * and 5xx are retried by the job runtime, as the document's retry table says.
 */
export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  sev1: 'critical',
  sev2: 'error',
  sev3: 'warning',
  sev4: 'info',
};

const SUMMARY_LIMIT = 1024;
const DEDUP_LIMIT = 255;

const acceptedSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  dedup_key: z.string(),
});

export interface PagerDutyOptions {
  name: string;
  routingKey: string;
  url: string;
  timeoutMs: number;
}

export class PagerDutyEvents implements Pager {
  readonly kind = 'pagerduty' as const;
  readonly name: string;

  constructor(private readonly options: PagerDutyOptions) {
    this.name = options.name;
  }

  /** The documented request body for a page (exported for the conformance suite's readers). */
  body(page: Page): Record<string, unknown> {
    const common = {
      routing_key: this.options.routingKey,
      event_action: page.action,
      dedup_key: page.dedupKey.slice(0, DEDUP_LIMIT),
    };
    if (page.action !== 'trigger') return common;
    return {
      ...common,
      payload: {
        summary: page.summary.slice(0, SUMMARY_LIMIT),
        source: 'quell',
        severity: PAGERDUTY_SEVERITY[page.severity],
        timestamp: page.at,
        ...(page.details.agent ? { component: page.details.agent } : {}),
        ...(page.details.environment ? { group: page.details.environment } : {}),
        class: 'ai-agent-incident',
        custom_details: { ...page.details },
      },
      ...(page.link ? { links: [{ href: page.link.href, text: page.link.text }] } : {}),
      client: 'Quell',
      ...(page.link ? { client_url: page.link.href } : {}),
    };
  }

  async send(page: Page, signal?: AbortSignal): Promise<PageReceipt> {
    const { json } = await pagerRequest({
      method: 'POST',
      url: this.options.url,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: this.body(page),
      timeoutMs: this.options.timeoutMs,
      ...(signal ? { signal } : {}),
      secret: this.options.routingKey,
      vendor: 'PagerDuty',
    });
    const accepted = acceptedSchema.safeParse(json);
    if (!accepted.success)
      throw new PagerRefusedError(
        'PagerDuty accepted the event but its answer is not the documented one',
        202,
      );
    return { reference: accepted.data.dedup_key, message: accepted.data.message };
  }
}
