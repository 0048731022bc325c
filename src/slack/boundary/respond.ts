import type { RespondFn } from '@slack/bolt';

/** A response_url answer gives up after this long (Slack's hook either answers fast or not at all). */
const RESPOND_TIMEOUT_MS = 10_000;

/**
 * Bolt's `respond` rebuilt from a stored response_url, for a request resumed by another process.
 * A refusal (an expired url, HTTP 404) throws, so the reply policy falls back to an ephemeral or DM.
 */
export function respondVia(responseUrl: string | undefined): RespondFn | undefined {
  if (!responseUrl) return undefined;
  return (async (message: unknown) => {
    const body = typeof message === 'string' ? { text: message } : message;
    const response = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(RESPOND_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
    return response;
  }) as RespondFn;
}
