import { Cluster, type Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { connectionNameOf, createRedisClient, duplicateClient, type RedisClient } from './client.js';
import { describeTopology, type RedisTopology, singleNode } from './topology.js';
import { watchRedis } from './watch.js';

export type { RedisClient } from './client.js';
export { DEFAULT_REDIS_URL, redactRedisUrl, singleNode } from './topology.js';

export class RedisUnavailableError extends Error {}

/**
 * Opens the request path's connection to any topology and proves it works before start-up goes on.
 * Request paths fail fast rather than queueing commands while Redis is away; queues and workers
 * duplicate it with their own settings (RedisConnections). A URL names one node.
 */
export async function connectRedis(url: string, options?: RedisOptions, logger?: Logger): Promise<Redis>;
export async function connectRedis(
  target: RedisTopology | string,
  options?: RedisOptions,
  logger?: Logger,
): Promise<RedisClient>;
export async function connectRedis(
  target: RedisTopology | string,
  options: RedisOptions = {},
  logger?: Logger,
): Promise<RedisClient> {
  const topology = typeof target === 'string' ? singleNode(target) : target;
  const redis = createRedisClient(topology, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 3,
    // a command issued while Redis is away fails at once instead of waiting in memory
    enableOfflineQueue: false,
    // the stores' commands issued in one event-loop tick go out in one write and one round trip
    // (a reminder run sends several, many runs at once): socket writes per command were the
    // workers' largest CPU cost. ioredis never auto-pipelines MULTI, SCRIPT, INFO and the like (a
    // MULTI goes out at once, ahead of commands of the same tick not yet written: every store
    // awaits a write before a transaction that depends on it). Not on a Cluster: ioredis groups a
    // tick's commands by the slot of their first argument, which for EVAL/EVALSHA is not a key, and
    // the batch fails ("All keys in the pipeline should belong to the same slots allocation group").
    enableAutoPipelining: topology.kind !== 'cluster',
    ...options,
  });
  // counted and logged (rate-limited); without a listener ioredis would print every one
  watchRedis(redis, logger);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(
      `Cannot reach ${describeTopology(topology)}: ${(error as Error).message}. ` +
        'Start Redis (e.g. `redis-server` or `apt-get install redis-server`) or point REDIS_URL, ' +
        'REDIS_CLUSTER_NODES or REDIS_SENTINELS at one.',
    );
  }
  // a single-node client on a Cluster node gets MOVED for most keys, forever: refuse to start instead
  if (!(redis instanceof Cluster) && (await clusterEnabled(redis))) {
    redis.disconnect();
    throw new RedisUnavailableError(
      `${describeTopology(topology)} is a Redis Cluster node: set REDIS_CLUSTER_NODES=${topology.kind === 'single' ? hostOf(topology.url) : 'host:port,...'} (and unset REDIS_URL) so Quell uses a Cluster client.`,
    );
  }
  return redis;
}

async function clusterEnabled(redis: Redis): Promise<boolean> {
  const info = await redis.info('cluster').catch(() => '');
  return /^cluster_enabled:1/m.test(info);
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 6379}`;
  } catch {
    return 'host:port';
  }
}

/** The longest a worker's blocking command may wait without a timeout of its own (BullMQ sets one). */
const WORKER_BLOCKING_TIMEOUT_MS = 10_000;

/**
 * Every Redis connection Quell opens comes from here: the request path's (fail fast), one per
 * queue (fail fast: enqueueing runs on request paths and must not hold a request while Redis is
 * away) and one per worker (rides out reconnects: BullMQ requires `maxRetriesPerRequest: null` on
 * blocking connections). Topologies (Cluster, Sentinel) only change how the base is built.
 * `close` ends them all, bounded: with Redis unreachable, QUIT would wait forever.
 */
export class RedisConnections {
  private readonly opened = new Set<RedisClient>();

  constructor(
    readonly requestPath: RedisClient,
    private readonly logger?: Logger,
  ) {
    watchRedis(requestPath, logger);
  }

  static async open(target: RedisTopology | string, options: RedisOptions = {}): Promise<RedisConnections> {
    return new RedisConnections(await connectRedis(target, options));
  }

  /**
   * Queue and worker connections are BullMQ's and are not auto-pipelined (BullMQ's maintainers do
   * not support it; with it users saw "Job is not in the active list" errors, taskforcesh/bullmq#457):
   * `duplicate` would otherwise copy the request path's setting.
   */
  forQueue(name: string): RedisClient {
    return this.duplicate(name, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      enableAutoPipelining: false,
    });
  }

  /**
   * `blockingTimeout`: a worker waits for jobs with BZPOPMIN; when the node it waits on dies (a
   * Cluster master killed, a failover) the reply may never come and the worker would wait forever
   * with jobs due. With it, ioredis gives up on a blocking command its own timeout (plus a grace)
   * after sending it, the worker sees the error and asks again, on the slot's new master.
   */
  forWorker(name: string): RedisClient {
    return this.duplicate(name, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      enableAutoPipelining: false,
      blockingTimeout: WORKER_BLOCKING_TIMEOUT_MS,
    });
  }

  /**
   * Closes every connection opened here (and the request path's unless `keepRequestPath`): QUIT
   * within `ms`, then cut, so closing never hangs on an unreachable Redis.
   */
  async close(ms = 1_000, options: { keepRequestPath?: boolean } = {}): Promise<void> {
    const all = [...this.opened, ...(options.keepRequestPath ? [] : [this.requestPath])];
    this.opened.clear();
    await Promise.all(all.map((connection) => closeWithin(connection, ms)));
  }

  /** The open connections opened for `name` (a queue or worker), for diagnostics and fault tests. */
  named(name: string): RedisClient[] {
    return [...this.opened].filter((connection) => connectionNameOf(connection) === name);
  }

  private duplicate(name: string, options: RedisOptions): RedisClient {
    const connection = duplicateClient(this.requestPath, {
      lazyConnect: true,
      connectionName: name,
      ...options,
    });
    // reconnects are ioredis's; they and errors are counted and logged (rate-limited) there
    watchRedis(connection, this.logger);
    connection.on('end', () => this.opened.delete(connection));
    this.opened.add(connection);
    return connection;
  }
}

/** QUIT (lets pending replies arrive) if Redis answers within `ms`; otherwise cut the connection. */
export async function closeWithin(connection: RedisClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([connection.quit().catch(() => undefined), late]);
  clearTimeout(timer);
  connection.disconnect();
}
