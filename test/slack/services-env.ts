import { afterEach, beforeEach } from 'vitest';
import type { Services } from '../../src/services.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig, testServices, testWorkersReady } from '../helpers/services.js';

/**
 * Real services on a private Redis prefix with the Web API faked, fresh for each test; the durable
 * request jobs this process accepted are drained before the next test. Read `env.services` / `env.slack` inside a test.
 */
export function useServices(yaml = '') {
  const env = {} as { services: Services; slack: FakeSlackApi };
  let redis: Awaited<ReturnType<typeof openTestRedis>>;
  beforeEach(async () => {
    redis = await openTestRedis();
    env.slack = new FakeSlackApi();
    env.services = testServices(redis.redis, testConfig(redis.prefix, yaml));
    await testWorkersReady(env.services);
  });
  afterEach(async () => {
    await env.services.requests.drain();
    env.slack.close();
    await redis.cleanup();
  });
  return env;
}
