/** /upload/v1/<file> (upload v2's upload URLs) and /files/<id>/<name> (downloads). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackEmulator } from '../emulator.js';
import { extractUpload, readBody } from '../http/body.js';

export async function handleUpload(
  slack: SlackEmulator,
  fileId: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req);
  const file = slack.workspace.files.get(fileId);
  if (!file || file.uploaded) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('file_not_found');
    return;
  }
  file.content = extractUpload(body, req.headers['content-type']);
  file.length = file.content.length;
  file.uploaded = true;
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`OK - ${file.content.length}`);
}

export function handleFile(slack: SlackEmulator, path: string, url: URL, res: ServerResponse): void {
  const id = path.split('/')[2] ?? '';
  const file = slack.workspace.files.get(id);
  if (!file?.content) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('file_not_found');
    return;
  }
  res.writeHead(200, {
    'content-type': file.mimetype,
    'content-length': file.content.length,
    ...(url.searchParams.has('download')
      ? { 'content-disposition': `attachment; filename="${file.name.replace(/"/g, '')}"` }
      : {}),
  });
  res.end(file.content);
}
