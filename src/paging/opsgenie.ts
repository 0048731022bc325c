import { z } from 'zod';
import type { Severity } from '../incidents/model.js';
import { PagerRefusedError, pagerRequest } from './http.js';
import type { Page, PageReceipt, Pager } from './model.js';

/**
 * Opsgenie's Alert API: one alert per incident, its `alias` the dedup key.
 *
 * Follows the Alert API reference (https://docs.opsgenie.com/docs/alert-api): create is
 * `POST /v2/alerts` with `Authorization: GenieKey <API integration key>` and a JSON body of
 * `message` (≤ 130 characters), `alias` (≤ 512, "the key element of alert de-duplication"),
 * `description` (≤ 15,000), `responders` (`{type, name}`), `tags`, `details` (string map), `entity`,
 * `source` (≤ 100) and `priority` P1–P5; acknowledge and close are
 * `POST /v2/alerts/<alias>/acknowledge|close?identifierType=alias` with `source` and `note`. Every
 * one of them is processed asynchronously: the answer is 202 `{result: "Request will be processed",
 * took, requestId}`. 4xx (401 bad key, 422 invalid body) are permanent; 429 and 5xx are retried.
 *
 * Why Opsgenie's API and not Jira Service Management Operations': Opsgenie's sale ended on
 * 4 June 2025 and its REST API is announced to stop on 5 April 2027, but this API is the one every
 * existing Opsgenie integration key works with today, and sites migrated to JSM keep it for their
 * API integrations at `https://api.atlassian.com/jsm/ops/integration` (same paths, same GenieKey
 * header), which `paging.pagers.<name>.url` can name. JSM's own REST API
 * (`/jsm/ops/api/{cloudId}/v1/alerts`) addresses alerts by id only, not by alias
 * (https://jira.atlassian.com/browse/JSDCLOUD-14179), so it could not close the page from the
 * incident alone without storing a vendor id first.
 */
export const OPSGENIE_PRIORITY: Record<Severity, 'P1' | 'P2' | 'P3' | 'P4'> = {
  sev1: 'P1',
  sev2: 'P2',
  sev3: 'P3',
  sev4: 'P4',
};

const MESSAGE_LIMIT = 130;
const ALIAS_LIMIT = 512;
const DESCRIPTION_LIMIT = 15_000;
const SOURCE = 'Quell';

const acceptedSchema = z.object({
  result: z.string(),
  took: z.number().optional(),
  requestId: z.string(),
});

export interface OpsgenieOptions {
  name: string;
  apiKey: string;
  /** `https://api.opsgenie.com`, `https://api.eu.opsgenie.com`, or JSM's integration base. */
  url: string;
  responders: readonly { type: 'team' | 'user' | 'escalation' | 'schedule'; name: string }[];
  timeoutMs: number;
}

export class OpsgenieAlerts implements Pager {
  readonly kind = 'opsgenie' as const;
  readonly name: string;

  constructor(private readonly options: OpsgenieOptions) {
    this.name = options.name;
  }

  /** The documented path and body for a page. */
  request(page: Page): { path: string; body: Record<string, unknown> } {
    const alias = page.dedupKey.slice(0, ALIAS_LIMIT);
    if (page.action !== 'trigger') {
      const verb = page.action === 'resolve' ? 'close' : 'acknowledge';
      return {
        path: `/v2/alerts/${encodeURIComponent(alias)}/${verb}?identifierType=alias`,
        body: { source: SOURCE, ...(page.note ? { note: page.note } : {}) },
      };
    }
    const description = [
      page.summary,
      ...(page.link ? [`${page.link.text}: ${page.link.href}`] : []),
      ...Object.entries(page.details).map(([key, value]) => `${key}: ${value}`),
    ].join('\n');
    return {
      path: '/v2/alerts',
      body: {
        message: truncate(page.summary, MESSAGE_LIMIT),
        alias,
        description: truncate(description, DESCRIPTION_LIMIT),
        ...(this.options.responders.length
          ? { responders: this.options.responders.map((r) => ({ type: r.type, name: r.name })) }
          : {}),
        tags: ['quell', page.severity],
        details: { ...page.details, ...(page.link ? { channel: page.link.href } : {}) },
        ...(page.details.agent ? { entity: page.details.agent } : {}),
        source: SOURCE,
        priority: OPSGENIE_PRIORITY[page.severity],
      },
    };
  }

  async send(page: Page, signal?: AbortSignal): Promise<PageReceipt> {
    const { path, body } = this.request(page);
    const { json } = await pagerRequest({
      method: 'POST',
      url: `${this.options.url.replace(/\/+$/, '')}${path}`,
      headers: {
        'content-type': 'application/json',
        authorization: `GenieKey ${this.options.apiKey}`,
      },
      body,
      timeoutMs: this.options.timeoutMs,
      ...(signal ? { signal } : {}),
      secret: this.options.apiKey,
      vendor: 'Opsgenie',
    });
    const accepted = acceptedSchema.safeParse(json);
    if (!accepted.success)
      throw new PagerRefusedError(
        'Opsgenie accepted the request but its answer is not the documented one',
        202,
      );
    return { reference: accepted.data.requestId, message: accepted.data.result };
  }
}

/** Cut to `limit` characters with an ellipsis (Opsgenie truncates silently; Quell says it did). */
function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
