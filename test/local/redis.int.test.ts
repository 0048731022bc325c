import { afterEach, describe, expect, it } from 'vitest';
import { type LocalRedis, resolveLocalRedis } from '../../src/local/redis.js';
import { RedisUnavailableError } from '../../src/redis/connection.js';
import { freePort } from '../../src/redis/private-server.js';
import { singleNode } from '../../src/redis/topology.js';
import { testRedisUrl } from '../helpers/redis.js';
import { startPrivateCluster } from '../helpers/redis-topologies.js';

/** Redis for local mode: what the environment names, else a local Redis, else a private redis-server, else how to install. */
describe('local mode Redis', () => {
  let opened: LocalRedis | undefined;

  afterEach(async () => {
    await opened?.stop();
    opened = undefined;
  });

  it('uses REDIS_URL when it is set', async () => {
    opened = await resolveLocalRedis({ configured: singleNode(testRedisUrl()) });
    expect(opened).toMatchObject({ source: 'environment', description: `Redis at ${testRedisUrl()}` });
    expect(await opened.redis.ping()).toBe('PONG');
  });

  it('uses a Redis Cluster named by REDIS_CLUSTER_NODES (it used to fall back to a private node)', async () => {
    const cluster = await startPrivateCluster({ masters: 3, replicas: 0 });
    try {
      opened = await resolveLocalRedis({ configured: cluster.topology, defaultUrl: testRedisUrl() });
      expect(opened.source).toBe('environment');
      expect(opened.description).toContain('Redis Cluster via 127.0.0.1:');
      // keys of three slots land on the cluster's masters, not on the usual local Redis
      for (const key of ['{a}:k', '{b}:k', '{c}:k']) await opened.redis.set(key, '1');
      expect(await opened.redis.get('{c}:k')).toBe('1');
    } finally {
      await opened?.stop();
      opened = undefined;
      await cluster.stop();
    }
  }, 30_000);

  it('uses a Redis already listening at the usual address', async () => {
    opened = await resolveLocalRedis({ defaultUrl: testRedisUrl(), binary: null });
    expect(opened.source).toBe('local');
  });

  it('starts a private redis-server when nothing listens, and stops it afterwards', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    opened = await resolveLocalRedis({ defaultUrl: closed });
    expect(opened.source).toBe('private');
    expect(opened.description).toMatch(
      /^private redis-server at redis:\/\/127\.0\.0\.1:\d+ \(stopped on exit\)$/,
    );
    await opened.redis.set('local-mode-probe', '1');
    const url = `redis://127.0.0.1:${opened.redis.options.port}`;
    expect(url).not.toBe(closed);
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
