import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { watchRedis } from './watch.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export class RedisUnavailableError extends Error {}

/**
 * Opens a connection and proves it works before start-up goes on. Request paths fail fast rather
 * than queueing commands while Redis is away; workers duplicate it with their own settings.
 */
export async function connectRedis(url: string, options: RedisOptions = {}, logger?: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 3,
    // a command issued while Redis is away fails at once instead of waiting in memory
    enableOfflineQueue: false,
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
      `Cannot reach Redis at ${redactRedisUrl(url)}: ${(error as Error).message}. ` +
        'Start Redis (e.g. `redis-server` or `apt-get install redis-server`) or point REDIS_URL at one.',
    );
  }
  return redis;
}

/** Hides a password in a Redis URL before it is printed. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * Every Redis connection Quell opens comes from here: the request path's (fail fast), one per
 * queue (fail fast: enqueueing runs on request paths and must not hold a request while Redis is
 * away) and one per worker (rides out reconnects: BullMQ requires `maxRetriesPerRequest: null` on
 * blocking connections). Topologies (Cluster, Sentinel) only change how the base is built.
 * `close` ends them all, bounded: with Redis unreachable, QUIT would wait forever.
 */
export class RedisConnections {
  private readonly opened = new Set<Redis>();

  constructor(
    readonly requestPath: Redis,
    private readonly logger?: Logger,
  ) {
    watchRedis(requestPath, logger);
  }

  static async open(url: string, options: RedisOptions = {}): Promise<RedisConnections> {
    return new RedisConnections(await connectRedis(url, options));
  }

  forQueue(name: string): Redis {
    return this.duplicate(name, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  }

  forWorker(name: string): Redis {
    return this.duplicate(name, { enableOfflineQueue: true, maxRetriesPerRequest: null });
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
  named(name: string): Redis[] {
    return [...this.opened].filter((connection) => connection.options.connectionName === name);
  }

  private duplicate(name: string, options: RedisOptions): Redis {
    const connection = this.requestPath.duplicate({ lazyConnect: true, connectionName: name, ...options });
    // reconnects are ioredis's; they and errors are counted and logged (rate-limited) there
    watchRedis(connection, this.logger);
    connection.on('end', () => this.opened.delete(connection));
    this.opened.add(connection);
    return connection;
  }
}

/** QUIT (lets pending replies arrive) if Redis answers within `ms`; otherwise cut the connection. */
export async function closeWithin(connection: Redis, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([connection.quit().catch(() => undefined), late]);
  clearTimeout(timer);
  connection.disconnect();
}
