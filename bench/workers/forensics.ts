/**
 * The collecting worker of `npm run bench -- forensics`: runs the `litellm` collector against the
 * fake proxy into a run folder, as a collection job does, and sends its figures to the parent over
 * the IPC channel. Run from the dist/ build by bench/forensics.ts (see productionWorker).
 *
 *   node dist/bench-workers/forensics.js <proxy-url> <key-hash> <records> <page-size> <directory>
 */
import { getHeapStatistics } from 'node:v8';
import { BUILT_IN_COLLECTORS, runCollector } from '../../src/forensics/index.js';

export interface ForensicsWorkerReport {
  records: number;
  events: number;
  bytes: number;
  seconds: number;
  rssBeforeMb: number;
  peakRssMb: number;
  heapLimitMb: number;
  error?: string;
}

async function main(args: string[]): Promise<ForensicsWorkerReport> {
  const [base, keyHash, records, pageSize, directory] = args as [string, string, string, string, string];
  const collector = BUILT_IN_COLLECTORS.get('litellm')!;
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const summary = await runCollector({
    resolved: {
      name: 'gateway',
      collector,
      settings: collector.settingsSchema.parse({ baseUrl: base, keyHash, pageSize: Number(pageSize) }),
      secrets: { masterKey: 'sk-bench-master' },
      auto: [],
      afterContainment: false,
      maxRecords: Number(records) + 1,
    },
    directory,
    run: 'bench',
    trigger: 'command',
    window: { from: new Date('2026-11-21T13:00:00Z'), to: new Date('2026-11-21T15:00:00Z') },
    agent: { name: 'refund-bot' },
    timeoutMs: 30_000,
    now: () => new Date(),
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    records: summary.records,
    events: summary.events,
    bytes: summary.bytes,
    seconds,
    rssBeforeMb: rssBefore / 1024 / 1024,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapLimitMb: getHeapStatistics().heap_size_limit / 1024 / 1024,
    ...(summary.error ? { error: summary.error.message } : {}),
  };
}

main(process.argv.slice(2)).then(
  (report) =>
    new Promise<void>((resolve, reject) =>
      process.send
        ? process.send(report, (error: Error | null) => (error ? reject(error) : resolve()))
        : reject(new Error('run me from bench/forensics.ts (no IPC channel)')),
    ).then(() => process.exit(0)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
