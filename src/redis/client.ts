import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { RedisTopology } from './topology.js';

/** A connection to any topology: ioredis's `Redis` (one node, Sentinel) or `Cluster`. */
export type RedisClient = Redis | Cluster;

/**
 * After a Sentinel failover (or a manual `REPLICAOF`), a connection still open to the old master
 * gets READONLY on every write. ioredis reconnects when told to (2: reconnect and resend the failed
 * command); with Sentinel it asks the sentinels for the current master on reconnect, so writes go
 * on against the new master without a restart.
 */
export function reconnectOnReadOnly(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

/**
 * The one place a Redis client is constructed. `options` are per-connection settings (timeouts,
 * retries, offline queue, name); the topology decides where they apply: on a Cluster, per node
 * (`redisOptions`) except the ones ioredis reads at the cluster level.
 */
export function createRedisClient(topology: RedisTopology, options: RedisOptions = {}): RedisClient {
  const auth = {
    ...(topology.auth.username ? { username: topology.auth.username } : {}),
    ...(topology.auth.password ? { password: topology.auth.password } : {}),
  };
  const tls = topology.tls ? { tls: {} } : {};
  const common: RedisOptions = { reconnectOnError: reconnectOnReadOnly, ...auth, ...tls, ...options };
  switch (topology.kind) {
    case 'single':
      return new Redis(topology.url, common);
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: topology.sentinels,
        name: topology.name,
        role: 'master',
        // subscribes to +switch-master on a sentinel, so a failover is followed at once rather
        // than at the next failed command
        failoverDetector: true,
        ...(topology.sentinelAuth.username ? { sentinelUsername: topology.sentinelAuth.username } : {}),
        ...(topology.sentinelAuth.password ? { sentinelPassword: topology.sentinelAuth.password } : {}),
        ...(topology.sentinelTls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
      });
    case 'cluster':
      return new Cluster(topology.nodes, clusterOptions(common));
  }
}

/**
 * A new connection like `client` with `options` on top. On a Cluster, `duplicate(options)` (the
 * single-node call) would read the options as startup nodes and drop them: the new Cluster gets the
 * same startup nodes and the options in their cluster and per-node places. (BullMQ's own
 * `duplicate()` without arguments is fine on both.)
 */
export function duplicateClient(client: RedisClient, options: RedisOptions): RedisClient {
  // no startup nodes given: the same ones; the options are merged shallowly, so redisOptions whole
  if (client instanceof Cluster)
    return client.duplicate([], clusterOptions({ ...client.options.redisOptions, ...options }));
  return client.duplicate(options);
}

/** The name a connection shows in CLIENT LIST and in Quell's metrics and logs. */
export function connectionNameOf(client: RedisClient): string | undefined {
  return client instanceof Cluster
    ? client.options.redisOptions?.connectionName
    : client.options.connectionName;
}

/** Settings ioredis reads at the cluster level, not per node. */
const CLUSTER_LEVEL = [
  'lazyConnect',
  'enableOfflineQueue',
  'enableReadyCheck',
  'enableAutoPipelining',
] as const;

function clusterOptions(options: RedisOptions): ClusterOptions {
  const { retryStrategy: _perNode, ...redisOptions } = options;
  const clusterLevel: ClusterOptions = {};
  for (const key of CLUSTER_LEVEL) {
    if (options[key] === undefined) continue;
    (clusterLevel as Record<string, unknown>)[key] = options[key];
    delete (redisOptions as RedisOptions)[key];
  }
  return {
    ...clusterLevel,
    redisOptions,
    // MOVED/ASK are followed with a slot refresh; a bounded number, then the command fails
    maxRedirections: 16,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
  };
}

/**
 * The stores are typed against ioredis's `Redis`. Every command they send (strings, hashes, lists,
 * sorted sets, EVAL, MULTI) has the same signature on `Cluster`, both being ioredis `Commander`s,
 * and each sends keys of one hash tag per command (redis/keys.ts); `duplicate()`, the one call that
 * differs, goes through `duplicateClient`. This is where a Cluster is handed to them.
 */
export function asCommandClient(client: RedisClient): Redis {
  return client as Redis;
}
