/**
 * Time-to-ack of signed `/incident declare` requests at Quell's HTTP receiver, next to a bare Bolt
 * app that only acks, measured the same way in one run. Each app runs in its own process and the
 * load comes from this one, so the figures are what Slack would see. Redis is real (a private
 * redis-server); Slack's Web API is a loopback fake that answers at once (response_url too).
 *
 *   npx tsx bench/ack-latency.ts [--requests 200] [--concurrency 50]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { Redis } from 'ioredis';
import { parseConfigText } from '../src/config/load.js';
import { createLogger } from '../src/logging/logger.js';
import { startPrivateRedis } from '../src/redis/private-server.js';
import { startQuell } from '../src/runtime.js';
import { ms, startOkSlackApi, summarize } from './support.js';

const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench-token';
const WARM_UP = 100;
const ROUNDS = 4;
const IDENTITY = { botId: 'B0BENCH', botUserId: 'U0BENCHBOT' };

function arg(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** Child process: serve one app and print its URL as the first line. */
async function serve(kind: 'quell' | 'bare', slackApiUrl: string, redisUrl: string): Promise<void> {
  let port: number;
  if (kind === 'bare') {
    const receiver = new HTTPReceiver({
      signingSecret: SECRET,
      processBeforeResponse: false,
      logLevel: LogLevel.ERROR,
    });
    const app = new App({
      token: TOKEN,
      receiver,
      ...IDENTITY,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl },
    });
    app.command('/incident', async ({ ack }) => {
      await ack();
    });
    port = ((await app.start(0)) as unknown as { address(): { port: number } }).address().port;
  } else {
    const runtime = await startQuell({
      config: parseConfigText('', 'bench'),
      logger: createLogger('silent'),
      redis: new Redis(redisUrl),
      connection: { kind: 'http', botToken: TOKEN, signingSecret: SECRET },
      port: 0,
      slackApiUrl,
      botIdentity: IDENTITY,
    });
    port = runtime.port!;
  }
  console.log(`http://127.0.0.1:${port}/slack/events`);
}

function startServer(
  kind: 'quell' | 'bare',
  slackApiUrl: string,
  redisUrl: string,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/ack-latency.ts', '--serve', kind, '--slack', slackApiUrl, '--redis', redisUrl],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (url) => resolve({ url, child }));
  });
}

async function fire(
  url: string,
  responseUrl: string,
  total: number,
  concurrency: number,
  label: string,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  async function worker() {
    while (next < total) {
      const i = next++;
      const body = new URLSearchParams({
        team_id: 'T0BENCH',
        channel_id: 'C0GENERAL',
        user_id: `U0USER${i % 7}`,
        command: '/incident',
        text: `declare sev2 ${label} agent misbehaved run ${i}`,
        response_url: `${responseUrl}response/${i}`,
        trigger_id: `${label}-${i}-${Date.now()}`,
      }).toString();
      const ts = Math.floor(Date.now() / 1000);
      const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signature,
        },
        body,
      });
      await response.text();
      latencies.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`${label}: HTTP ${response.status}`);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

async function main() {
  const total = Number(arg('requests') ?? 200);
  const concurrency = Number(arg('concurrency') ?? 50);
  const redisServer = await startPrivateRedis();
  const slack = await startOkSlackApi();
  const declaresDone = async (expected: number) => {
    const deadline = Date.now() + 120_000;
    while ((slack.calls.get('conversations.create') ?? 0) < expected && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
  };

  // Both apps run side by side and are measured in alternating rounds, so a change in machine load
  // during the run affects both alike. Each is warmed up first (JIT, connection pools). Quell's
  // declares go on after their acks: each round waits for them, so the next round starts quiet.
  const bare = await startServer('bare', slack.url, redisServer.url);
  const quell = await startServer('quell', slack.url, redisServer.url);
  await fire(bare.url, slack.url, WARM_UP, concurrency, 'warm-bare');
  await fire(quell.url, slack.url, WARM_UP, concurrency, 'warm-quell');
  await declaresDone(WARM_UP);
  const bareLatencies: number[] = [];
  const quellLatencies: number[] = [];
  const perRound = Math.ceil(total / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    bareLatencies.push(...(await fire(bare.url, slack.url, perRound, concurrency, `bare${round}`)));
    quellLatencies.push(...(await fire(quell.url, slack.url, perRound, concurrency, `quell${round}`)));
    await declaresDone(WARM_UP + perRound * (round + 1));
  }
  const created = slack.calls.get('conversations.create') ?? 0;
  for (const server of [bare, quell]) {
    server.child.removeAllListeners('exit');
    server.child.kill();
  }
  const declared = WARM_UP + perRound * ROUNDS;

  const b = summarize(bareLatencies);
  const q = summarize(quellLatencies);
  console.log(
    `ack-latency: ${perRound * ROUNDS} signed /incident declare requests per app, ${concurrency} concurrent, ${ROUNDS} alternating rounds (after ${WARM_UP} warm-up each)`,
  );
  console.log(`  bare Bolt (ack only)   p50 ${ms(b.p50)}  p99 ${ms(b.p99)}  max ${ms(b.max)}`);
  console.log(`  Quell (declare)        p50 ${ms(q.p50)}  p99 ${ms(q.p99)}  max ${ms(q.max)}`);
  console.log(
    `  ratio Quell/bare       p50 ${(q.p50 / b.p50).toFixed(2)}  p99 ${(q.p99 / b.p99).toFixed(2)}  (goal: p99 ratio < 1.5)`,
  );
  console.log(
    `  Slack's ack limit      3000 ms; Quell's slowest ack used ${((q.max / 3000) * 100).toFixed(1)}% of it`,
  );
  console.log(
    `  declares completed     ${created} of ${declared} (each: channel, topic, purpose, invite, summary, pin)`,
  );
  console.log(
    `  machine                ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  await slack.close();
  await redisServer.stop();
}

const serveKind = arg('serve');
if (serveKind === 'quell' || serveKind === 'bare') {
  serve(serveKind, arg('slack')!, arg('redis')!).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
