/**
 * One collector, 100,000 records: the `litellm` collector pages through a loopback fake of the
 * proxy's `/spend/logs/ui` (1,000 rows a page, each with a stored prompt and a tool call), writing
 * every page, its query and the agent events into a run folder, as a collection job does. Prints
 * records per second and the collecting process's peak RSS (the target: under 200 MB).
 *
 * The fake proxy and the collector each run in a process of their own; the collector's
 * (bench/workers/forensics.ts) runs on the dist/ build with plain `node`, as production runs.
 *
 *   npm run bench -- forensics [--records 100000] [--page 1000] [--node-flags '--max-old-space-size=96']
 */

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { productionWorker } from './support.js';
import type { ForensicsWorkerReport } from './workers/forensics.js';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const RECORDS = arg('records', 100_000);
const PAGE = arg('page', 1_000);
const PAGES = Math.ceil(RECORDS / PAGE);
const KEY = 'b'.repeat(64);
const flagsAt = process.argv.indexOf('--node-flags');
const NODE_FLAGS = flagsAt >= 0 ? (process.argv[flagsAt + 1] ?? '').split(' ').filter(Boolean) : [];

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
const worker = await productionWorker('forensics');
const proxy = spawn(process.execPath, ['-e', FAKE_PROXY], { stdio: ['pipe', 'pipe', 'inherit'] });
const port = await new Promise<string>((resolve) =>
  createInterface({ input: proxy.stdout! }).once('line', (line) => resolve(line.trim())),
);
const base = `http://127.0.0.1:${port}`;
const dir = await mkdtemp(join(tmpdir(), 'quell-bench-forensics-'));

try {
  const report = await new Promise<ForensicsWorkerReport>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...NODE_FLAGS, worker, base, KEY, String(RECORDS), String(PAGE), dir],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    let figures: ForensicsWorkerReport | undefined;
    child.on('message', (message) => {
      figures = message as ForensicsWorkerReport;
    });
    child.on('exit', (code) =>
      code === 0 && figures ? resolve(figures) : reject(new Error(`the collecting worker exited ${code}`)),
    );
  });
  if (report.error) throw new Error(`collection failed: ${report.error}`);
  const met = report.peakRssMb < 200;
  console.log(`forensics bench: litellm collector, ${report.records} records in ${PAGES} pages of ${PAGE}`);
  console.log(`  time            ${report.seconds.toFixed(2)} s`);
  console.log(`  records/s       ${Math.round(report.records / report.seconds)}`);
  console.log(
    `  written         ${(report.bytes / 1024 / 1024).toFixed(1)} MB raw, ${report.events} agent events`,
  );
  console.log(
    `  peak RSS        ${report.peakRssMb.toFixed(0)} MB (start ${report.rssBeforeMb.toFixed(0)} MB; target < 200 MB: ${met ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  collector       node ${[...NODE_FLAGS, worker].join(' ')} (dist/ build, no TypeScript loader; node flags: ${NODE_FLAGS.length ? NODE_FLAGS.join(' ') : 'none'}; V8 heap limit ${report.heapLimitMb.toFixed(0)} MB)`,
  );
  process.exitCode = met && report.records === RECORDS ? 0 : 1;
} finally {
  proxy.stdin!.end();
  proxy.kill();
  await rm(dir, { recursive: true, force: true });
}
