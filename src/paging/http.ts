import { RetryLaterError, UnrecoverableError } from '../jobs/index.js';

/**
 * One HTTP attempt for the pager adapters, on the platform fetch (which nock intercepts): a timeout,
 * the answer's status sorted into "retry later" (429, 5xx, network, timeout; honouring Retry-After)
 * or "refused" (other 4xx), and every error text scrubbed of the secret it was sent with. Retrying
 * is the job runtime's (durable backoff across restarts), not this module's.
 */

/** The vendor refused the request for good (a bad key, an invalid event): retrying cannot help. */
export class PagerRefusedError extends UnrecoverableError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'PagerRefusedError';
  }
}

export interface PagerRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Removed from any error text (the routing key, the API key). */
  secret: string;
  /** "PagerDuty" in messages. */
  vendor: string;
}

export interface PagerResponse {
  status: number;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  json: unknown;
}

const MAX_RETRY_AFTER_MS = 5 * 60_000;

export async function pagerRequest(request: PagerRequest): Promise<PagerResponse> {
  const scrub = (text: string) => (request.secret ? text.split(request.secret).join('[redacted]') : text);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal,
    });
  } catch (error) {
    const why = timeout.aborted ? `no answer within ${request.timeoutMs} ms` : (error as Error).message;
    throw new RetryLaterError(scrub(`${request.vendor} could not be reached: ${why}`));
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  if (response.ok) return { status: response.status, json };
  const said = scrub(describeBody(json, text));
  if (response.status === 429 || response.status >= 500)
    throw new RetryLaterError(
      `${request.vendor} answered ${response.status}${said ? `: ${said}` : ''}`,
      retryAfterMs(response.headers.get('retry-after')),
    );
  throw new PagerRefusedError(
    `${request.vendor} refused the request (${response.status})${said ? `: ${said}` : ''}`,
    response.status,
  );
}

/** `message` and `errors` of a JSON error body, else the first 200 characters of the text. */
function describeBody(json: unknown, text: string): string {
  if (json && typeof json === 'object') {
    const { message, errors } = json as { message?: unknown; errors?: unknown };
    const detail = Array.isArray(errors)
      ? errors.map(String).join('; ')
      : errors && typeof errors === 'object'
        ? Object.values(errors).map(String).join('; ')
        : '';
    const parts = [typeof message === 'string' ? message : '', detail].filter(Boolean);
    if (parts.length) return parts.join(': ').slice(0, 300);
  }
  return text.trim().slice(0, 200);
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - Date.now()), MAX_RETRY_AFTER_MS);
}
