/** /ui/events: server-sent workspace changes for the page. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackEmulator } from '../emulator.js';
import type { Change } from '../workspace.js';

export function handleEventStream(slack: SlackEmulator, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.write('retry: 1000\n\n');
  slack.sseClients.add(res);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  heartbeat.unref();
  req.on('close', () => {
    clearInterval(heartbeat);
    slack.sseClients.delete(res);
  });
}

export function broadcast(slack: SlackEmulator, change: Change): void {
  const line = `data: ${JSON.stringify(change)}\n\n`;
  for (const client of slack.sseClients) client.write(line);
}
