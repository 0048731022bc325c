/**
 * Archives an incident channel of 10,000 messages with 2,000 thread replies from the local Slack
 * emulator (src/local) and prints: messages in vs archived, Web API calls made vs the minimum the
 * page sizes allow, wall time, and the archiver's peak RSS (goal < 200 MB: streamed, not held).
 *
 * The emulator (which keeps the whole channel in memory, like Slack's servers would) runs in this
 * process; the archive runs in a child process, so its peak RSS is the archiver's alone.
 *
 *   npm run bench -- archive [--messages 100000] [--replies 20000] [--threads 2000] [--rate-limits 2] [--heap-mb 96]
 *
 * The archiver child runs with --max-old-space-size=<heap-mb> (default 96; 0 for V8's default), as
 * a dedicated long-lane worker would: its live heap stays around 40 MB whatever the channel's size,
 * and without a cap V8 lets garbage grow the heap lazily to about 100 MB before collecting.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { systemClock } from '../src/clock.js';
import { parseConfigText } from '../src/config/load.js';
import { createEvidenceService } from '../src/evidence/index.js';
import { verifyBundle } from '../src/evidence/verify.js';
import type { Incident } from '../src/incidents/model.js';
import { IncidentService } from '../src/incidents/service.js';
import { IncidentStore } from '../src/incidents/store.js';
import { createLogger } from '../src/logging/logger.js';
import { redisKeys } from '../src/redis/keys.js';
import { incidentViews } from '../src/slack/blocks/incident.js';
import { SlackWebChat } from '../src/slack/web-chat.js';

const USERS = ['U0BENCH1', 'U0BENCH2', 'U0BENCH3', 'U0BENCH4', 'U0BENCH5'];
const CHANNEL = 'C0BENCHINC';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

interface ChildReport {
  messages: number;
  threadReplies: number;
  historyCalls: number;
  repliesCalls: number;
  minimumCalls: number;
  duplicatesSkipped: number;
  userLookups: number;
  wallMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
  verifyOk: boolean;
  verifyMs: number;
  location: string;
}

/** Child: archive the channel with Quell's real evidence service and report figures as JSON. */
async function child(redisUrl: string, apiUrl: string, token: string, directory: string): Promise<void> {
  const redis = new Redis(redisUrl);
  const config = parseConfigText(
    `redis:\n  keyPrefix: bench\nevidence:\n  storage:\n    directory: ${JSON.stringify(directory)}\n`,
    'bench',
  );
  // the production client: default retry policy, so a 429 is waited out and the same page re-sent
  const chat = new SlackWebChat(new WebClient(token, { slackApiUrl: apiUrl }));
  // only what archiving needs, as a dedicated archive worker would load: the full app's modules
  // (Bolt, BullMQ, every feature) would add about 60 MB of code that has nothing to do with the archive
  const logger = createLogger('silent');
  const store = new IncidentStore(redis, redisKeys(config.redis.keyPrefix));
  const incidents = new IncidentService({
    store,
    chat,
    views: incidentViews(config),
    config,
    clock: systemClock,
    logger,
  });
  const services = {
    store,
    evidence: createEvidenceService({ config, chat, incidents, store, redis, clock: systemClock, logger }),
  };
  const now = new Date().toISOString();
  const incident: Incident = {
    id: 'INC-1',
    seq: 1,
    title: 'Bench: agent flooded the support channel',
    description: '',
    severity: 'sev2',
    status: 'monitoring',
    drill: true,
    channelId: CHANNEL,
    channelName: 'inc-bench',
    roles: { commander: USERS[0]! },
    agent: {},
    declaredBy: USERS[0]!,
    createdAt: new Date(Date.now() - 48 * 3600_000).toISOString(),
    updatedAt: now,
    nextUpdateDueAt: null,
    version: 0,
  };
  await services.store.create(incident, {
    incidentId: 'INC-1',
    at: incident.createdAt,
    actor: USERS[0]!,
    kind: 'declared',
    text: 'Declared SEV2',
    data: {},
  });
  await services.store.linkChannel(CHANNEL, 'INC-1');

  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const outcome = await services.evidence.archive({
    incidentId: 'INC-1',
    actor: USERS[0]!,
    trigger: 'command',
  });
  const wallMs = performance.now() - started;
  const peakRssKb = process.resourceUsage().maxRSS;
  const verifyStarted = performance.now();
  const verified = await verifyBundle(outcome.reservation.location, {
    expectedManifestSha256: outcome.manifestSha256,
  });
  const report: ChildReport = {
    ...outcome.transcript,
    userLookups: outcome.userLookups,
    wallMs,
    rssBeforeMb: rssBefore / 1024 / 1024,
    peakRssMb: peakRssKb / 1024,
    verifyOk: verified.ok,
    verifyMs: performance.now() - verifyStarted,
    location: outcome.reservation.location,
  };
  console.log(JSON.stringify(report));
  redis.disconnect();
  process.exit(0);
}

