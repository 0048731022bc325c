import type { Logger } from '../logging/logger.js';
import { metrics } from '../ops/metrics.js';
import { connectionNameOf, type RedisClient } from './client.js';

/** At most one log line per connection in this window while Redis stays away; every error is counted. */
const LOG_EVERY_MS = 30_000;

interface Watch {
  logger?: Logger;
  lastLoggedAt: number;
  unlogged: number;
  failing: boolean;
}

const watched = new WeakMap<RedisClient, Watch>();

/**
 * Counts a connection's errors and reconnects (quell_redis_connection_errors_total,
 * quell_redis_reconnects_total) and logs them rate-limited, so an operator sees Redis trouble
 * before commands fail, without a line per retry. Idempotent: a second call only adds the logger.
 */
export function watchRedis(connection: RedisClient, logger?: Logger): void {
  const existing = watched.get(connection);
  if (existing) {
    existing.logger ??= logger;
    return;
  }
  const watch: Watch = { ...(logger ? { logger } : {}), lastLoggedAt: 0, unlogged: 0, failing: false };
  watched.set(connection, watch);
  const name = connectionNameOf(connection) || 'request-path';
  const log = (level: 'warn' | 'error', fields: Record<string, unknown>, message: string) => {
    const now = Date.now();
    if (now - watch.lastLoggedAt < LOG_EVERY_MS) {
      watch.unlogged++;
      return;
    }
    watch.lastLoggedAt = now;
    const suppressed = watch.unlogged;
    watch.unlogged = 0;
    watch.logger?.[level]({ connection: name, ...fields, ...(suppressed ? { suppressed } : {}) }, message);
  };
  connection.on('error', (error: Error) => {
    metrics.redisError(name);
    watch.failing = true;
    // ioredis's error carries no credentials; the URL is not part of it
    log(
      'error',
      { err: { message: error.message, code: (error as NodeJS.ErrnoException).code } },
      'Redis connection error',
    );
  });
  // a Cluster reports a node's trouble as `node error` (its `error` is for the cluster as a whole)
  connection.on('node error', (error: Error, node?: string) => {
    metrics.redisError(name);
    watch.failing = true;
    log(
      'error',
      { node, err: { message: error.message, code: (error as NodeJS.ErrnoException).code } },
      'Redis Cluster node error',
    );
  });
  connection.on('reconnecting', (delayMs: number) => {
    metrics.redisReconnect(name);
    log('warn', { delayMs }, 'Redis reconnecting');
  });
  connection.on('ready', () => {
    if (!watch.failing) return;
    watch.failing = false;
    watch.lastLoggedAt = 0;
    watch.logger?.info({ connection: name }, 'Redis connection restored');
  });
}
