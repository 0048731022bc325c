import { Cluster, type Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/redis/client.js';
import { connectRedis, RedisConnections } from '../../src/redis/connection.js';
import { testRedisUrl } from '../helpers/redis.js';

// The request path's commands are auto-pipelined (one write per event-loop tick); BullMQ's queue
// and worker connections, duplicated from it, must not be (BullMQ does not support it).
describe('auto-pipelining in the connection factory', () => {
  const opened: { disconnect(): void }[] = [];
  afterEach(() => {
    for (const client of opened.splice(0)) client.disconnect();
  });

  it('the request path batches the commands of one tick into one pipeline, replies in order', async () => {
    const redis = await connectRedis(testRedisUrl());
    opened.push(redis);
    expect(redis.options.enableAutoPipelining).toBe(true);
    const key = `autopipe-${Date.now()}`;
    const replies = Promise.all([redis.set(key, '1'), redis.incr(key), redis.get(key), redis.del(key)]);
    // queued for one write at the end of this tick, not written one by one
    expect(redis.autoPipelineQueueSize).toBe(4);
    expect(await replies).toEqual(['OK', 2, '2', 1]);
  });

  it('a MULTI is never auto-pipelined: it goes out at once, so a flow awaits before it (as the stores do)', async () => {
    const redis = await connectRedis(testRedisUrl());
    opened.push(redis);
    const key = `autopipe-multi-${Date.now()}`;
    // not awaited: the SET waits for the end of the tick, the MULTI is written before it
    const set = redis.set(key, '10');
    const unordered = await redis.multi().incr(key).exec();
    await set;
    expect(unordered).toEqual([[null, 1]]);
    // awaited first: the MULTI sees the write
    await redis.set(key, '10');
    expect(await redis.multi().incr(key).exec()).toEqual([[null, 11]]);
    await redis.del(key);
  });

  it("queue and worker connections duplicated from it are not auto-pipelined (BullMQ's)", async () => {
    const connections = new RedisConnections(await connectRedis(testRedisUrl()));
    const queue = connections.forQueue('jobs-background') as Redis;
    const worker = connections.forWorker('jobs-background') as Redis;
    expect(connections.requestPath.options.enableAutoPipelining).toBe(true);
    expect(queue.options.enableAutoPipelining).toBe(false);
    expect(worker.options.enableAutoPipelining).toBe(false);
    await connections.close();
  });

  it('on a Cluster (not auto-pipelined by connectRedis) the setting is cluster-level, and off for duplicates', async () => {
    const base = createRedisClient(
      { kind: 'cluster', nodes: [{ host: '127.0.0.1', port: 1 }], auth: {}, tls: false },
      { lazyConnect: true, enableAutoPipelining: true },
    ) as Cluster;
    opened.push(base);
    expect(base.options.enableAutoPipelining).toBe(true);
    expect(base.options.redisOptions).not.toHaveProperty('enableAutoPipelining');
    const connections = new RedisConnections(base);
    const worker = connections.forWorker('jobs-background') as Cluster;
    opened.push(worker);
    expect(worker).toBeInstanceOf(Cluster);
    expect(worker.options.enableAutoPipelining).toBe(false);
  });
});
