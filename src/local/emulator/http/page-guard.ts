/**
 * The local workspace is for the person at this machine. A page on another origin must not drive
 * it (an `<img src>` GET or a no-cors form POST to /ui/api/send would run `/incident declare` as
 * Alice), and a DNS-rebinding name that resolves to 127.0.0.1 must not reach it either. So:
 * - every request must name this machine in `Host` (127.0.0.1, localhost, [::1]);
 * - a request that carries an `Origin` must come from this same host and port;
 * - every state-changing page call must be a JSON POST with this run's page token in
 *   `x-quell-page-token` (a cross-site request cannot set that header, nor read the token, which
 *   only the same-origin `/ui/api/workspace` answer carries).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const PAGE_TOKEN_HEADER = 'x-quell-page-token';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Page routes that only read; every other page route changes something. */
export const READ_ONLY_PAGE_ROUTES = new Set(['workspace', 'channel', 'thread', 'views']);

/** Why the request may not reach the emulator at all, or undefined. */
export function foreignRequest(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (!host) return 'no Host header';
  const hostname = hostnameOf(host);
  if (!hostname || !LOOPBACK_HOSTS.has(hostname)) return `Host ${host} is not this machine`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== host) return `Origin ${origin} is not this page`;
  }
  return undefined;
}

/** Why a page API call may not change anything, or undefined when it may. */
export function unauthorizedPageCall(req: IncomingMessage, route: string, token: string): string | undefined {
  if (READ_ONLY_PAGE_ROUTES.has(route)) return undefined;
  if (req.method !== 'POST') return `${route} changes state: POST it`;
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    return `${route} takes JSON only`;
  const given = req.headers[PAGE_TOKEN_HEADER];
  if (typeof given !== 'string' || !sameText(given, token)) return 'missing or wrong page token';
  return undefined;
}

/** A fresh token per emulator run. */
export function newPageToken(): string {
  return randomBytes(24).toString('hex');
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const tokens = new WeakMap<object, string>();

/** This emulator run's page token (made on first use, kept for the emulator's life). */
export function pageTokenOf(emulator: object): string {
  let token = tokens.get(emulator);
  if (!token) {
    token = newPageToken();
    tokens.set(emulator, token);
  }
  return token;
}
