import { createHmac } from 'node:crypto';

/** Slack's v0 request signature: HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret. */
export function signature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export interface DeliveryResult {
  /** HTTP status from the app; 0 when the request never got an answer. */
  status: number;
  /** The raw response body (the ack's payload). */
  body: string;
  /** Slack's failure code when the app did not answer in time or at all. */
  error?: 'dispatch_failed' | 'operation_timeout';
  /** The body as JSON, when it is JSON. */
  json?: Record<string, unknown>;
}

/**
 * POSTs a request to the app exactly as Slack does: signed with X-Slack-Signature and
 * X-Slack-Request-Timestamp, form-encoded (commands, interactions) or JSON (events); waits up to
 * Slack's 3 seconds for the acknowledgement.
 */
export async function deliver(
  url: string | undefined,
  rawBody: string,
  options: { signingSecret: string; contentType: string; timeoutMs: number; retryNum?: number },
): Promise<DeliveryResult> {
  if (!url) return { status: 0, body: '', error: 'dispatch_failed' };
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': options.contentType,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature(options.signingSecret, timestamp, rawBody),
        ...(options.retryNum
          ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
          : {}),
      },
      body: rawBody,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const body = await response.text();
    let json: Record<string, unknown> | undefined;
    if (body.trim().startsWith('{')) {
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
    }
    if (response.status !== 200) return { status: response.status, body, json, error: 'dispatch_failed' };
    return { status: response.status, body, json };
  } catch (error) {
    const name = (error as Error).name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    return { status: 0, body: '', error: timedOut ? 'operation_timeout' : 'dispatch_failed' };
  }
}
