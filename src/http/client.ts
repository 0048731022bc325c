import { request as httpsRequest } from 'node:https';
import type { z } from 'zod';
import { TargetError } from './target-error.js';

/**
 * The one small HTTP core that containment adapters and forensic collectors share, on the platform
 * fetch (which nock intercepts, unlike vendor SDK transports): per-attempt timeout, bounded retries
 * with exponential backoff for idempotent requests on 5xx / 429 / network errors / timeouts, the
 * vendors' rate-limit headers honoured (`Retry-After`; `X-Ratelimit-Reset` in epoch milliseconds
 * from LaunchDarkly, in epoch seconds from GitHub, whose primary limit answers 403 with
 * `x-ratelimit-remaining: 0`), other 4xx never retried, and every error text passed through the
 * run's redactor before anyone sees it. It lives outside both features so that a process that only
 * collects (or only contains) loads neither the other's code nor its vendor SDKs.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequestSpec {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON (content-type application/json unless a content-type header is given). */
  json?: unknown;
  /** Sent verbatim instead of `json` (e.g. a body that was signed byte for byte). */
  rawBody?: string;
  /** Only idempotent requests are retried. */
  idempotent: boolean;
  /** Non-2xx statuses that are an answer, not a failure (e.g. 404 when verifying a deletion). */
  acceptStatus?: readonly number[];
  /** PEM CA bundle to trust for this https request (private-CA Kubernetes clusters). */
  ca?: string;
}

export interface HttpResponse<T> {
  status: number;
  data: T;
}

export interface AttemptRecord {
  method: string;
  url: string;
  status?: number;
  error?: string;
  durationMs: number;
}

export interface HttpOptions {
  timeoutMs: number;
  /** Total attempts for an idempotent request, first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the failure is reported instead. */
  maxRetryAfterMs: number;
  redact: (text: string) => string;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_HTTP_OPTIONS: Omit<HttpOptions, 'redact'> = {
  timeoutMs: 10_000,
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 10_000,
};

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HttpClient {
  /** Every attempt made through this client, for the audit. */
  readonly attempts: AttemptRecord[] = [];

  constructor(private readonly options: HttpOptions) {}

  get lastStatus(): number | undefined {
    for (let i = this.attempts.length - 1; i >= 0; i--) {
      const status = this.attempts[i]!.status;
      if (status !== undefined) return status;
    }
    return undefined;
  }

  async request<T>(spec: HttpRequestSpec, schema: z.ZodType<T>): Promise<HttpResponse<T>> {
    const { maxAttempts, redact } = this.options;
    const attemptsAllowed = spec.idempotent ? Math.max(1, maxAttempts) : 1;
    let lastError: TargetError | undefined;
    for (let attempt = 1; attempt <= attemptsAllowed; attempt++) {
      const result = await this.attempt(spec);
      if (result.kind === 'response') {
        const { response, text } = result;
        if (response.ok || spec.acceptStatus?.includes(response.status)) {
          const body = parseBody(text);
          const parsed = schema.safeParse(body);
          if (!parsed.success)
            throw new TargetError(
              redact(
                `${spec.method} ${pathOf(spec.url)} answered ${response.status} with an unexpected body: ${summarizeIssues(parsed.error)}`,
              ),
              { status: response.status, retryable: false, attempts: attempt },
            );
          return { status: response.status, data: parsed.data };
        }
        // redacted before errorText shortens it: a secret cut in half would no longer be recognised
        const targetMessage = redact(errorText(text, redact) || response.statusText || 'no message');
        const rateLimited = isRateLimited(response.status, response.headers);
        const retryable = response.status >= 500 || rateLimited;
        lastError = new TargetError(
          `${spec.method} ${redact(pathOf(spec.url))} failed with HTTP ${response.status}: ${targetMessage}`,
          { status: response.status, retryable, attempts: attempt, targetMessage },
        );
        if (!retryable) throw lastError;
        const asked = rateLimitWait(response.headers);
        const wait = this.delayBefore(attempt, asked);
        if (wait === 'too-long') {
          throw new TargetError(
            `${lastError.message} (${
              response.headers.get('retry-after')
                ? `asked to retry after ${response.headers.get('retry-after')}`
                : `rate limited until ${new Date(Date.now() + (asked ?? 0)).toISOString()}`
            }; not waiting that long)`,
            { ...lastError.details },
          );
        }
        if (attempt < attemptsAllowed) await (this.options.sleep ?? sleepFor)(wait);
      } else {
        lastError = new TargetError(
          redact(
            `${spec.method} ${pathOf(spec.url)} ${result.timedOut ? `timed out after ${this.options.timeoutMs} ms` : `could not connect: ${result.message}`}`,
          ),
          { retryable: true, attempts: attempt, timedOut: result.timedOut },
        );
        if (attempt < attemptsAllowed)
          await (this.options.sleep ?? sleepFor)(this.delayBefore(attempt, undefined) as number);
      }
    }
    const error = lastError!;
    throw new TargetError(
      attemptsAllowed > 1 ? `${error.message} (gave up after ${attemptsAllowed} attempts)` : error.message,
      { ...error.details, attempts: attemptsAllowed },
    );
  }

  private async attempt(
    spec: HttpRequestSpec,
  ): Promise<
    | { kind: 'response'; response: Response; text: string }
    | { kind: 'error'; timedOut: boolean; message: string }
  > {
    const started = performance.now();
    const headers: Record<string, string> = { ...spec.headers };
    let body: string | undefined;
    if (spec.rawBody !== undefined) body = spec.rawBody;
    else if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
    }
    const record: AttemptRecord = { method: spec.method, url: this.options.redact(spec.url), durationMs: 0 };
    this.attempts.push(record);
    try {
      const signal = AbortSignal.timeout(this.options.timeoutMs);
      const response = spec.ca
        ? await fetchWithCa(spec.url, { method: spec.method, headers, body, signal, ca: spec.ca })
        : await fetch(spec.url, { method: spec.method, headers, body, signal, redirect: 'manual' });
      // the body is read under the same timeout: a target that stalls mid-body is a timeout too
      const text = await response.text();
      record.status = response.status;
      return { kind: 'response', response, text };
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
      const message = err.cause?.code ?? err.cause?.message ?? err.message;
      record.error = timedOut ? 'timeout' : this.options.redact(message);
      return { kind: 'error', timedOut, message };
    } finally {
      record.durationMs = Math.round(performance.now() - started);
    }
  }

