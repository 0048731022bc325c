import type { SlackConnection } from './app.js';
import { configLocation, EnvError, loadEnv, redisTopology, resolveMode } from './config/env.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { armCrashPoint } from './jobs/crash-points.js';
import { createLogger } from './logging/logger.js';
import { asCommandClient } from './redis/client.js';
import { closeWithin, connectRedis, RedisUnavailableError } from './redis/connection.js';
import { describeTopology } from './redis/topology.js';
import { type Runtime, startQuell, stopOnSignals } from './runtime.js';

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
  armCrashPoint(env.QUELL_CRASH_AT);
  // Running jobs get the drain time (jobs.drainTimeout); the process is gone by then whatever happens.
  const deadlineMs = config.jobs.drainTimeout;
  if (resolveMode(env) === 'local') {
    const { startLocalWorkspace } = await import('./local/start.js');
    const local = await startLocalWorkspace({ env, config, logger, secrets });
    stopOnSignals({ logger, deadlineMs, stop: () => local.stop() });
    return;
  }
  // Installed before anything connects, so a signal during start-up (Redis unreachable, Slack
  // slow) still ends the process within the deadline.
  let runtime: Runtime | undefined;
  let redis: Awaited<ReturnType<typeof connectRedis>> | undefined;
  stopOnSignals({
    logger,
    deadlineMs,
    stop: async () => {
      await runtime?.stop();
      if (redis) await closeWithin(redis, 200);
    },
  });
  const connection: SlackConnection = env.SLACK_APP_TOKEN
    ? { kind: 'socket', botToken: env.SLACK_BOT_TOKEN!, appToken: env.SLACK_APP_TOKEN }
    : { kind: 'http', botToken: env.SLACK_BOT_TOKEN!, signingSecret: env.SLACK_SIGNING_SECRET! };
  const topology = redisTopology(env);
  redis = await connectRedis(topology, {}, logger);
  logger.info({ redis: describeTopology(topology) }, 'connected to Redis');
  runtime = await startQuell({
    config,
    logger,
    redis: asCommandClient(redis),
    connection,
    secrets,
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    port: env.PORT,
    ops: { port: env.QUELL_OPS_PORT, host: env.QUELL_OPS_HOST },
  });
}

main().catch((error: unknown) => {
  const known =
    error instanceof EnvError || error instanceof ConfigError || error instanceof RedisUnavailableError;
  console.error(known ? `quell: ${(error as Error).message}` : error);
  process.exit(1);
});
