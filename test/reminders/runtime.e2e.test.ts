import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/logging/logger.js';
import { startQuell } from '../../src/runtime.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { TEST_BOT_TOKEN, testConfig } from '../helpers/services.js';
import { eventually, FAST_CADENCES, promptsIn } from './harness.js';

describe('reminders in the running app', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi();
  });

  afterEach(async () => {
    slack.close();
    await env.cleanup();
  });

  async function start(lanes?: ('interactive' | 'background')[]) {
    return startQuell({
      config: testConfig(env.prefix, FAST_CADENCES),
      logger: createLogger('silent'),
      redis: env.redis,
      connection: { kind: 'http', botToken: TEST_BOT_TOKEN, signingSecret: TEST_SIGNING_SECRET },
      port: 0,
      clock: systemClock,
      botIdentity: { botId: 'B0QUELL', botUserId: 'U0QUELLBOT' },
      lanes: lanes ?? ['interactive', 'background'],
    });
  }

  /** Redis clients of this test's job queues and workers (BullMQ names them after the queue prefix). */
  async function jobClients(): Promise<number> {
    const list = String(await env.redis.client('LIST'));
    return list.split('\n').filter((line) => line.includes(`name={${env.prefix}:jobs-`)).length;
  }

  it('startQuell runs a worker that posts prompts; stop() closes it and its connections', async () => {
    const runtime = await start();
    expect(await jobClients()).toBeGreaterThan(0);
    await runtime.services.incidents.declare({
      title: 'Agent emailed the board',
      severity: 'sev1',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'rt1',
    });
    await eventually(() => expect(promptsIn(slack)).toHaveLength(1));
    await runtime.stop();
    await eventually(async () => expect(await jobClients()).toBe(0), 3_000);
  });

  it('without the background lane no prompt is posted here, yet prompts are scheduled', async () => {
    const runtime = await start(['interactive']);
    const { incident } = await runtime.services.incidents.declare({
      title: 'Agent changed a setting',
      severity: 'sev1',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'rt2',
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(promptsIn(slack)).toHaveLength(0);
    const jobs = await runtime.services.reminders.queue.bull.getDelayed();
    expect(jobs.map((j) => j.data.incidentId)).toContain(incident.id);
    await runtime.stop();
  });
});