  /** Exponential backoff with jitter, or the wait the target asked for when it gave one. */
  private delayBefore(attempt: number, asked: number | undefined): number | 'too-long' {
    const { baseDelayMs, maxDelayMs, maxRetryAfterMs } = this.options;
    if (asked !== undefined) return asked > maxRetryAfterMs ? 'too-long' : asked;
    const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
  }
}

/**
 * A 429, or GitHub's primary rate limit (403 with `x-ratelimit-remaining: 0`) and secondary one (403
 * with `retry-after`): https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 * ("Exceeding the rate limit"). Any other 403 is a refusal.
 */
function isRateLimited(status: number, headers: Headers): boolean {
  if (status === 429) return true;
  return (
    status === 403 && (headers.get('x-ratelimit-remaining') === '0' || headers.get('retry-after') !== null)
  );
}

/** How long the target asked us to wait: Retry-After first, then X-Ratelimit-Reset. */
export function rateLimitWait(headers: Headers, now = Date.now()): number | undefined {
  return (
    parseRetryAfter(headers.get('retry-after'), now) ??
    parseRateLimitReset(headers.get('x-ratelimit-reset'), now)
  );
}

/**
 * `X-Ratelimit-Reset` is an instant, in epoch milliseconds at LaunchDarkly
 * (https://launchdarkly.com/docs/api#rate-limiting) and in epoch seconds at GitHub; values past
 * 10^12 can only be milliseconds (10^12 seconds is the year 33658).
 */
export function parseRateLimitReset(value: string | null, now = Date.now()): number | undefined {
  if (!value || !/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  const at = n > 1e12 ? n : n * 1000;
  return Math.max(0, at - now);
}

/** fetch's answer shape over node:https, for a request that must trust a given CA bundle. */
function fetchWithCa(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal; ca: string },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: init.method, headers: init.headers, ca: init.ca, signal: init.signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          const status = res.statusCode ?? 500;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers }));
        });
      },
    );
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The target's own error message, from the shapes vendors use, kept short. */
export function errorText(text: string, redact: (text: string) => string = (t) => t): string {
  const body = parseBody(text);
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      return (
        pick(v.message) ??
        pick(v.error) ??
        pick(v.detail) ??
        pick(v.msg) ??
        (Array.isArray(v.details) ? pick(v.details[0]) : undefined)
      );
    }
    return undefined;
  };
  const message = redact(pick(body) ?? '');
  return message.length > 300 ? `${message.slice(0, 299)}…` : message;
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return url;
  }
}

function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}
