import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateKeyLayout } from '../../src/redis/key-migration.js';
import { redisKeys } from '../../src/redis/keys.js';
import { openTestRedis } from '../helpers/redis.js';

describe('moving an existing deployment to the Cluster-safe key layout', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  beforeEach(async () => {
    env = await openTestRedis();
  });
  afterEach(() => env.cleanup());

  it('renames the old global keys at start-up, keeps their data, logs each, and a second run moves nothing', async () => {
    const { redis, prefix } = env;
    await redis.set(`${prefix}:incident-seq`, '41');
    await redis.zadd(`${prefix}:incidents:all`, 40, 'INC-40', 41, 'INC-41');
    await redis.zadd(`${prefix}:incidents:active`, 41, 'INC-41');
    await redis.set(`${prefix}:actions:seq`, '7');
    await redis.zadd(`${prefix}:actions:open`, 1_800_000_000_000, 'A7');
    const logged: unknown[] = [];

    const moved = await migrateKeyLayout(redis, prefix, { info: (fields: unknown) => logged.push(fields) });

    const keys = redisKeys(prefix);
    expect(moved).toHaveLength(5);
    expect(logged).toContainEqual({ from: `${prefix}:incident-seq`, to: `{${prefix}}:incident-seq` });
    expect(await redis.get(keys.incidentSequence)).toBe('41');
    expect(await redis.zrange(keys.allIncidents, 0, -1)).toEqual(['INC-40', 'INC-41']);
    expect(await redis.zrange(keys.activeIncidents, 0, -1)).toEqual(['INC-41']);
    expect(await redis.get(`{${prefix}}:actions:seq`)).toBe('7');
    expect(await redis.zrange(`{${prefix}}:actions:open`, 0, -1)).toEqual(['A7']);
    expect(
      await redis.exists(`${prefix}:incident-seq`, `${prefix}:incidents:all`, `${prefix}:actions:open`),
    ).toBe(0);
    // the next declare continues the sequence
    expect(await redis.incr(keys.incidentSequence)).toBe(42);

    expect(await migrateKeyLayout(redis, prefix)).toEqual([]);
    expect(await redis.get(keys.incidentSequence)).toBe('42');
  });

  it('merges when both layouts hold data: the counter never goes back, the indexes are united', async () => {
    const { redis, prefix } = env;
    const keys = redisKeys(prefix);
    await redis.set(`${prefix}:incident-seq`, '9');
    await redis.set(keys.incidentSequence, '5');
    await redis.zadd(`${prefix}:incidents:all`, 9, 'INC-9');
    await redis.zadd(keys.allIncidents, 5, 'INC-5');
    await migrateKeyLayout(redis, prefix);
    expect(await redis.get(keys.incidentSequence)).toBe('9');
    expect(await redis.zrange(keys.allIncidents, 0, -1)).toEqual(['INC-5', 'INC-9']);

    // a counter already ahead under the new name stays ahead
    await redis.set(`${prefix}:incident-seq`, '3');
    await migrateKeyLayout(redis, prefix);
    expect(await redis.get(keys.incidentSequence)).toBe('9');
  });
});
