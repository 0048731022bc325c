import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/redis/private-server.js';
import type { Services } from '../../src/services.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { testConfig, testServices } from '../helpers/services.js';
import { eventually, FAST_CADENCES, promptsIn, sleep, startBackgroundWorker } from './harness.js';

describe('Redis restart with persistence on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quell-reminders-aof-'));
  let server: PrivateRedis | undefined;
  let redis: Redis | undefined;
  let services: Services | undefined;
  let slack: FakeSlackApi | undefined;

  afterEach(async () => {
    await services?.jobs.stop(1_000);
    redis?.disconnect();
    slack?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no prompt: the delayed job survives in the AOF and fires once after the restart', async () => {
    server = await startPrivateRedis({ appendonly: true, dir });
    redis = new Redis(server.url, { maxRetriesPerRequest: 3 });
    redis.on('error', () => undefined); // refused connections while Redis restarts are expected
    slack = new FakeSlackApi();
    services = testServices(redis, testConfig('aof', FAST_CADENCES), systemClock);
    await startBackgroundWorker(services);
    const { incident } = await services.incidents.declare({
      title: 'Agent wrote to the wrong tenant',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'aof',
    });

    const port = server.port;
    await server.stop();
    await sleep(300);
    server = await startPrivateRedis({ appendonly: true, dir, port });

    await eventually(() => expect(promptsIn(slack!)).toHaveLength(1), 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(incident.nextUpdateDueAt!));
    expect(promptsIn(slack).at(0)!.params.channel).toBe(incident.channelId);
    await sleep(1_000);
    expect(promptsIn(slack)).toHaveLength(1);
  });
});
