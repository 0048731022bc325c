import type { SlackConnection } from './app.js';
import { configLocation, EnvError, loadEnv, resolveMode } from './config/env.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { createLogger } from './logging/logger.js';
import { connectRedis, DEFAULT_REDIS_URL, RedisUnavailableError } from './redis/connection.js';
import { startQuell, stopOnSignals } from './runtime.js';

/**
 * Entry point: parse the environment once, load and validate config, connect Redis, start Slack
 * mode or local mode, and install the one shutdown handler.
 */
async function main(): Promise<void> {
  const env = loadEnv(process.env);
  // Adapters and evidence storage read secrets under names the config file chooses, so those
  // cannot be in the env schema; they get the environment explicitly, from here only.
  const secrets = process.env;
  const { path, required } = configLocation(env);
  const config = loadConfigFile(path, { required });
  const logger = createLogger(env.LOG_LEVEL);
  if (resolveMode(env) === 'local') {
    const { startLocalWorkspace } = await import('./local/start.js');
    const local = await startLocalWorkspace({ env, config, logger, secrets });
    stopOnSignals({ logger, stop: () => local.stop() });
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
    secrets,
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    port: env.PORT,
  });
  stopOnSignals({
    logger,
    stop: async () => {
      await runtime.stop();
      await redis.quit();
    },
  });
}

main().catch((error: unknown) => {
  const known =
    error instanceof EnvError || error instanceof ConfigError || error instanceof RedisUnavailableError;
  console.error(known ? `quell: ${(error as Error).message}` : error);
  process.exit(1);
});
