/**
 * bench/containment: a five-action playbook against local fake targets that each answer after
 * 300 ms. Prints the time to all-verified (parallel and serial playbooks) and Quell's own overhead
 * per action, measured twice: against the slow targets (wall time minus the time inside target
 * calls: the prior-state read, the change and the verify, 3 × 300 ms) and against targets that
 * answer at once. Then a mixed playbook: one 4 s step among four 300 ms ones in one parallel group,
 * printing when each step's result reached the channel (the chat.update that first shows it).
 * Goal: independent steps in parallel, so total ≈ the slowest step; overhead < 10 ms per action;
 * a fast step's result in the channel within about its own time, not the slow step's.
 *
 *   npx tsx bench/containment.ts [rounds=5]    (or: npm run bench -- containment)
 */
import { createServer, type Server } from 'node:http';
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { parseConfigText } from '../src/config/load.js';
import { createLogger } from '../src/logging/logger.js';
import { startPrivateRedis } from '../src/redis/private-server.js';
import { createServices, type Services } from '../src/services.js';
import { SlackWebChat } from '../src/slack/web-chat.js';
import { ms, startOkSlackApi, summarize } from './support.js';

/** The always-ok Slack API, also keeping each chat.update's body and arrival time. */
async function startRecordingSlackApi() {
  const updates: { at: number; body: string }[] = [];
  const api = await startOkSlackApi((method, body) => {
    if (method === 'chat.update')
      updates.push({ at: performance.now(), body: decodeURIComponent(body.replace(/\+/g, ' ')) });
  });
  return { ...api, updates };
}

const TARGET_DELAY_MS = 300;
const ACTIONS = 5;
const rounds = Number(process.argv[2] ?? 5);

/** Each of a step's three requests (prior read, change, verify) takes a third of the step's time. */
const MIXED = { slowStepMs: 4_000, fastStepMs: 300, fast: 4 };

/**
 * A kill switch per path: `/slow/...` answers after 300 ms, `/fast/...` at once, `/d/<ms>/...`
 * after <ms>; verify says active (so the prior-state read sees it engaged only after the change).
 */
