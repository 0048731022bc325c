/**
 * The archiving worker of `npm run bench -- archive`: archives the emulator's channel with Quell's
 * real evidence service (production Web API client, Redis, local bundle storage) and sends its
 * figures to the parent over the IPC channel. Run from the dist/ build by bench/archive.ts (see productionWorker).
 *
 *   node dist/bench-workers/archive.js <redis-url> <slack-api-url> <bot-token> <bundle-directory> <channel> <commander>
 */
import { getHeapStatistics } from 'node:v8';
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { systemClock } from '../../src/clock.js';
import { parseConfigText } from '../../src/config/load.js';
import { createEvidenceService } from '../../src/evidence/index.js';
import { verifyBundle } from '../../src/evidence/verify.js';
import type { Incident } from '../../src/incidents/model.js';
import { IncidentService } from '../../src/incidents/service.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { createLogger } from '../../src/logging/logger.js';
import { redisKeys } from '../../src/redis/keys.js';
import { incidentViews } from '../../src/slack/blocks/incident.js';
import { SlackWebChat } from '../../src/slack/web-chat.js';

export interface ArchiveWorkerReport {
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
  heapLimitMb: number;
  verifyOk: boolean;
  verifyMs: number;
}

async function main(args: string[]): Promise<void> {
  const [redisUrl, apiUrl, token, directory, channelId, commander] = args as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const redis = new Redis(redisUrl);
  const config = parseConfigText(
    `redis:\n  keyPrefix: bench\nevidence:\n  storage:\n    directory: ${JSON.stringify(directory)}\n`,
    'bench',
  );
  // the production client: default retry policy, so a 429 is waited out and the same page re-sent
  const chat = new SlackWebChat(new WebClient(token, { slackApiUrl: apiUrl }));
  // only what archiving needs, as a dedicated long-lane worker would load: the full app's modules
  // (Bolt, BullMQ, every feature) add code that has nothing to do with the archive
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
  const evidence = createEvidenceService({
    config,
    chat,
    incidents,
    store,
    redis,
    clock: systemClock,
    logger,
  });
  const now = new Date().toISOString();
  const incident: Incident = {
    id: 'INC-1',
    seq: 1,
    title: 'Bench: agent flooded the support channel',
    description: '',
    severity: 'sev2',
    status: 'monitoring',
    drill: true,
    channelId,
    channelName: 'inc-bench',
    roles: { commander },
    agent: {},
    declaredBy: commander,
    createdAt: new Date(Date.now() - 48 * 3600_000).toISOString(),
    updatedAt: now,
    nextUpdateDueAt: null,
    version: 0,
  };
  await store.create(incident, {
    incidentId: 'INC-1',
    at: incident.createdAt,
    actor: commander,
    kind: 'declared',
    text: 'Declared SEV2',
    data: {},
  });
  await store.linkChannel(channelId, 'INC-1');

  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const outcome = await evidence.archive({ incidentId: 'INC-1', actor: commander, trigger: 'command' });
  const wallMs = performance.now() - started;
  const peakRssKb = process.resourceUsage().maxRSS;
  const verifyStarted = performance.now();
  const verified = await verifyBundle(outcome.reservation.location, {
    expectedManifestSha256: outcome.manifestSha256,
  });
  const report: ArchiveWorkerReport = {
    ...outcome.transcript,
    userLookups: outcome.userLookups,
    wallMs,
    rssBeforeMb: rssBefore / 1024 / 1024,
    peakRssMb: peakRssKb / 1024,
    heapLimitMb: getHeapStatistics().heap_size_limit / 1024 / 1024,
    verifyOk: verified.ok,
    verifyMs: performance.now() - verifyStarted,
  };
  redis.disconnect();
  await new Promise<void>((resolve, reject) =>
    process.send
      ? process.send(report, (error: Error | null) => (error ? reject(error) : resolve()))
      : reject(new Error('run me from bench/archive.ts (no IPC channel)')),
  );
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
