import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { asCommandClient } from '../redis/client.js';
import { connectRedis, DEFAULT_REDIS_URL, RedisUnavailableError } from '../redis/connection.js';
import { startPrivateRedis } from '../redis/private-server.js';
import { describeTopology, type RedisTopology, singleNode } from '../redis/topology.js';

/**
 * Redis for local mode, in this order: the topology the environment names (REDIS_URL,
 * REDIS_CLUSTER_NODES or REDIS_SENTINELS), if any; else a Redis already listening on
 * 127.0.0.1:6379; else a private `redis-server` child process (stopped with Quell); else a clear
 * message saying how to install Redis.
 */
export interface LocalRedis {
  redis: Redis;
  /** What it is, for the start-up banner (passwords hidden). */
  description: string;
  source: 'environment' | 'local' | 'private';
  /** Closes the connection and stops the private redis-server, if one was started. */
  stop(): Promise<void>;
}

export interface LocalRedisOptions {
  /** Set when the environment names a Redis (any of the three variables). */
  configured?: RedisTopology;
  logger?: Logger;
  /** Where the usual local Redis listens (tests point this at a closed port). */
  defaultUrl?: string;
  /** Whether redis-server may be started; default: when it is on PATH (tests pass null for "not installed"). */
  binary?: string | null;
  /** Keep the private Redis's data here (append-only file) instead of a throw-away directory. */
  dataDir?: string;
}

export const INSTALL_REDIS_HINT =
  'Quell needs Redis. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) ' +
  'so local mode can start a private one, run one on 127.0.0.1:6379, or set REDIS_URL=redis://host:6379.';

export async function resolveLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  if (options.configured) {
    const redis = await connectRedis(options.configured, {}, options.logger);
    return {
      redis: asCommandClient(redis),
      description: describeTopology(options.configured),
      source: 'environment',
      stop: async () => void (await redis.quit()),
    };
  }
  const defaultUrl = options.defaultUrl ?? DEFAULT_REDIS_URL;
  if (await isListening(defaultUrl)) {
    try {
      const redis = await connectRedis(defaultUrl);
      return {
        redis,
        description: describeTopology(singleNode(defaultUrl)),
        source: 'local',
        stop: async () => void (await redis.quit()),
      };
    } catch (error) {
      options.logger?.warn(
        { err: (error as Error).message },
        'local Redis refused the connection; starting a private one',
      );
    }
  }
  const binary = options.binary === undefined ? findRedisServer() : options.binary;
  if (!binary)
    throw new RedisUnavailableError(
      `No Redis at ${defaultUrl} and no redis-server on PATH. ${INSTALL_REDIS_HINT}`,
    );
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child = await startPrivateRedis({
    ...(options.dataDir ? { dir: options.dataDir, appendonly: true } : {}),
  });
  // never leave a redis-server behind, even when Quell crashes
  const killOnExit = () => child.process.kill('SIGTERM');
  process.once('exit', killOnExit);
  try {
    const redis = await connectRedis(child.url);
    return {
      redis,
      description: `private redis-server at ${child.url} (stopped on exit)`,
      source: 'private',
      async stop() {
        await redis.quit().catch(() => undefined);
        process.off('exit', killOnExit);
        await child.stop();
      },
    };
  } catch (error) {
    process.off('exit', killOnExit);
    await child.stop();
    throw error;
  }
}

export function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout?.trim();
  return found || undefined;
}

function isListening(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
