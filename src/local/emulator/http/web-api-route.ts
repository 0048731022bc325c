/** /api/<method>: tokens, faults (429 with Retry-After, forced errors), scope headers, the call log. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackEmulator } from '../emulator.js';
import { parseBody, readBody, sendJson } from '../http/body.js';
import { appTokenProblem } from '../socket-mode/index.js';
import type { Fault } from '../types.js';
import { acceptedScopes, Params, SlackApiError } from '../web-api/index.js';

export async function handleApi(
  slack: SlackEmulator,
  method: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req);
  const raw: Record<string, unknown> = Object.fromEntries(url.searchParams);
  Object.assign(raw, parseBody(body, req.headers['content-type']));
  const auth = req.headers.authorization;
  const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (raw.token as string | undefined);
  delete raw.token;
  const record = (status: number, ok: boolean, error?: string) =>
    slack.calls.push({ method, params: raw, at: Date.now(), status, ok, ...(error ? { error } : {}) });
  const headers = {
    'x-oauth-scopes': slack.manifest.scopes.join(','),
    'x-accepted-oauth-scopes': acceptedScopes(method).join(','),
  };
  if (!token) {
    record(200, false, 'not_authed');
    return sendJson(res, 200, { ok: false, error: 'not_authed' }, headers);
  }
  const tokenProblem = appTokenProblem(method, token, slack.appToken);
  if (tokenProblem) {
    record(200, false, tokenProblem);
    return sendJson(res, 200, { ok: false, error: tokenProblem }, headers);
  }
  if (method === 'apps.connections.open') return openSocketLink(slack, record, res, headers);
  const callerId = slack.tokens.get(token);
  const caller = callerId ? slack.workspace.users.get(callerId) : undefined;
  if (!caller) {
    record(200, false, 'invalid_auth');
    return sendJson(res, 200, { ok: false, error: 'invalid_auth' }, headers);
  }
  if (!slack.api.has(method)) {
    record(404, false, 'unknown_method');
    return sendJson(res, 404, { ok: false, error: 'unknown_method', req_method: method }, headers);
  }
  const fault = takeFault(slack.faults.get(method), raw.channel);
  if (fault?.kind === 'hang') await new Promise((resolve) => setTimeout(resolve, fault.ms));
  if (fault?.kind === 'ratelimit') {
    record(429, false, 'ratelimited');
    return sendJson(
      res,
      429,
      { ok: false, error: 'ratelimited' },
      {
        ...headers,
        'retry-after': String(fault.retryAfter),
      },
    );
  }
  if (fault?.kind === 'fail') {
    record(fault.status, false, fault.error);
    return sendJson(res, fault.status, { ok: false, error: fault.error }, headers);
  }
  try {
    const result = await slack.api.call(method, new Params(raw), caller);
    record(200, true);
    sendJson(res, 200, result, headers);
  } catch (error) {
    if (!(error instanceof SlackApiError)) throw error;
    record(200, false, error.code);
    sendJson(res, 200, { ok: false, error: error.code, ...error.extra }, headers);
  }
}

/** apps.connections.open (app-level token): a one-use Socket Mode link, after any injected fault. */
function openSocketLink(
  slack: SlackEmulator,
  record: (status: number, ok: boolean, error?: string) => void,
  res: ServerResponse,
  headers: Record<string, string>,
): void {
  const fault = slack.faults.get('apps.connections.open')?.shift();
  if (fault?.kind === 'ratelimit') {
    record(429, false, 'ratelimited');
    sendJson(
      res,
      429,
      { ok: false, error: 'ratelimited' },
      { ...headers, 'retry-after': String(fault.retryAfter) },
    );
    return;
  }
  if (fault?.kind === 'fail') {
    record(fault.status, false, fault.error);
    sendJson(res, fault.status, { ok: false, error: fault.error }, headers);
    return;
  }
  record(200, true);
  sendJson(res, 200, { ok: true, url: slack.socket.openLink() }, headers);
}

/** The first queued fault that applies to this call (a channel-scoped fault only to its channel). */
function takeFault(faults: Fault[] | undefined, channel: unknown): Fault | undefined {
  const index = faults?.findIndex((f) => f.channel === undefined || f.channel === channel) ?? -1;
  return index >= 0 ? faults!.splice(index, 1)[0] : undefined;
}
