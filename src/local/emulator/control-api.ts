/** /_control/*: faults and figures for other processes (benchmarks, the page). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackEmulator } from './emulator.js';
import { parseBody, readBody, sendJson } from './http/body.js';
import type { Json } from './workspace.js';

export async function handleControl(
  slack: SlackEmulator,
  action: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const input = (parseBody(await readBody(req), req.headers['content-type']) ?? {}) as Json;
  switch (action) {
    case 'calls':
      return sendJson(res, 200, { ok: true, counts: slack.callCounts(), calls: slack.calls });
    case 'reset-calls':
      slack.resetCalls();
      return sendJson(res, 200, { ok: true });
    case 'rate-limit':
      slack.rateLimit(String(input.method), {
        times: Number(input.times ?? 1),
        retryAfter: Number(input.retryAfter ?? 1),
        ...(input.channel ? { channel: String(input.channel) } : {}),
      });
      return sendJson(res, 200, { ok: true });
    case 'hang':
      slack.hang(String(input.method), {
        times: Number(input.times ?? 1),
        ms: Number(input.ms ?? 60_000),
        ...(input.channel ? { channel: String(input.channel) } : {}),
      });
      return sendJson(res, 200, { ok: true });
    case 'fail':
      slack.failNext(String(input.method), String(input.error), { times: Number(input.times ?? 1) });
      return sendJson(res, 200, { ok: true });
    case 'clear-faults':
      slack.clearFaults();
      return sendJson(res, 200, { ok: true });
    case 'events':
      return sendJson(res, 200, { ok: true, events: slack.events });
    case 'state':
      return sendJson(res, 200, { ok: true, state: slack.workspace.snapshot() });
    default:
      return sendJson(res, 404, { ok: false, error: 'unknown_control' });
  }
}
