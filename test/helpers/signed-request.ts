import { createHmac } from 'node:crypto';

/** Slack's v0 request signature: HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export interface SlackDelivery {
  status: number;
  body: string;
  json(): unknown;
}

/** POSTs a body to the receiver as Slack does: form-encoded or JSON, signed, timestamped now. */
export async function deliverToQuell(
  url: string,
  rawBody: string,
  options: {
    signingSecret: string;
    contentType?: string;
    timestamp?: number;
    signature?: string;
    retryNum?: number;
  },
): Promise<SlackDelivery> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(options.signingSecret, timestamp, rawBody),
      ...(options.retryNum
        ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
        : {}),
    },
    body: rawBody,
  });
  const body = await response.text();
  return { status: response.status, body, json: () => JSON.parse(body) };
}

/** A slash command body with the fields Slack sends. */
export function slashCommandBody(fields: {
  text: string;
  userId?: string;
  channelId?: string;
  triggerId?: string;
  command?: string;
  responseUrl?: string;
}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0QUELL',
    team_domain: 'quell-test',
    channel_id: fields.channelId ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: fields.userId ?? 'U0ALICE',
    user_name: 'alice',
    command: fields.command ?? '/incident',
    text: fields.text,
    api_app_id: 'A0QUELL',
    is_enterprise_install: 'false',
    response_url: fields.responseUrl ?? 'https://hooks.slack.com/commands/T0QUELL/1/abc',
    trigger_id: fields.triggerId ?? `${Date.now()}.${Math.floor(Math.random() * 1e9)}.abcdef`,
  }).toString();
}

/** An interactive payload (block_actions, view_submission, message_action) as a form field. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
