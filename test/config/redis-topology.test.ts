import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv, redisTopology } from '../../src/config/env.js';

const topologyOf = (vars: Record<string, string>) => redisTopology(loadEnv({ QUELL_MODE: 'local', ...vars }));
const problemOf = (vars: Record<string, string>) => {
  try {
    loadEnv({ QUELL_MODE: 'local', ...vars });
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as Error).message;
  }
  throw new Error('expected the environment to be refused');
};

describe('the Redis topology from the environment', () => {
  it('defaults to one node on 127.0.0.1:6379 and reads REDIS_URL with its credentials and TLS', () => {
    expect(topologyOf({})).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379', auth: {}, tls: false });
    expect(topologyOf({ REDIS_URL: 'rediss://quell:s3cret@redis.internal:6380' })).toMatchObject({
      kind: 'single',
      auth: { username: 'quell', password: 's3cret' },
      tls: true,
    });
    expect(
      topologyOf({ REDIS_URL: 'rediss://r:6379', REDIS_PASSWORD: 'pw', REDIS_TLS: 'true' }),
    ).toMatchObject({
      auth: { password: 'pw' },
      tls: true,
    });
  });

  it('reads cluster nodes as host:port or URLs, with auth and TLS from the URLs or the variables', () => {
    expect(topologyOf({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001' })).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      auth: {},
      tls: false,
    });
    expect(
      topologyOf({ REDIS_CLUSTER_NODES: 'rediss://u:p%40ss@a:7000,rediss://u:p%40ss@b:7000' }),
    ).toMatchObject({ auth: { username: 'u', password: 'p@ss' }, tls: true });
    expect(
      topologyOf({
        REDIS_CLUSTER_NODES: 'a:7000',
        REDIS_USERNAME: 'quell',
        REDIS_PASSWORD: 'pw',
        REDIS_TLS: 'yes',
      }),
    ).toMatchObject({ auth: { username: 'quell', password: 'pw' }, tls: true });
  });

  it('reads sentinels, the master group, and separate auth and TLS for the sentinels', () => {
    expect(
      topologyOf({
        REDIS_SENTINELS: 's1:26379,s2:26379,s3:26379',
        REDIS_SENTINEL_NAME: 'quell',
        REDIS_PASSWORD: 'data-pw',
        REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
        REDIS_SENTINEL_TLS: 'true',
      }),
    ).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: 's3', port: 26379 },
      ],
      name: 'quell',
      auth: { password: 'data-pw' },
      tls: false,
      sentinelAuth: { password: 'sentinel-pw' },
      sentinelTls: true,
    });
  });

  it('refuses bad combinations with a message naming the variable and what to do, never the secret', () => {
    expect(problemOf({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' })).toMatch(
      /REDIS_URL: set only one of REDIS_URL \(one node\), REDIS_CLUSTER_NODES \(Cluster\) or REDIS_SENTINELS/,
    );
    expect(problemOf({ REDIS_SENTINELS: 's1:26379' })).toMatch(
      /REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS/,
    );
    expect(problemOf({ REDIS_SENTINEL_NAME: 'quell' })).toMatch(
      /REDIS_SENTINEL_NAME: only applies with REDIS_SENTINELS/,
    );
    expect(problemOf({ REDIS_SENTINEL_PASSWORD: 'x', REDIS_URL: 'redis://a:1' })).toMatch(
      /REDIS_SENTINEL_PASSWORD: only applies with REDIS_SENTINELS/,
    );
    expect(problemOf({ REDIS_CLUSTER_NODES: 'a' })).toMatch(/"a" needs a host and a port/);
    expect(problemOf({ REDIS_CLUSTER_NODES: 'redis://a:7000/2' })).toMatch(
      /a database number does not apply/,
    );
    expect(problemOf({ REDIS_CLUSTER_NODES: 'http://a:7000' })).toMatch(/use redis:\/\/ or rediss:\/\//);
    expect(problemOf({ REDIS_CLUSTER_NODES: 'redis://a:7000,rediss://b:7000' })).toMatch(
      /mixes redis:\/\/ and rediss:\/\//,
    );
    expect(problemOf({ REDIS_URL: 'rediss://a:6379', REDIS_TLS: 'false' })).toMatch(
      /REDIS_TLS: is false but the addresses use rediss:\/\//,
    );
    expect(problemOf({ REDIS_TLS: 'maybe' })).toMatch(/REDIS_TLS: must be true or false/);
    const both = problemOf({ REDIS_URL: 'redis://u:hunter2@a:6379', REDIS_PASSWORD: 'other' });
    expect(both).toMatch(/credentials are both in REDIS_URL and in REDIS_USERNAME \/ REDIS_PASSWORD/);
    expect(both).not.toContain('hunter2');
    const inSentinel = problemOf({ REDIS_SENTINELS: 'redis://u:hunter2@s1:26379', REDIS_SENTINEL_NAME: 'q' });
    expect(inSentinel).toMatch(
      /put the sentinels' credentials in REDIS_SENTINEL_USERNAME \/ REDIS_SENTINEL_PASSWORD/,
    );
    expect(inSentinel).not.toContain('hunter2');
  });
});
