import type { SlackConnection } from './app.js';
import { EnvError, loadEnv, resolveMode } from './config/env.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { createLogger } from './logging/logger.js';
import { connectRedis, DEFAULT_REDIS_URL, RedisUnavailableError } from './redis/connection.js';
import { startQuell } from './runtime.js';

/** Entry point: validate env and config, connect Redis, start Slack mode or local mode. */
async function main(): Promise<void> {
  const env = loadEnv();
  const config = loadConfigFile(env.QUELL_CONFIG, { required: process.env.QUELL_CONFIG !== undefined });
  const logger = createLogger(env.LOG_LEVEL);
  const mode = resolveMode(env);
  if (mode === 'local') {
    const { startLocalWorkspace } = await import('./local/start.js');
    await startLocalWorkspace({ env, config, logger });
    return;
  }
  const connection: SlackConnection = env.SLACK_APP_TOKEN
    ? { kind: 'socket', botToken: env.SLACK_BOT_TOKEN!, appToken: env.SLACK_APP_TOKEN }
    : { kind: 'http', botToken: env.SLACK_BOT_TOKEN!, signingSecret: env.SLACK_SIGNING_SECRET! };
  const redis = await connectRedis(env.REDIS_URL ?? DEFAULT_REDIS_URL);
  const runtime = await startQuell({
    config,
    logger,
    redis,
    connection,
    slackApiUrl: env.SLACK_API_URL,
    port: env.PORT,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await runtime.stop();
    await redis.quit();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  const known =
    error instanceof EnvError || error instanceof ConfigError || error instanceof RedisUnavailableError;
  console.error(known ? `quell: ${(error as Error).message}` : error);
  process.exit(1);
});
