/**
 * One collector, 100,000 records: the `litellm` collector pages through a loopback fake of the
 * proxy's `/spend/logs/ui` (1,000 rows a page, each with a stored prompt and a tool call), writing
 * every page, its query and the agent events into a run folder, as a collection job does. Prints
 * records per second and this process's peak RSS (the target: under 200 MB).
 *
 *   npx tsx bench/forensics.ts [--records 100000] [--page 1000]
 */

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BUILT_IN_COLLECTORS, runCollector } from '../src/forensics/index.js';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const RECORDS = arg('records', 100_000);
const PAGE = arg('page', 1_000);
const PAGES = Math.ceil(RECORDS / PAGE);
const KEY = 'b'.repeat(64);

/**
 * The fake proxy runs in its own process (plain Node, no TypeScript), so the peak RSS printed is the
 * collecting process's alone.
 */
const FAKE_PROXY = `
const { createServer } = require('node:http');
const [RECORDS, PAGE, KEY] = [${RECORDS}, ${PAGE}, '${KEY}'];
const PAGES = Math.ceil(RECORDS / PAGE);
function row(n) {
  const at = new Date(Date.UTC(2026, 10, 21, 13, 0) + n * 30).toISOString();
  return { request_id: 'req-' + n, call_type: 'acompletion', api_key: KEY, spend: 0.0001, total_tokens: 180,
    startTime: at, endTime: at, model: 'gpt-4.1', session_id: 'sess-' + (n % 97),
    messages: [{ role: 'user', content: 'refund order A-' + n + ' for customer ' + n + '@example.com' }],
    response: { choices: [{ message: { tool_calls: [{ id: 'call-' + n, type: 'function',
      function: { name: 'issue_refund', arguments: '{"order":"A-' + n + '"}' } }] } }] } };
}
const server = createServer((req, res) => {
  const page = Number(new URL(req.url, 'http://x').searchParams.get('page') || '1');
  const start = (page - 1) * PAGE;
  const data = Array.from({ length: Math.max(0, Math.min(PAGE, RECORDS - start)) }, (_, i) => row(start + i));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ data, total: RECORDS, page, page_size: PAGE, total_pages: PAGES }));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.stdin.on('end', () => process.exit(0)).resume();
`;
const proxy = spawn(process.execPath, ['-e', FAKE_PROXY], { stdio: ['pipe', 'pipe', 'inherit'] });
const port = await new Promise<string>((resolve) =>
  createInterface({ input: proxy.stdout! }).once('line', (line) => resolve(line.trim())),
);
const base = `http://127.0.0.1:${port}`;
const dir = await mkdtemp(join(tmpdir(), 'quell-bench-forensics-'));

const collector = BUILT_IN_COLLECTORS.get('litellm')!;
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
try {
  const summary = await runCollector({
    resolved: {
      name: 'gateway',
      collector,
      settings: collector.settingsSchema.parse({ baseUrl: base, keyHash: KEY, pageSize: PAGE }),
      secrets: { masterKey: 'sk-bench-master' },
      auto: [],
      afterContainment: false,
      maxRecords: RECORDS + 1,
    },
    directory: dir,
    run: 'bench',
    trigger: 'command',
    window: { from: new Date('2026-11-21T13:00:00Z'), to: new Date('2026-11-21T15:00:00Z') },
    agent: { name: 'refund-bot' },
    timeoutMs: 30_000,
    now: () => new Date(),
  });
  const seconds = (performance.now() - started) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  if (summary.error) throw new Error(`collection failed: ${summary.error.message}`);
  console.log(`forensics bench: litellm collector, ${summary.records} records in ${PAGES} pages of ${PAGE}`);
  console.log(`  time            ${seconds.toFixed(2)} s`);
  console.log(`  records/s       ${Math.round(summary.records / seconds)}`);
  console.log(
    `  written         ${(summary.bytes / 1024 / 1024).toFixed(1)} MB raw, ${summary.events} agent events`,
  );
  console.log(
    `  peak RSS        ${peakMb.toFixed(0)} MB (start ${(rssBefore / 1024 / 1024).toFixed(0)} MB; target < 200 MB: ${peakMb < 200 ? 'met' : 'NOT met'})`,
  );
  process.exitCode = peakMb < 200 && summary.records === RECORDS ? 0 : 1;
} finally {
  proxy.stdin!.end();
  proxy.kill();
  await rm(dir, { recursive: true, force: true });
}
