/**
 * How fast drafts appear: drafting plus lint of every shipped audience for one incident, against
 * the 50 ms budget. Two figures per round of all audiences:
 *   - render + lint: read the incident and timeline from Redis, render each template, lint it;
 *   - full draft: the same plus storing the draft and version in Redis, posting it to Slack and
 *     recording it on the timeline (Slack is a loopback fake that answers at once, so its own
 *     latency stays out of the figure).
 * Redis is real (a private redis-server). Also prints the start-up cost of loading the templates.
 *
 *   npx tsx bench/comms.ts [--rounds 200]     (or: npm run bench -- comms)
 */
import { performance } from 'node:perf_hooks';
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { loadTemplateLibrary } from '../src/comms/templates.js';
import { parseConfigText } from '../src/config/load.js';
import { createLogger } from '../src/logging/logger.js';
import { startPrivateRedis } from '../src/redis/private-server.js';
import { createServices, type Services } from '../src/services.js';
import { SlackWebChat } from '../src/slack/web-chat.js';
import { ms, startOkSlackApi, summarize } from './support.js';

const BUDGET_MS = 50;
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(process.argv[roundsArg + 1]) : 200;
const FULL_ROUNDS = Math.max(10, Math.floor(ROUNDS / 4));

const redisServer = await startPrivateRedis();
const slackApi = await startOkSlackApi();
const redis = new Redis(redisServer.url);
// the queues and connections services open must close too, or the process never exits
let services: Services | undefined;
try {
  const config = parseConfigText('', 'bench');
  services = createServices({
    config,
    logger: createLogger('silent'),
    clock: { now: () => new Date() },
    redis,
    chat: new SlackWebChat(new WebClient('xoxb-bench', { slackApiUrl: slackApi.url })),
  });

  const loadStarted = performance.now();
  const library = loadTemplateLibrary(config.comms.templatesDir);
  const loadMs = performance.now() - loadStarted;
  const audiences = library.audiences();

  const { incident } = await services.incidents.declare({
    title: 'Support agent emailed order details to the wrong customers',
    severity: 'sev1',
    description: 'The helpdesk agent replied to 41 tickets with another customer’s order history attached.',
    announce: false,
    agent: { name: 'helpdesk-agent', version: '2.3.1', model: 'model-x', tools: 'mail.send, orders.lookup' },
    declaredBy: 'U0CMD',
    idempotencyKey: 'bench-comms',
  });
  await services.incidents.record(incident.id, 'U0TECH', 'containment_executed', 'disabled mail.send', {
    action: 'disable mail.send',
    adapter: 'webhook',
    outcome: 'verified',
    dryRun: false,
  });
  // a long-running incident: a timeline of a few hundred events, updates every 15 minutes
  for (let i = 0; i < 300; i++)
    await services.incidents.record(incident.id, 'U0CMD', i % 10 === 0 ? 'update' : 'note', `event ${i}`, {
      impact: '41 customers received another customer’s order history.',
      containment: 'mail.send is disabled and queued replies are paused.',
      investigation: 'Facts: wrong attachments from 13:52 UTC. Hypothesis: a cached lookup was reused.',
      nextUpdateAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    });

  const renderRounds: number[] = [];
  let findings = 0;
  for (let round = 0; round < ROUNDS + 20; round++) {
    const started = performance.now();
    for (const audience of audiences)
      findings += (await services.comms.render(incident.id, audience)).findings.length;
    if (round >= 20) renderRounds.push(performance.now() - started); // first 20 rounds warm up the JIT
  }

  const draftRounds: number[] = [];
  for (let round = 0; round < FULL_ROUNDS + 5; round++) {
    const started = performance.now();
    for (const audience of audiences) await services.comms.draft(incident.id, audience, 'U0CMD');
    if (round >= 5) draftRounds.push(performance.now() - started);
  }

  // what a full draft spends outside comms itself: one timeline record and one Slack post
  const recordSamples: number[] = [];
  const postSamples: number[] = [];
  for (let i = 0; i < 60; i++) {
    let started = performance.now();
    await services.incidents.record(incident.id, 'U0COMMS', 'note', 'bench note', {});
    recordSamples.push(performance.now() - started);
    started = performance.now();
    await services.chat.postMessage(incident.channelId ?? 'C0BENCH', { text: 'bench' });
    postSamples.push(performance.now() - started);
  }
  const recordCost = summarize(recordSamples.slice(10));
  const postCost = summarize(postSamples.slice(10));

  const render = summarize(renderRounds);
  const draft = summarize(draftRounds);
  const verdict = (p99: number) => (p99 < BUDGET_MS ? 'within budget' : 'OVER BUDGET');
  console.log(
    `comms benchmark: ${audiences.length} audiences (${audiences.join(', ')}), timeline of 302 events`,
  );
  console.log(`  template load + check at start-up: ${ms(loadMs)}`);
  console.log(
    `  render + lint, all audiences (${render.n} rounds): p50 ${ms(render.p50)}  p99 ${ms(render.p99)}  max ${ms(render.max)}  → p99 is ${(render.p99 / BUDGET_MS).toFixed(3)} of the ${BUDGET_MS} ms budget (${verdict(render.p99)})`,
  );
  console.log(
    `  full draft, all audiences (${draft.n} rounds): p50 ${ms(draft.p50)}  p99 ${ms(draft.p99)}  max ${ms(draft.max)}  → p99 is ${(draft.p99 / BUDGET_MS).toFixed(3)} of the ${BUDGET_MS} ms budget (${verdict(draft.p99)})`,
  );
  console.log(
    `  per audience (full draft p50): ${ms(draft.p50 / audiences.length)}; lint findings seen: ${findings}`,
  );
  console.log(
    `  of which, per draft: incidents.record p50 ${ms(recordCost.p50)}, Slack chat.postMessage (loopback) p50 ${ms(postCost.p50)}`,
  );
  console.log(`  Slack calls made: chat.postMessage ${slackApi.calls.get('chat.postMessage') ?? 0}`);
} finally {
  await services?.jobs.stop(0);
  await services?.connections.close(250);
  redis.disconnect();
  await slackApi.close();
  await redisServer.stop();
}
