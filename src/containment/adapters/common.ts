import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import type { PlannedRequest } from '../contract.js';

/** A base URL without a trailing slash, so paths join cleanly. */
export const baseUrl = (fallback?: string) => {
  const url = z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, ''));
  return fallback ? url.default(fallback) : url;
};

/** `base` + encoded path segments: `/` inside a segment never changes the path. */
export function joinUrl(base: string, ...segments: string[]): string {
  return `${base}/${segments.map((s) => (s.startsWith('/') ? s.slice(1) : s)).join('/')}`;
}

export const seg = (value: string) => encodeURIComponent(value);

/** What a request looks like in a plan (and, redacted, in the audit). */
export function toPlanned(spec: HttpRequestSpec): PlannedRequest {
  const headers = { ...spec.headers };
  if (spec.json !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  const planned: PlannedRequest = { method: spec.method, url: spec.url };
  if (Object.keys(headers).length) planned.headers = headers;
  if (spec.json !== undefined) planned.body = spec.json;
  else if (spec.rawBody !== undefined) planned.body = spec.rawBody;
  return planned;
}

/** Any JSON body; used where only the status matters. */
export const anyBody = z.unknown();

export const nonEmpty = z.string().trim().min(1);

/** A prior state read from the target (see contract.ts, PriorState). */
export function knownState(summary: string, value: Record<string, unknown>) {
  return { known: true, summary, value };
}

/** "in force by": an ISO instant `seconds` after `from`. */
export function isoAfter(from: string | Date, seconds: number): string {
  return new Date(new Date(from).getTime() + seconds * 1000).toISOString();
}
