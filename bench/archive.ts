/**
 * Archives an incident channel (default 10,000 messages with 2,000 thread replies) from the local
 * Slack emulator (src/local) and prints: messages in vs archived, Web API calls made vs the minimum
 * the page sizes allow, wall time beside the time Slack's Tier 3 pace would need, and the archiver's
 * peak RSS (goal < 200 MB: streamed, not held).
 *
 * The emulator (which keeps the whole channel in memory, like Slack's servers would) runs in this
 * process; the archive runs in a worker process of its own (bench/workers/archive.ts) on the dist/
 * build with plain `node`, as production runs, so its peak RSS is the archiver's alone.
 *
 *   npm run bench -- archive [--messages 100000] [--replies 20000] [--threads 2000] [--rate-limits 2] [--node-flags '--max-old-space-size=96']
 *
 * The worker runs with no node flags by default (V8's own heap sizing); `--node-flags '…'` passes
 * some (a heap cap, GC tracing) to see what they change. The flags used are printed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// the emulator and the private Redis are this process's: the archiving worker never loads them
import { SlackEmulator } from '../src/local/emulator/emulator.js';
import { startPrivateRedis } from '../src/redis/private-server.js';
import { productionWorker } from './support.js';
import type { ArchiveWorkerReport } from './workers/archive.js';

const USERS = ['U0BENCH1', 'U0BENCH2', 'U0BENCH3', 'U0BENCH4', 'U0BENCH5'];
const CHANNEL = 'C0BENCHINC';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function main(): Promise<void> {
  const total = arg('messages', 10_000);
  const repliesTotal = arg('replies', total / 5);
  const threads = arg('threads', Math.max(1, Math.round(repliesTotal / 10)));
  const perThread = Math.max(1, Math.round(repliesTotal / threads));
  const rateLimits = arg('rate-limits', 2);
  const flagsAt = process.argv.indexOf('--node-flags');
  const nodeFlags = flagsAt >= 0 ? (process.argv[flagsAt + 1] ?? '').split(' ').filter(Boolean) : [];
  const worker = await productionWorker('archive');
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

    // the worker's figures come over the IPC channel, so whatever it prints (e.g. --trace-gc) shows as is
    const report = await new Promise<ArchiveWorkerReport>((resolve, reject) => {
      const proc = spawn(
        process.execPath,
        [...nodeFlags, worker, redisServer.url, slack.apiUrl, slack.botToken, directory, CHANNEL, USERS[0]!],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      let figures: ArchiveWorkerReport | undefined;
      proc.on('message', (message) => {
        figures = message as ArchiveWorkerReport;
      });
      proc.on('exit', (code) =>
        code === 0 && figures ? resolve(figures) : reject(new Error(`the archiving worker exited ${code}`)),
      );
    });
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
      `  archiver RSS:                peak ${report.peakRssMb.toFixed(0)} MB (goal < 200 MB: ${report.peakRssMb < 200 ? 'met' : 'NOT met'}); ${report.rssBeforeMb.toFixed(0)} MB before the archive started (Node + the archive's modules), so the archive itself added ${(report.peakRssMb - report.rssBeforeMb).toFixed(0)} MB`,
    );
    console.log(
      `  archiver process:            node ${[...nodeFlags, worker].join(' ')} (dist/ build, no TypeScript loader; node flags: ${nodeFlags.length ? nodeFlags.join(' ') : 'none'}; V8 heap limit ${report.heapLimitMb.toFixed(0)} MB)`,
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
    if (
      messagesIn !== archived ||
      !report.verifyOk ||
      okCalls !== report.minimumCalls ||
      report.peakRssMb >= 200
    )
      process.exitCode = 1;
  } finally {
    await slack.close();
    await rm(directory, { recursive: true, force: true });
    await redisServer.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
