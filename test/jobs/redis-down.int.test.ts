import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jobsConfigSchema } from '../../src/jobs/config.js';
import { defineJob, JobRuntime, jobIdOf, RETRY } from '../../src/jobs/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { RedisConnections } from '../../src/redis/connection.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/redis/private-server.js';

let server: PrivateRedis | undefined;
afterEach(async () => {
  await server?.stop().catch(() => undefined);
});

describe('stopping with Redis gone', () => {
  it('workers, queues and every connection close within the drain time', async () => {
    server = await startPrivateRedis();
    const requestPath = new Redis(server.url, { maxRetriesPerRequest: 1 });
    requestPath.on('error', () => undefined);
    const connections = new RedisConnections(requestPath);
    const runtime = new JobRuntime({
      connections,
      keyPrefix: 'down',
      config: jobsConfigSchema.parse({}),
      logger: createLogger('silent'),
    });
    const def = defineJob({
      name: 'noop',
      lane: 'background',
      payload: z.object({ key: z.string() }),
      jobId: (p) => jobIdOf('noop', p.key),
      retry: RETRY.once,
      handle: async () => undefined,
    });
    runtime.register(def);
    await runtime.startWorkers();
    await runtime.enqueue(def, { key: 'a' }, { delayMs: 60_000 });
    expect(connections.named('jobs-background').length).toBeGreaterThan(0);

    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await runtime.stop(2_000);
    await connections.close(250);
    expect(Date.now() - started).toBeLessThan(2_600);
    // nothing keeps trying to reach the Redis that is gone (which would keep the process alive)
    let attempts = 0;
    requestPath.on('reconnecting', () => attempts++);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(attempts).toBe(0);
    expect(connections.named('jobs-background')).toEqual([]);
  });
});
