/**
 * Update reminders under load: N concurrent incidents with a short cadence on one Redis, prompts
 * posted by two worker PROCESSES, Slack faked by a local HTTP server that records every prompt.
 * A driver plays the responders: after each prompt it posts a structured update (after a random
 * 0-2 s), which restarts the clock, so prompts keep coming for the whole run.
 *
 *   npx tsx bench/reminders.ts [--incidents 1000] [--seconds 130] [--cadence 10s] [--workers 2]
 *   npm run bench -- reminders --seconds 130
 *
 * After the run the responders stop and the bench waits until every due prompt has fired, or
 * until the due-time index says no prompt is left to post (so a slow prompt counts as late, not
 * lost). Prints prompts expected vs posted, late (posted more than 1 s after due), lost (never
 * posted) and duplicates separately, lateness p50/p99/max (post received by Slack minus due time;
 * goal p99 < 1 s), the machine load, and CPU time per 1,000 prompts.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { systemClock } from '../src/clock.js';
import { parseConfigText } from '../src/config/load.js';
import type { Incident } from '../src/incidents/model.js';
import { createLogger } from '../src/logging/logger.js';
import { connectRedis } from '../src/redis/connection.js';
import { startPrivateRedis } from '../src/redis/private-server.js';
import { reminderKeys } from '../src/reminders/keys.js';
import { createServices, type Services, startWorkers } from '../src/services.js';
import { decodePromptRef } from '../src/slack/blocks/reminders.js';
import { ACTIONS } from '../src/slack/ids.js';
import { BACKGROUND_CLIENT_OPTIONS, SlackWebChat } from '../src/slack/web-chat.js';
import { fullMember, summarize } from './support.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const key = process.argv[i]!;
  if (key.startsWith('--'))
    args.set(key.slice(2), process.argv[i + 1]?.startsWith('--') ? '' : (process.argv[++i] ?? ''));
}

const INCIDENTS = Number(args.get('incidents') ?? 1000);
const SECONDS = Number(args.get('seconds') ?? 130);
const CADENCE = args.get('cadence') ?? '10s';
const WORKERS = Number(args.get('workers') ?? 2);
const PREFIX = 'bench';

function benchConfig() {
  return parseConfigText(
    `
redis: { keyPrefix: ${PREFIX} }
severities:
  sev1: { cadence: ${CADENCE} }
reminders:
  overdueAfter: 1h
`,
    'bench config',
  );
}

function servicesFor(redis: Redis, slackApiUrl: string, token: string): Services {
  return createServices({
    config: benchConfig(),
    logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'error'),
    clock: systemClock,
    redis,
    chat: new SlackWebChat(new WebClient(token, { slackApiUrl, retryConfig: { retries: 2 } })),
    // what reminder jobs post with: fail-fast, the job runtime retries
    backgroundChat: new SlackWebChat(new WebClient(token, { slackApiUrl, ...BACKGROUND_CLIENT_OPTIONS }), {
      mode: 'background',
      timeoutMs: BACKGROUND_CLIENT_OPTIONS.timeout,
    }),
  });
}

// ---------------------------------------------------------------- worker process
async function runWorkerProcess(): Promise<void> {
  const { REDIS_URL, SLACK_API_URL, WORKER_NAME } = process.env as Record<string, string>;
  // the production connection factory (request path: fail fast, auto-pipelined), as a replica opens it
  const redis = await connectRedis(REDIS_URL!);
  const token = `xoxb-bench-${WORKER_NAME}`;
  const services = servicesFor(redis, SLACK_API_URL!, token);
  await startWorkers(services, { lanes: ['background'], name: WORKER_NAME! });
  const cpuAtStart = process.cpuUsage();
  process.send?.({ type: 'ready' });
  process.on('message', async (message: { type: string }) => {
    if (message.type !== 'stop') return;
    await services.jobs.stop();
    const cpu = process.cpuUsage(cpuAtStart);
    process.send?.({ type: 'stopped', cpuMs: (cpu.user + cpu.system) / 1000 }, () => {
      redis.disconnect();
      process.exit(0);
    });
  });
}

// ---------------------------------------------------------------- fake Slack
interface PromptSeen {
  incidentId: string;
  dueAt: string;
  receivedAt: number;
  token: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Answers every method ok; recognises update prompts by their "Post update" button. */
