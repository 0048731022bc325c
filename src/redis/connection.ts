import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export class RedisUnavailableError extends Error {}

/**
 * Opens a connection and proves it works before start-up goes on. Request paths fail fast rather
 * than queueing commands while Redis is away; workers duplicate it with their own settings.
 */
export async function connectRedis(url: string, options: RedisOptions = {}): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 3,
    // a command issued while Redis is away fails at once instead of waiting in memory
    enableOfflineQueue: false,
    ...options,
  });
  redis.on('error', () => {
    // connection errors surface through the commands that fail; without a listener ioredis prints them
  });
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
