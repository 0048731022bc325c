import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertSourceConfig } from './config.js';

/**
 * Who sent an alert, per source, chosen to fit what the sender can do:
 * - `bearer`: Alertmanager's `http_config` sends `Authorization: Bearer <token>` (`authorization`,
 *   `bearer_token`), or Basic (`basic_auth`, the token as password); nothing signs the body, so
 *   replays are refused later by fingerprint and startsAt (service.ts).
 * - `hmac`: the sender signs `v0:<timestamp>:<raw body>` with HMAC-SHA256 and sends
 *   `X-Quell-Signature: v0=<hex>` and `X-Quell-Request-Timestamp: <unix seconds>`, as Slack signs its
 *   requests; a timestamp outside the window either way is stale, and a signature seen before is a
 *   replay (the caller remembers signatures).
 * Comparisons are constant-time; reasons never contain the secret or what was sent.
 */

export const SIGNATURE_HEADER = 'x-quell-signature';
export const TIMESTAMP_HEADER = 'x-quell-request-timestamp';

export type AuthVerdict =
  | { ok: true /** hmac: the signature, remembered to refuse its replay. */; signature?: string }
  | { ok: false; reason: string };

export interface AuthInput {
  source: AlertSourceConfig;
  secret: string;
  header(name: string): string | undefined;
  query: URLSearchParams;
  rawBody: Buffer;
  nowMs: number;
  signatureWindowMs: number;
}

export function authenticate(input: AuthInput): AuthVerdict {
  return input.source.auth === 'bearer' ? bearer(input) : hmac(input);
}

function bearer({ source, secret, header, query }: AuthInput): AuthVerdict {
  const authorization = header('authorization');
  let presented: string | undefined;
  if (authorization) {
    const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
    if (/^bearer$/i.test(scheme ?? '')) presented = value;
    else if (/^basic$/i.test(scheme ?? '')) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      presented = colon === -1 ? undefined : decoded.slice(colon + 1);
    } else return { ok: false, reason: 'the Authorization scheme must be Bearer or Basic' };
  } else if (source.queryToken) presented = query.get('token') ?? undefined;
  if (!presented)
    return {
      ok: false,
      reason: source.queryToken
        ? 'no credentials: send Authorization: Bearer <token> or ?token=<token>'
        : 'no credentials: send Authorization: Bearer <token>',
    };
  return sameSecret(presented, secret)
    ? { ok: true }
    : { ok: false, reason: 'the token is not valid for this source' };
}

function hmac({ secret, header, rawBody, nowMs, signatureWindowMs }: AuthInput): AuthVerdict {
  const timestamp = header(TIMESTAMP_HEADER);
  const signature = header(SIGNATURE_HEADER);
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: `missing or malformed ${TIMESTAMP_HEADER} (unix seconds)` };
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature))
    return { ok: false, reason: `missing or malformed ${SIGNATURE_HEADER} (v0=<hex HMAC-SHA256>)` };
  const skewSeconds = Math.abs(Math.floor(nowMs / 1000) - Number(timestamp));
  if (skewSeconds * 1000 > signatureWindowMs)
    return {
      ok: false,
      reason: `stale: the timestamp is ${skewSeconds}s from now (at most ${Math.floor(signatureWindowMs / 1000)}s)`,
    };
  const expected = signBody(secret, timestamp, rawBody);
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    return { ok: false, reason: 'the signature does not match' };
  return { ok: true, signature };
}

/** `v0=<hex HMAC-SHA256(secret, "v0:<timestamp>:<body>")>`: what a signing sender sends. */
export function signBody(secret: string, timestamp: string, body: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${timestamp}:`);
  mac.update(body);
  return `v0=${mac.digest('hex')}`;
}

/** Constant-time equality of two secrets of any length (hashed first, so lengths leak nothing). */
function sameSecret(presented: string, secret: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}
