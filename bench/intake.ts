/**
 * bench/intake: 1,000 alerts per second for 10 s against one Quell (HTTP receiver, the local Slack
 * emulator, a private redis-server), 10 fingerprints. Prints the accept latency (request sent →
 * 202) p50/p99 overall and per second sent, the incidents created (must equal the distinct
 * fingerprints), the fires the cards counted, and errors (must be 0). The load comes from a child process, paced in 10 ms slots (at
 * most 256 requests in flight), bounded in count and time; everything is on loopback.
 *
 *   npx tsx bench/intake.ts [rate=1000] [seconds=10] [fingerprints=10]   (or: npm run bench -- intake)
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { parseConfigText } from '../src/config/load.js';
import { startLocalQuell } from '../src/local/harness.js';
import { createLogger } from '../src/logging/logger.js';
import { startPrivateRedis } from '../src/redis/private-server.js';
import { ms, summarize } from './support.js';

const rate = Number(process.argv[2] ?? 1_000);
const seconds = Number(process.argv[3] ?? 10);
const fingerprints = Number(process.argv[4] ?? 10);
const TOKEN = 'bench-intake-token';
const SLOT_MS = 10;
const MAX_IN_FLIGHT = 256;

const CONFIG = `
intake:
  sources:
    monitor: { format: generic, auth: bearer, secretEnv: QUELL_MONITOR_TOKEN }
  rules:
    - id: bench
      match: { kind: bench }
      severity: sev2
      title: "Bench {{ fingerprint }}"
`;

interface LoadResult {
  latencies: number[];
  /** When each accepted alert was sent (ms after the start), beside its latency. */
  sentAt: number[];
  errors: number;
  sendSeconds: number;
}

/** Child: offers `rate` alerts per second for `seconds` (10 ms slots, at most 256 in flight) and prints the figures as JSON. */
async function generate(url: string): Promise<void> {
  const latencies: number[] = [];
  const sentAt: number[] = [];
  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  const total = rate * seconds;
  const perSlot = Math.max(1, Math.round((rate * SLOT_MS) / 1000));
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const one = async (i: number) => {
    const t0 = performance.now();
    inFlight++;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          fingerprint: `bench-${i % fingerprints}`,
          summary: `bench alert ${i}`,
          labels: { kind: 'bench' },
        }),
      });
      await res.arrayBuffer();
      if (res.status === 202) {
        latencies.push(performance.now() - t0);
        sentAt.push(t0 - started);
      } else errors++;
    } catch {
      errors++;
    } finally {
      inFlight--;
    }
  };
  for (let slot = 0; sent < total; slot++) {
    const wait = started + slot * SLOT_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    for (let k = 0; k < perSlot && sent < total && inFlight < MAX_IN_FLIGHT; k++) pending.push(one(sent++));
  }
  await Promise.all(pending);
  const result: LoadResult = { latencies, sentAt, errors, sendSeconds: (performance.now() - started) / 1000 };
  process.stdout.write(JSON.stringify(result));
}

function runLoad(url: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/intake.ts',
        String(rate),
        String(seconds),
        String(fingerprints),
        '--load',
        url,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as LoadResult)
        : reject(new Error(`load generator exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const server = await startPrivateRedis();
  const redis = new Redis(server.url);
  const local = await startLocalQuell({
    config: parseConfigText(CONFIG, 'bench'),
    redis,
    logger: createLogger('silent'),
    secrets: { QUELL_MONITOR_TOKEN: TOKEN },
  });
  const url = `http://127.0.0.1:${local.runtime.port}/api/alerts/monitor`;
  // the load runs in its own process, so Quell's event loop is Quell's alone
  const load = await runLoad(url);
  const { latencies, errors, sendSeconds } = load;
  const started = performance.now() - sendSeconds * 1000;

  // every accepted alert is a job: wait until the fires are all counted, then count incidents
  const { store } = local.runtime.services;
  const prefix = local.config.redis.keyPrefix;
  const deadline = Date.now() + 120_000;
  let counted = 0;
  let incidents = 0;
  for (;;) {
    counted = 0;
    for (let f = 0; f < fingerprints; f++)
      counted += Number((await redis.hget(`${prefix}:intake:{monitor/bench-${f}}`, 'count')) ?? 0);
    incidents = (await store.listActive()).filter((i) => i.title.startsWith('Bench bench-')).length;
    if ((counted >= latencies.length && incidents >= fingerprints) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const processedSeconds = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  console.log(
    `intake: ${rate * seconds} alerts offered at ${rate}/s for ${seconds} s (${fingerprints} fingerprints)`,
  );
  console.log(`  sent in ${sendSeconds.toFixed(1)} s; all processed after ${processedSeconds.toFixed(1)} s`);
  console.log(`  accept latency  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  (${s.n} accepted)`);
  // where the tail is: the first second (the sender opening its connections, the first declares)
  // reads differently from the steady state
  const perSecond = new Map<number, number[]>();
  load.sentAt.forEach((at, i) => {
    const second = Math.floor(at / 1000);
    const bucket = perSecond.get(second) ?? [];
    bucket.push(latencies[i]!);
    perSecond.set(second, bucket);
  });
  console.log(
    `  p99 by second sent  ${[...perSecond]
      .sort(([a], [b]) => a - b)
      .map(([second, values]) => `t+${second}s ${ms(summarize(values).p99)}`)
      .join('  ')}`,
  );
  console.log(
    `  incidents created ${incidents} (distinct fingerprints ${fingerprints}) ${incidents === fingerprints ? 'OK' : 'MISMATCH'}`,
  );
  console.log(`  fires counted ${counted} of ${latencies.length} accepted`);
  console.log(`  errors ${errors}`);
  await local.stop();
  redis.disconnect();
  await server.stop();
  process.exit(incidents === fingerprints && errors === 0 && counted === latencies.length ? 0 : 1);
}

const loadAt = process.argv.indexOf('--load');
(loadAt > 0 ? generate(process.argv[loadAt + 1]!) : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