async function startFakeSlack(onPrompt: (prompt: PromptSeen) => void) {
  const calls = new Map<string, number>();
  const recent = new Map<string, { type: string; ts: string; blocks: unknown }[]>();
  let seq = 0;
  const server: Server = createServer(async (req, res) => {
    const receivedAt = Date.now();
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    calls.set(method, (calls.get(method) ?? 0) + 1);
    const params = new URLSearchParams(await readBody(req));
    const token = params.get('token') ?? (req.headers.authorization ?? '').replace(/^Bearer /, '');
    seq++;
    let body: Record<string, unknown> = { ok: true };
    if (method === 'conversations.create')
      body = { ok: true, channel: { id: `C${String(seq).padStart(9, '0')}`, name: params.get('name') } };
    // the permission model looks the declarer up: a full member
    if (method === 'users.info') body = { ok: true, user: fullMember(params.get('user') ?? 'U0BENCH') };
    if (method === 'conversations.history')
      body = {
        ok: true,
        messages: [...(recent.get(params.get('channel') ?? '') ?? [])].reverse(),
        has_more: false,
      };
    if (method === 'chat.postMessage') {
      // a ts from the clock, like Slack's: a look back in the channel stops at the due time
      const ts = `${Math.floor(receivedAt / 1000)}.${String(seq % 1_000_000).padStart(6, '0')}`;
      body = { ok: true, channel: params.get('channel'), ts };
      const blocks = params.get('blocks') ?? '';
      const channelMessages = recent.get(params.get('channel') ?? '') ?? [];
      channelMessages.push({ type: 'message', ts, blocks: blocks ? JSON.parse(blocks) : [] });
      recent.set(params.get('channel') ?? '', channelMessages.slice(-100));
      if (blocks.includes(ACTIONS.postUpdate) && (params.get('text') ?? '').includes('update due for')) {
        const button = (JSON.parse(blocks) as { elements?: { action_id?: string; value?: string }[] }[])
          .flatMap((b) => b.elements ?? [])
          .find((e) => e.action_id === ACTIONS.postUpdate);
        const ref = decodePromptRef(button?.value);
        if (ref) onPrompt({ incidentId: ref.i, dueAt: ref.d, receivedAt, token });
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** utime + stime of a process, from /proc (Linux), in ms. */
function processCpuMs(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // CLK_TCK is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The fake Slack in a process of its own, so its receive times do not wait on the driver's work. */
async function runFakeSlackProcess(): Promise<void> {
  const slack = await startFakeSlack((prompt) => process.send?.({ type: 'prompt', prompt }));
  process.send?.({ type: 'ready', url: slack.url });
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    const cpu = process.cpuUsage();
    process.send?.(
      { type: 'stopped', calls: Object.fromEntries(slack.calls), cpuMs: (cpu.user + cpu.system) / 1000 },
      () => process.exit(0),
    );
  });
}

// ---------------------------------------------------------------- driver
async function runDriver(): Promise<void> {
  const redisServer = await startPrivateRedis();
  const expected = new Map<string, Set<string>>(); // incident → due times that were current at their time
  const seen = new Map<string, PromptSeen[]>(); // `${incident}|${dueAt}` → receipts
  let responding = true;
  let updatesFailed = 0;
  let services: Services | undefined;
  const expect = (incidentId: string, dueAt: string | null) => {
    if (!dueAt) return;
    if (!expected.has(incidentId)) expected.set(incidentId, new Set());
    expected.get(incidentId)!.add(dueAt);
  };

  const onPrompt = (prompt: PromptSeen) => {
    const key = `${prompt.incidentId}|${prompt.dueAt}`;
    const receipts = seen.get(key) ?? [];
    receipts.push(prompt);
    seen.set(key, receipts);
    if (!responding || receipts.length > 1 || !services) return;
    // a responder answers the prompt after a moment with a structured update: the clock restarts
    const responder = services;
    setTimeout(async () => {
      if (!responding) return;
      try {
        const incident = await responder.reminders.updates.postUpdate(prompt.incidentId, 'U0BENCH', {
          impact: 'bench impact',
          containment: 'bench containment',
          investigation: 'bench investigation',
        });
        expect(incident.id, incident.nextUpdateDueAt);
      } catch (error) {
        updatesFailed++;
        console.error('update failed', (error as Error).message);
      }
    }, Math.random() * 2_000);
  };
  const slackProcess = fork(fileURLToPath(import.meta.url), ['--fake-slack'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let slackCalls: Record<string, number> = {};
  let slackCpuMs = Number.NaN;
  const slackUrl = await new Promise<string>((resolve) => {
    slackProcess.on(
      'message',
      (m: {
        type: string;
        url?: string;
        prompt?: PromptSeen;
        calls?: Record<string, number>;
        cpuMs?: number;
      }) => {
        if (m.type === 'ready') resolve(m.url!);
        if (m.type === 'prompt') onPrompt(m.prompt!);
        if (m.type === 'stopped') {
          slackCalls = m.calls ?? {};
          slackCpuMs = m.cpuMs ?? Number.NaN;
        }
      },
    );
  });
  const slack = { url: slackUrl };

  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 3 });
  services = servicesFor(redis, slack.url, 'xoxb-bench-driver');
  const cpuDriverStart = process.cpuUsage();
  const loadAtStart = loadavg()[0]!;
  const redisCpuStart = processCpuMs(redisServer.process.pid);

  console.log(
    `reminders bench: ${INCIDENTS} incidents, cadence ${CADENCE}, ${WORKERS} worker processes, ~${SECONDS}s, one private redis-server`,
  );
  const workers: ChildProcess[] = [];
  const cpuOf = new Map<ChildProcess, number>();
  for (let w = 1; w <= WORKERS; w++) {
    const child = fork(fileURLToPath(import.meta.url), ['--worker'], {
      // BENCH_CPU_PROF=<dir>: V8 CPU profiles of the worker processes, to see where prompt CPU goes
      execArgv: process.env.BENCH_CPU_PROF
        ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : process.execArgv,
      env: {
        ...process.env,
        REDIS_URL: redisServer.url,
        SLACK_API_URL: slack.url,
        WORKER_NAME: `worker-${w}`,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m: { type: string; cpuMs?: number }) => {
      if (m.type === 'stopped') cpuOf.set(child, m.cpuMs ?? Number.NaN);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m: { type: string }) => (m.type === 'ready' ? resolve() : undefined));
      child.once('exit', (code) => reject(new Error(`worker ${w} exited with ${code}`)));
    });
    workers.push(child);
  }

  // N concurrent incidents whose first prompts fall due evenly over one cadence, so their clocks
  // are spread like a real workload's. They are seeded straight into Redis (record, channel link)
  // and scheduled through the reminders' own path (due-time index, then the delayed job): a
  // declare's channel set-up is not what this measures, and 10,000 of them would not fit in one
  // cadence on this machine.
  const started = Date.now();
  const cadenceMs = benchConfig().severities.sev1.cadence!;
  const SEED_BATCH = 200;
  for (let i = 0; i < INCIDENTS; i += SEED_BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(SEED_BATCH, INCIDENTS - i) }, async (_, j) => {
        const n = i + j + 1;
        const at = new Date().toISOString();
        const dueAt = new Date(
          started + cadenceMs + Math.floor(((n - 1) / INCIDENTS) * cadenceMs),
        ).toISOString();
        const incident: Incident = {
          id: `INC-${n}`,
          seq: n,
          title: `Bench incident ${n}`,
          description: '',
          severity: 'sev1',
          status: 'investigating',
          drill: false,
          channelId: `CBENCH${String(n).padStart(6, '0')}`,
          channelName: `inc-bench-${n}`,
          roles: { commander: 'U0BENCH' },
          agent: {},
          declaredBy: 'U0BENCH',
          createdAt: at,
          updatedAt: at,
          nextUpdateDueAt: dueAt,
          version: 0,
        };
        await services!.store.create(incident, {
          incidentId: incident.id,
          at,
          actor: 'U0BENCH',
          kind: 'declared',
          text: 'declared SEV1',
          data: {},
        });
        await services!.store.linkChannel(incident.channelId!, incident.id);
        await services!.reminders.queue.schedulePrompt({
          incidentId: incident.id,
          dueAt,
          overdueSince: dueAt,
          reason: 'declared',
          since: at,
        });
        expect(incident.id, dueAt);
      }),
    );
  }
  const declaredAt = Date.now();
  console.log(`seeded ${INCIDENTS} incidents in ${((declaredAt - started) / 1000).toFixed(1)} s`);

  const deadline = started + SECONDS * 1000;
  while (Date.now() < deadline) {
    await sleep(10_000);
    const posted = [...seen.values()].length;
    console.log(`  t+${Math.round((Date.now() - started) / 1000)}s: ${posted} prompts posted`);
  }
  responding = false;
  await sleep(2_500); // updates already in flight land and schedule their next due time
  const lastDue = Math.max(...[...expected.values()].flatMap((dues) => [...dues].map((d) => Date.parse(d))));
  await sleep(Math.max(0, lastDue - Date.now()));
  // count only once every due prompt has fired, or nothing is left to post (the due-time index
  // holds every scheduled prompt until it is posted): a late prompt is then late, not lost
  const dueIndex = reminderKeys(PREFIX).dueIndex;
  const waitUntil = Date.now() + 120_000;
  for (;;) {
    const unseen = [...expected].reduce(
      (n, [id, dues]) => n + [...dues].filter((d) => !seen.has(`${id}|${d}`)).length,
      0,
    );
    const pending = await redis.zcard(dueIndex);
    if (unseen === 0 || pending === 0 || Date.now() > waitUntil) break;
    await sleep(500);
  }
  await sleep(1_000); // a duplicate would arrive now, if at all

  for (const child of [...workers, slackProcess]) child.send({ type: 'stop' });
  await Promise.all(
    [...workers, slackProcess].map((child) => new Promise((resolve) => child.once('exit', resolve))),
  );
  const driverCpu = process.cpuUsage(cpuDriverStart);
  const redisCpu = processCpuMs(redisServer.process.pid) - redisCpuStart;
  const elapsed = (Date.now() - started) / 1000;

  const expectedKeys = new Set([...expected].flatMap(([id, dues]) => [...dues].map((d) => `${id}|${d}`)));
  const postedKeys = new Set(seen.keys());
  const receipts = [...seen.values()].flat();
  const duplicates = receipts.length - postedKeys.size;
  const missing = [...expectedKeys].filter((k) => !postedKeys.has(k));
  const unexpected = [...postedKeys].filter((k) => !expectedKeys.has(k));
  const lateness = [...seen.values()].map((r) => r[0]!.receivedAt - Date.parse(r[0]!.dueAt));
  const late = summarize(lateness);
  const lateCount = lateness.filter((ms) => ms > 1_000).length;
  // steady state: prompts falling due after every incident was seeded (no seeding burst competing)
  const steady = summarize(
    [...seen.values()]
      .filter((r) => Date.parse(r[0]!.dueAt) >= declaredAt)
      .map((r) => r[0]!.receivedAt - Date.parse(r[0]!.dueAt)),
  );
  const byWorker = new Map<string, number>();
  for (const r of receipts) byWorker.set(r.token, (byWorker.get(r.token) ?? 0) + 1);
  const workerCpuMs = [...cpuOf.values()].reduce((a, b) => a + b, 0);
  const per1000 = (cpuMs: number) => `${(((cpuMs / receipts.length) * 1000) / 1000).toFixed(2)} s`;

  console.log('');
  console.log(
    `run: ${elapsed.toFixed(0)} s, ${INCIDENTS} incidents, cadence ${CADENCE}, ${WORKERS} worker processes`,
  );
  console.log(`prompts expected ${expectedKeys.size}, posted ${postedKeys.size} (${receipts.length} posts)`);
  console.log(
    `  late (> 1 s after due) ${lateCount}, lost (never posted) ${missing.length}, duplicates ${duplicates}, unexpected ${unexpected.length}, responder updates failed ${updatesFailed}`,
  );
  console.log(
    `  per worker: ${[...byWorker].map(([t, n]) => `${t.replace('xoxb-bench-', '')} ${n}`).join(', ')}`,
  );
  console.log(
    `lateness (Slack received − due): p50 ${late.p50} ms, p99 ${late.p99} ms, max ${late.max} ms (goal p99 < 1000 ms) ${late.p99 < 1000 ? 'OK' : 'MISSED'}`,
  );
  console.log(
    `  after all incidents were seeded: p50 ${steady.p50} ms, p99 ${steady.p99} ms, max ${steady.max} ms (${steady.n} prompts)`,
  );
  console.log(
    `machine load average (1 min) at start ${loadAtStart.toFixed(2)}, at end ${loadavg()[0]!.toFixed(2)}, on ${cpus().length} CPUs (shared)`,
  );
  console.log(
    `CPU per 1,000 prompts: workers ${per1000(workerCpuMs)} (both processes together), redis-server ${per1000(redisCpu)}; not Quell's reminder work: driver ${per1000((driverCpu.user + driverCpu.system) / 1000)} (declares, responders' updates), fake Slack ${per1000(slackCpuMs)}`,
  );
  console.log(
    `Slack calls: ${Object.entries(slackCalls)
      .map(([m, n]) => `${m} ${n}`)
      .join(', ')}`,
  );
  const ok = duplicates === 0 && missing.length === 0 && unexpected.length === 0;
  console.log(ok ? 'RESULT: every expected prompt posted exactly once' : 'RESULT: MISMATCH');
  if (missing.length) console.log(`  first lost: ${missing.slice(0, 5).join(', ')}`);

  await services.jobs.stop();
  redis.disconnect();
  await redisServer.stop();
  process.exit(ok ? 0 : 1);
}

if (process.argv.includes('--worker')) await runWorkerProcess();
else if (process.argv.includes('--fake-slack')) await runFakeSlackProcess();
else await runDriver();
