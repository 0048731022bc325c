import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { parseConfigText } from '../../src/config/load.js';
import { createEvidenceService } from '../../src/evidence/index.js';
import type { Incident } from '../../src/incidents/model.js';
import { IncidentService } from '../../src/incidents/service.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { SlackEmulator } from '../../src/local/emulator/emulator.js';
import { createLogger } from '../../src/logging/logger.js';
import { redisKeys } from '../../src/redis/keys.js';
import { incidentViews } from '../../src/slack/blocks/incident.js';
import { SlackWebChat } from '../../src/slack/web-chat.js';
import { openTestRedis, testRedisUrl } from '../helpers/redis.js';
import { resumeConfigText } from './archive-resume-child.js';
import { tempEvidenceDir } from './helpers.js';

const CHANNEL = 'C0RESUME01';
const USERS = ['U0RESUME01', 'U0RESUME02', 'U0RESUME03'];
const TOTAL = 20_000;

/**
 * Kill -9 an archiver half-way through a 20,000-message channel; another replica resumes the same
 * run from the last saved cursor (not from the first page), and the bundle holds every message
 * exactly once.
 */
describe('an archive killed half-way resumes on another replica', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: SlackEmulator;
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;

  beforeEach(async () => {
    env = await openTestRedis();
    storage = await tempEvidenceDir();
    slack = await SlackEmulator.start({ seed: false });
    for (const [i, id] of USERS.entries())
      slack.addUser({ id, name: `resume-${i}`, real_name: `Resume ${i}` });
    slack.addChannel({ id: CHANNEL, name: 'inc-resume', members: [slack.bot.id, ...USERS] });
    const base = Math.floor(Date.now() / 1000) - TOTAL - 60;
    slack.seedMessages(
      CHANNEL,
      Array.from({ length: TOTAL }, (_, i) => ({
        user: USERS[i % USERS.length]!,
        ts: `${base + i}.000000`,
        text: `message ${i}`,
      })),
    );
  });

  afterEach(async () => {
    await slack.close();
    await env.cleanup();
    await storage.remove();
  });

  it('resumes from the last cursor after SIGKILL and writes every message once', async () => {
    const config = parseConfigText(resumeConfigText(env.prefix, storage.dir), 'resume-test');
    const chat = new SlackWebChat(new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl }));
    const logger = createLogger('silent');
    const store = new IncidentStore(env.redis, redisKeys(env.prefix));
    const incidents = new IncidentService({
      store,
      chat,
      views: incidentViews(config),
      config,
      clock: systemClock,
      logger,
    });
    const now = new Date().toISOString();
    const incident: Incident = {
      id: 'INC-1',
      seq: 1,
      title: 'Resume test',
      description: '',
      severity: 'sev2',
      status: 'resolved',
      drill: true,
      channelId: CHANNEL,
      channelName: 'inc-resume',
      roles: { commander: USERS[0]! },
      agent: {},
      declaredBy: USERS[0]!,
      createdAt: new Date(Date.now() - (TOTAL + 600) * 1000).toISOString(),
      updatedAt: now,
      nextUpdateDueAt: null,
      version: 0,
    };
    await store.create(incident, {
      incidentId: 'INC-1',
      at: incident.createdAt,
      actor: USERS[0]!,
      kind: 'declared',
      text: 'Declared',
      data: {},
    });
    await store.linkChannel(CHANNEL, 'INC-1');
    slack.resetCalls();

    // replica 1: killed once it has read 40 of the 100 history pages
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/evidence/archive-resume-child.ts',
        testRedisUrl(),
        env.prefix,
        slack.apiUrl,
        slack.botToken,
        storage.dir,
        'run-1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (;;) {
      if ((slack.callCounts()['conversations.history'] ?? 0) >= 40) break;
      const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('running'), 20))]);
      if (early !== 'running') throw new Error(`the archiver ended before it was killed: ${early} ${stderr}`);
    }
    child.kill('SIGKILL');
    await exited;
    const beforeKill = slack.callCounts()['conversations.history'] ?? 0;
    expect(beforeKill).toBeGreaterThanOrEqual(40);
    slack.resetCalls();

    // replica 2: the same run (the job id), continued from the checkpoint in Redis
    const evidence = createEvidenceService({
      config,
      chat,
      incidents,
      store,
      redis: env.redis,
      clock: systemClock,
      logger,
    });
    const outcome = await evidence.archive({
      incidentId: 'INC-1',
      actor: 'quell',
      trigger: 'resolved',
      runId: 'run-1',
    });
    expect(outcome.resumed).toBe(true);
    const resumedCalls = slack.calls.filter((c) => c.method === 'conversations.history' && c.ok);
    // not from the first page: the first call carries the saved cursor
    expect(resumedCalls[0]!.params.cursor).toBeTruthy();
    // only what was in flight at the kill (the page being written, the next one asked for) is read twice
    expect(resumedCalls.length + beforeKill).toBeLessThanOrEqual(Math.ceil(TOTAL / 200) + 2);
    expect(resumedCalls.length).toBeLessThanOrEqual(Math.ceil(TOTAL / 200) - 40 + 2);
    expect(outcome.transcript.messages).toBe(TOTAL);

    const lines = (await readFile(join(outcome.reservation.location, 'raw/history.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    const ts = lines.map((l) => (JSON.parse(l) as { ts: string }).ts);
    expect(ts).toHaveLength(TOTAL);
    expect(new Set(ts).size).toBe(TOTAL);
    // and the run's checkpoint is gone once the bundle is published
    expect(await env.redis.keys(`${env.prefix}:evidence:{INC-1}:run:*`)).toEqual([]);
  }, 120_000);
});