async function main(): Promise<void> {
  const total = arg('messages', 10_000);
  const repliesTotal = arg('replies', total / 5);
  const threads = arg('threads', Math.max(1, Math.round(repliesTotal / 10)));
  const perThread = Math.max(1, Math.round(repliesTotal / threads));
  const rateLimits = arg('rate-limits', 2);
  const heapMb = arg('heap-mb', 96);
  // the emulator and the private Redis are the parent's: the archiver child never loads them
  const { SlackEmulator } = await import('../src/local/emulator/emulator.js');
  const { startPrivateRedis } = await import('../src/redis/private-server.js');
  const redisServer = await startPrivateRedis();
  const slack = await SlackEmulator.start({ seed: false });
  const directory = await mkdtemp(join(tmpdir(), 'quell-bench-evidence-'));
  try {
    for (const [i, id] of USERS.entries())
      slack.addUser({ id, name: `bench-user-${i + 1}`, real_name: `Bench User ${i + 1}` });
    slack.addChannel({ id: CHANNEL, name: 'inc-bench', members: [slack.bot.id, ...USERS] });

    // top-level messages one second apart, ending a minute ago; every (total/threads)-th starts a thread
    const base = Math.floor(Date.now() / 1000) - total - 60;
    const every = Math.floor(total / threads);
    const topLevel = Array.from({ length: total }, (_, i) => ({
      user: USERS[i % USERS.length]!,
      ts: `${base + i}.000000`,
      text: `update ${i}: agent run ${1000 + i} called refund_api with amount=${(i * 7) % 500}.00; <@${USERS[(i + 1) % USERS.length]}> please confirm the rollback step ${i % 13} and note the correlation id corr-${i.toString(36)}`,
    }));
    slack.seedMessages(CHANNEL, topLevel);
    const replies = [];
    for (let t = 0; t < threads; t++) {
      const parent = topLevel[t * every]!;
      for (let r = 0; r < perThread; r++)
        replies.push({
          user: USERS[(t + r) % USERS.length]!,
          ts: `${parent.ts.split('.')[0]}.${String((r + 1) * 1000).padStart(6, '0')}`,
          thread_ts: parent.ts,
          text: `reply ${r} in thread ${t}: checked the tool log, ${r % 2 ? 'no' : 'one'} unexpected call`,
        });
    }
    slack.seedMessages(CHANNEL, replies);
    const messagesIn = topLevel.length + replies.length;
    // a few 429s (Retry-After 1 s) on the way, to show they cost time and nothing else
    if (rateLimits > 0) {
      slack.rateLimit('conversations.history', { times: 1, retryAfter: 1 });
      slack.rateLimit('conversations.replies', { times: rateLimits - 1, retryAfter: 1 });
    }
    slack.resetCalls();

    const reportLine = await new Promise<string>((resolve, reject) => {
      const proc = spawn(
        process.execPath,
        [
          ...(heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : []),
          '--import',
          'tsx',
          'bench/archive.ts',
          '--child',
          redisServer.url,
          slack.apiUrl,
          slack.botToken,
          directory,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      proc.on('exit', (code) =>
        code === 0 ? resolve(out.trim().split('\n').at(-1)!) : reject(new Error(`child exited ${code}`)),
      );
    });
    const report = JSON.parse(reportLine) as ChildReport;
    const counts = slack.callCounts();
    const history = counts['conversations.history'] ?? 0;
    const repliesCalls = counts['conversations.replies'] ?? 0;
    const archived = report.messages + report.threadReplies;
    const okCalls = report.historyCalls + report.repliesCalls;

    console.log(
      `archive of ${total.toLocaleString()} messages + ${replies.length.toLocaleString()} thread replies (${threads} threads) from the local emulator`,
    );
    console.log(
      `  messages in / archived:      ${messagesIn} / ${archived}  ${messagesIn === archived ? '(equal)' : '(MISMATCH)'}`,
    );
    console.log(`  duplicates skipped:          ${report.duplicatesSkipped}`);
    console.log(
      `  history + replies calls:     ${history + repliesCalls} made (${history} history, ${repliesCalls} replies; ${history + repliesCalls - okCalls} of them answered 429 and re-sent)`,
    );
    console.log(
      `  minimum the page sizes allow: ${report.minimumCalls} (999/history page, 1000/replies page)  ratio ${(okCalls / report.minimumCalls).toFixed(2)} successful calls / minimum`,
    );
    console.log(
      `  users.info calls:            ${counts['users.info'] ?? 0} for ${USERS.length} distinct users`,
    );
    console.log(
      `  files upload v2 calls:       ${counts['files.getUploadURLExternal'] ?? 0} getUploadURLExternal, ${counts['files.completeUploadExternal'] ?? 0} completeUploadExternal`,
    );
    console.log(
      `  wall time:                   ${(report.wallMs / 1000).toFixed(2)} s (verify: ${(report.verifyMs / 1000).toFixed(2)} s, ${report.verifyOk ? 'OK' : 'FAILED'})`,
    );
    console.log(
      `  archiver RSS:                peak ${report.peakRssMb.toFixed(0)} MB (goal < 200 MB; heap cap ${heapMb > 0 ? `${heapMb} MB` : "V8's default"}); ${report.rssBeforeMb.toFixed(0)} MB before the archive started (Node + tsx + the archive's modules), so the archive itself added ${(report.peakRssMb - report.rssBeforeMb).toFixed(0)} MB`,
    );
    // Slack's floor: conversations.history/replies are Tier 3, about 50 calls a minute for an internal
    // app (the emulator answers at once); a non-Marketplace commercial app gets 1 a minute, 15 a page
    const tier3FloorMin = report.minimumCalls / 50;
    const strictCalls = Math.ceil(total / 15) + threads * Math.ceil((perThread + 1) / 15);
    console.log(
      `  API calls = minimum:          ${okCalls === report.minimumCalls ? 'yes' : 'NO'} (${okCalls} successful, minimum ${report.minimumCalls}); lost: ${messagesIn - archived}`,
    );
    console.log(
      `  Slack's pace (the floor):     Tier 3 ≈ 50 calls/min → ${tier3FloorMin.toFixed(0)} min for ${report.minimumCalls} calls (measured here: ${(report.wallMs / 1000).toFixed(1)} s against the emulator); non-Marketplace (1/min, 15 a page) → ${strictCalls.toLocaleString()} calls ≈ ${(strictCalls / 60 / 24).toFixed(1)} days`,
    );
    if (messagesIn !== archived || !report.verifyOk) process.exitCode = 1;
  } finally {
    await slack.close();
    await rm(directory, { recursive: true, force: true });
    await redisServer.stop();
  }
}

if (process.argv[2] === '--child') {
  const [, , , redisUrl, apiUrl, token, directory] = process.argv;
  child(redisUrl!, apiUrl!, token!, directory!).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
