import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/redis/keys.js';
import type { Services } from '../../src/services.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock, testConfig, testServices } from '../helpers/services.js';

/**
 * On a Redis Cluster the incident record and the global indexes are on different slots, written in
 * two steps: these are the states a crash between them leaves, and how they heal.
 */
describe('incident indexes across a crash between the record and the index', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let services: Services;

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi();
    services = testServices(
      env.redis,
      testConfig(env.prefix),
      new TestClock(new Date('2026-11-21T10:00:00Z')),
    );
  });
  afterEach(async () => {
    slack.close();
    await env.cleanup();
  });

  it('keeps global indexes under one hash tag and incident keys under the incident tag', async () => {
    const keys = redisKeys(env.prefix);
    for (const key of [keys.incidentSequence, keys.allIncidents, keys.activeIncidents])
      expect(key.startsWith(`{${env.prefix}}:`)).toBe(true);
    expect(keys.incident('INC-7')).toContain('{INC-7}');
    expect(keys.timeline('INC-7')).toContain('{INC-7}');
  });

  it('re-indexes a stored incident the indexes miss at its next save', async () => {
    const keys = redisKeys(env.prefix);
    const { incident } = await services.incidents.declare({
      title: 'Agent loops',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k1',
    });
    // the state a crash right after the record was written leaves
    await env.redis.zrem(keys.allIncidents, incident.id);
    await env.redis.zrem(keys.activeIncidents, incident.id);
    expect(await services.store.listActive()).toEqual([]);

    await services.incidents.setSeverity(incident.id, 'U0ALICE', 'sev1');

    expect(await env.redis.zrange(keys.allIncidents, 0, -1)).toEqual([incident.id]);
    expect((await services.store.listActive()).map((i) => i.id)).toEqual([incident.id]);
  });

  it('skips an active-index entry whose record is missing or no longer active', async () => {
    const keys = redisKeys(env.prefix);
    const { incident } = await services.incidents.declare({
      title: 'Agent loops',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k2',
    });
    await env.redis.zadd(keys.activeIncidents, 99, 'INC-99');
    await services.store.update(incident.id, (c) => ({
      incident: { ...c, status: 'resolved' },
      event: null,
    }));
    // the crash left it in the active index after the record said resolved
    await env.redis.zadd(keys.activeIncidents, incident.seq, incident.id);
    expect(await services.store.listActive()).toEqual([]);
  });
});
