import { afterEach, describe, expect, it } from 'vitest';
import { type LocalRedis, resolveLocalRedis } from '../../src/local/redis.js';
import { RedisUnavailableError } from '../../src/redis/connection.js';
import { freePort } from '../../src/redis/private-server.js';
import { testRedisUrl } from '../helpers/redis.js';

/** Redis for local mode: REDIS_URL, else a local Redis, else a private redis-server, else how to install. */
describe('local mode Redis', () => {
  let opened: LocalRedis | undefined;

  afterEach(async () => {
    await opened?.stop();
    opened = undefined;
  });

  it('uses REDIS_URL when it is set', async () => {
    opened = await resolveLocalRedis({ redisUrl: testRedisUrl() });
    expect(opened).toMatchObject({ source: 'REDIS_URL', url: testRedisUrl() });
    expect(await opened.redis.ping()).toBe('PONG');
  });

  it('uses a Redis already listening at the usual address', async () => {
    opened = await resolveLocalRedis({ defaultUrl: testRedisUrl(), binary: null });
    expect(opened.source).toBe('local');
  });

  it('starts a private redis-server when nothing listens, and stops it afterwards', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    opened = await resolveLocalRedis({ defaultUrl: closed });
    expect(opened.source).toBe('private');
    expect(opened.url).not.toBe(closed);
    await opened.redis.set('local-mode-probe', '1');
    const url = opened.url;
    await opened.stop();
    opened = undefined;
    const { Redis } = await import('ioredis');
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
  });

  it('says how to install Redis when there is none to use', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const failure = resolveLocalRedis({ defaultUrl: closed, binary: null });
    await expect(failure).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(failure).rejects.toThrow(/apt-get install redis-server.*REDIS_URL/s);
  });
});
