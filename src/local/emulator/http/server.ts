/** The emulator's HTTP routes: which path goes to which part of the local Slack. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleControl } from '../control-api.js';
import type { SlackEmulator } from '../emulator.js';
import { handlePageApi } from '../page-api.js';
import { handleResponseUrl } from '../response-urls.js';
import { sendJson } from './body.js';
import { handleEventStream } from './event-stream.js';
import { handleFile, handleUpload } from './files.js';
import { foreignRequest } from './page-guard.js';
import { handleStatic } from './static.js';
import { handleApi } from './web-api-route.js';

export async function route(slack: SlackEmulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  // this machine only: no other Host (DNS rebinding), no other page's Origin (page-guard.ts)
  const foreign = foreignRequest(req);
  if (foreign) return sendJson(res, 403, { ok: false, error: 'forbidden', detail: foreign });
  if (path.startsWith('/api/')) return handleApi(slack, path.slice(5), url, req, res);
  if (path.startsWith('/response/')) return handleResponseUrl(slack, path.slice(10), req, res);
  if (path.startsWith('/upload/v1/')) return handleUpload(slack, path.slice(11), req, res);
  if (path.startsWith('/files/')) return handleFile(slack, path, url, res);
  if (path.startsWith('/_control/')) return handleControl(slack, path.slice(10), req, res);
  if (path === '/ui/events') return handleEventStream(slack, req, res);
  if (path.startsWith('/ui/api/')) return handlePageApi(slack, path.slice(8), url, req, res);
  return handleStatic(slack, path, res);
}
