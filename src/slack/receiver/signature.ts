import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's v0 request signature, checked the way Slack's docs say and Bolt does not quite: the
 * timestamp may differ from now by at most 5 minutes in EITHER direction (Bolt only refuses old
 * ones, so a request signed for 10 minutes ahead would pass and could be replayed for 15).
 */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function checkSlackSignature(input: {
  signingSecret: string;
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs: number;
}): SignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'missing or malformed timestamp' };
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature))
    return { ok: false, reason: 'missing or malformed signature' };
  const skew = Math.abs(Math.floor(input.nowMs / 1000) - Number(timestamp));
  if (skew > SIGNATURE_WINDOW_SECONDS)
    return { ok: false, reason: `timestamp ${skew}s away from now (more than ${SIGNATURE_WINDOW_SECONDS}s)` };
  const expected = `v0=${createHmac('sha256', input.signingSecret).update(`v0:${timestamp}:${input.rawBody}`).digest('hex')}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
