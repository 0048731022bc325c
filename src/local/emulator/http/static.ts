/** / and /assets/*: the page's files. */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SlackEmulator } from '../emulator.js';

const PAGE_DIR = fileURLToPath(new URL('../../page/', import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export async function handleStatic(_slack: SlackEmulator, path: string, res: ServerResponse): Promise<void> {
  const file = path.startsWith('/assets/') ? path.slice(8) : 'index.html';
  if (!/^[\w.-]+$/.test(file)) {
    res.writeHead(404);
    res.end();
    return;
  }
  try {
    const content = await readFile(`${PAGE_DIR}${file}`);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(content);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
}
