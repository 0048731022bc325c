import { Cluster, type Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  connectionNameOf,
  createRedisClient,
  duplicateClient,
  reconnectOnReadOnly,
} from '../../src/redis/client.js';

// lazyConnect: these clients are built and inspected, never connected (no Redis in unit tests)
describe('the connection factory', () => {
  it('builds a Cluster client from the startup nodes, with auth and TLS on every node', () => {
    const client = createRedisClient(
      {
        kind: 'cluster',
        nodes: [{ host: '10.0.0.1', port: 7000 }],
        auth: { username: 'quell', password: 'pw' },
        tls: true,
      },
      { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 3 },
    );
    expect(client).toBeInstanceOf(Cluster);
    const { options } = client as Cluster;
    expect(options).toMatchObject({ lazyConnect: true, enableOfflineQueue: false });
    expect(options.redisOptions).toMatchObject({
      username: 'quell',
      password: 'pw',
      tls: {},
      maxRetriesPerRequest: 3,
    });
    client.disconnect();
  });

  it('duplicates a Cluster with its startup nodes and options, the new settings in their places', () => {
    const base = createRedisClient(
      { kind: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }], auth: { password: 'pw' }, tls: false },
      { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 3 },
    );
    const worker = duplicateClient(base, {
      connectionName: 'jobs-background',
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    }) as Cluster;
    expect(worker).toBeInstanceOf(Cluster);
    expect(worker).not.toBe(base);
    expect(worker.options).toMatchObject({ lazyConnect: true, enableOfflineQueue: true });
    // BullMQ reads maxRetriesPerRequest of a Cluster's redisOptions: it must be null for a worker
    expect(worker.options.redisOptions).toMatchObject({ password: 'pw', maxRetriesPerRequest: null });
    expect(connectionNameOf(worker)).toBe('jobs-background');
    base.disconnect();
    worker.disconnect();
  });

  it('asks Sentinel for the master and follows failovers; reconnects on READONLY only', () => {
    const client = createRedisClient(
      {
        kind: 'sentinel',
        sentinels: [{ host: 's1', port: 26379 }],
        name: 'quell',
        auth: { password: 'data' },
        tls: false,
        sentinelAuth: { password: 'sentinel' },
        sentinelTls: false,
      },
      { lazyConnect: true },
    ) as Redis;
    expect(client.options).toMatchObject({
      name: 'quell',
      role: 'master',
      failoverDetector: true,
      password: 'data',
      sentinelPassword: 'sentinel',
    });
    const duplicate = duplicateClient(client, { connectionName: 'jobs-long' }) as Redis;
    expect(duplicate.options).toMatchObject({
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'quell',
      connectionName: 'jobs-long',
    });
    expect(reconnectOnReadOnly(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnectOnReadOnly(new Error('MOVED 1234 127.0.0.1:7001'))).toBe(false);
    client.disconnect();
    duplicate.disconnect();
  });
});