async function startTargets(): Promise<{ origin: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      const custom = /^\/d\/(\d+)\//.exec(req.url ?? '');
      const delay = custom ? Number(custom[1]) : req.url?.startsWith('/slow/') ? TARGET_DELAY_MS : 0;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.method === 'GET' ? '{"active":true}' : '{"accepted":true}');
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function main() {
  const redisServer = await startPrivateRedis();
  const slackApi = await startRecordingSlackApi();
  const targets = await startTargets();
  const redis = new Redis(redisServer.url);
  let opened: Services | undefined;
  try {
    const actions: Record<string, unknown> = {};
    for (const speed of ['slow', 'fast'])
      for (let i = 1; i <= ACTIONS; i++)
        actions[`${speed}-${i}`] = {
          adapter: 'webhook',
          settings: {
            url: `${targets.origin}/${speed}/${i}/kill`,
            verifyUrl: `${targets.origin}/${speed}/${i}/state`,
          },
          secrets: { signingSecret: 'BENCH_SIGNING_SECRET' },
        };
    const mixedDelay = (stepMs: number) => Math.round(stepMs / 3);
    const mixed = ['mixed-slow', ...Array.from({ length: MIXED.fast }, (_, i) => `mixed-fast-${i + 1}`)];
    for (const name of mixed) {
      const delay = mixedDelay(name === 'mixed-slow' ? MIXED.slowStepMs : MIXED.fastStepMs);
      actions[name] = {
        adapter: 'webhook',
        settings: {
          url: `${targets.origin}/d/${delay}/${name}/kill`,
          verifyUrl: `${targets.origin}/d/${delay}/${name}/state`,
        },
        secrets: { signingSecret: 'BENCH_SIGNING_SECRET' },
      };
    }
    const names = (speed: string) => Array.from({ length: ACTIONS }, (_, i) => `${speed}-${i + 1}`);
    const config = parseConfigText(
      stringify({
        containment: {
          actions,
          playbooks: {
            'slow-parallel': { steps: [names('slow')] },
            'slow-serial': { steps: names('slow') },
            'fast-parallel': { steps: [names('fast')] },
            'fast-serial': { steps: names('fast') },
            mixed: { steps: [mixed] },
          },
        },
      }),
      'bench',
    );
    const services = createServices({
      config,
      logger: createLogger('silent'),
      clock: { now: () => new Date() },
      redis,
      chat: new SlackWebChat(
        new WebClient('xoxb-bench', { slackApiUrl: slackApi.url, retryConfig: { retries: 0 } }),
      ),
      secrets: { BENCH_SIGNING_SECRET: 'bench-signing-secret-0123456789' },
    });
    opened = services;
    const { incident } = await services.incidents.declare({
      title: 'Benchmark agent',
      severity: 'sev1',
      declaredBy: 'U0BENCH',
      idempotencyKey: `bench-${Date.now()}`,
    });

    const runPlaybook = async (name: string, actionCount = ACTIONS) => {
      const confirmation = await services.containment.requestRun({
        incident,
        user: 'U0BENCH',
        kind: 'playbook',
        name,
        args: {},
        dryRun: false,
      });
      const actionsBlock = confirmation.blocks?.find((b) => b.type === 'actions') as unknown as {
        elements: { value: string }[];
      };
      const started = performance.now();
      const report = await services.containment.confirm(actionsBlock.elements[0]!.value, 'U0BENCH');
      const elapsed = performance.now() - started;
      const steps = report.groups.flat();
      if (steps.some((s) => s.state !== 'ok' || s.verify?.outcome !== 'verified'))
        throw new Error(`${name}: not all verified: ${JSON.stringify(steps)}`);
      // time inside target calls, from the audit: per group its slowest step (execute + verify)
      const audit = (await services.containment.audit(incident.id)).filter(
        (e) => e.playbook?.id === report.playbookRunId,
      );
      const inTarget = (runId: string) =>
        audit.filter((e) => e.runId === runId).reduce((sum, e) => sum + (e.durationMs ?? 0), 0);
      const criticalPath = report.groups.reduce(
        (sum, group) => sum + Math.max(...group.map((s) => inTarget(s.runId!))),
        0,
      );
      const targetCalls = audit.reduce((sum, e) => sum + (e.durationMs ?? 0), 0);
      return {
        elapsed,
        overheadPerAction: (elapsed - criticalPath) / actionCount,
        targetCallMs: targetCalls / (3 * actionCount),
      };
    };

    await runPlaybook('fast-parallel'); // warm-up: connections, JIT
    const playbooks = ['slow-parallel', 'slow-serial', 'fast-parallel', 'fast-serial'];
    const elapsed = new Map(playbooks.map((n) => [n, [] as number[]]));
    const overhead = new Map(playbooks.map((n) => [n, [] as number[]]));
    const targetCall = new Map(playbooks.map((n) => [n, [] as number[]]));
    for (let r = 0; r < rounds; r++)
      for (const name of playbooks) {
        const result = await runPlaybook(name);
        elapsed.get(name)!.push(result.elapsed);
        overhead.get(name)!.push(result.overheadPerAction);
        targetCall.get(name)!.push(result.targetCallMs);
      }
    const p50 = (of: Map<string, number[]>, name: string) => summarize(of.get(name)!).p50;

    const slowest = 3 * TARGET_DELAY_MS; // prior read + change + verify of one action
    const parallel = summarize(elapsed.get('slow-parallel')!);
    const serial = summarize(elapsed.get('slow-serial')!);
    console.log(
      `containment bench: ${ACTIONS}-action playbook, targets answer after ${TARGET_DELAY_MS} ms (prior read + change + verify = ${slowest} ms per action), ${rounds} rounds`,
    );
    console.log(
      `  time to all-verified, parallel playbook: p50 ${ms(parallel.p50)}  max ${ms(parallel.max)}  (slowest step ${ms(slowest)}; ratio ${(parallel.p50 / slowest).toFixed(3)})`,
    );
    console.log(
      `  time to all-verified, serial playbook:   p50 ${ms(serial.p50)}  max ${ms(serial.max)}  (sum of steps ${ms(slowest * ACTIONS)}; parallel is ${(serial.p50 / parallel.p50).toFixed(2)}x faster)`,
    );
    console.log(
      "  Quell's own overhead per action (wall time outside target calls: audit, run records, timeline, Slack, orchestration):",
    );
    for (const name of playbooks) console.log(`    ${name.padEnd(14)} p50 ${ms(p50(overhead, name))}`);
    console.log(
      `  one target call as Quell times it (HTTP core + loopback): slow ${ms(p50(targetCall, 'slow-serial'))} (the target holds ${TARGET_DELAY_MS} ms), instant ${ms(p50(targetCall, 'fast-serial'))}`,
    );
    const worst = Math.max(...playbooks.map((name) => p50(overhead, name)));
    console.log(
      `  goal: overhead < 10 ms per action → ${worst < 10 ? 'met' : 'NOT met'} (worst p50 ${ms(worst)})`,
    );
    console.log(
      `  target requests: ${targets.requests()}, audit entries: ${(await services.containment.audit(incident.id)).length}`,
    );

    // mixed: one 4 s step among 300 ms ones; when did each result reach the channel?
    const mixedRounds = Math.max(1, Math.min(3, rounds));
    const reached = new Map(mixed.map((n) => [n, [] as number[]]));
    for (let r = 0; r < mixedRounds; r++) {
      slackApi.updates.length = 0;
      const started = performance.now();
      await runPlaybook('mixed', mixed.length);
      for (const name of mixed) {
        const first = slackApi.updates.find((u) => u.body.includes(`:large_green_circle: *${name}*`));
        reached.get(name)!.push(first ? first.at - started : Number.NaN);
      }
    }
    console.log(
      `  mixed playbook (one parallel group: a ${MIXED.slowStepMs} ms step and ${MIXED.fast} steps of ${MIXED.fastStepMs} ms), ${mixedRounds} round(s): when each step's result reached the channel (p50)`,
    );
    for (const name of mixed) console.log(`    ${name.padEnd(14)} ${ms(summarize(reached.get(name)!).p50)}`);
  } finally {
    // the queues and connections services open must close too, or the process never exits
    await opened?.jobs.stop(0);
    await opened?.connections.close(250);
    redis.disconnect();
    await targets.close();
    await slackApi.close();
    await redisServer.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
