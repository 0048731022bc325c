/**
 * Socket Mode's wire shapes, as Slack sends and reads them (docs.slack.dev/apis/events-api/using-socket-mode,
 * checked against @slack/socket-mode's SocketModeClient): every delivery is an envelope with an
 * `envelope_id`; the app acknowledges with `{ envelope_id, payload? }` and the payload, when a
 * surface takes one, is the same answer an HTTP app puts in its response body.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DeliveryResult } from '../delivery.js';
import type { Json } from '../workspace.js';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Json;
  /** True where Slack reads an answer from the ack: slash commands, view submissions, options. */
  accepts_response_payload: boolean;
  /** 0 on the first delivery, then 1, 2, 3 on redeliveries. */
  retry_attempt: number;
  /** Empty on the first delivery; `timeout` (no ack in time) or `connection_closed` after. */
  retry_reason: string;
}

/** Slack redelivers an unacknowledged envelope this many times, then gives up. */
export const MAX_REDELIVERIES = 3;

export function newEnvelope(type: EnvelopeType, payload: Json): Envelope {
  return {
    envelope_id: randomUUID(),
    type,
    payload,
    accepts_response_payload: acceptsResponsePayload(type, payload),
    retry_attempt: 0,
    retry_reason: '',
  };
}

function acceptsResponsePayload(type: EnvelopeType, payload: Json): boolean {
  if (type === 'slash_commands') return true;
  if (type === 'interactive')
    return payload.type === 'view_submission' || payload.type === 'block_suggestion';
  return false;
}

/** What the app sends back: the envelope id, and the answer (Bolt sends `{}` for a bare `ack()`). */
const ackSchema = z.object({
  envelope_id: z.string().min(1),
  payload: z.record(z.string(), z.unknown()).optional(),
});
export type Ack = z.infer<typeof ackSchema>;

export function parseAck(data: string): Ack | undefined {
  try {
    const parsed = ackSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The ack as the emulator's interactions read an HTTP answer: an empty payload is an empty body. */
export function ackResult(ack: Ack): DeliveryResult {
  const payload = ack.payload ?? {};
  if (Object.keys(payload).length === 0) return { status: 200, body: '' };
  return { status: 200, body: JSON.stringify(payload), json: payload };
}

export function helloMessage(appId: string, connections: number): Json {
  return {
    type: 'hello',
    num_connections: connections,
    debug_info: { host: 'applink-local', build_number: 1, approximate_connection_time: 3600 },
    connection_info: { app_id: appId },
  };
}

/** `refresh_requested`: Slack is about to recycle the connection; the client opens a new one. */
export function disconnectMessage(reason: 'refresh_requested' | 'warning' | 'link_disabled'): Json {
  return { type: 'disconnect', reason, debug_info: { host: 'applink-local' } };
}
