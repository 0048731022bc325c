import { dirname, join, resolve } from 'node:path';
import { type Env, redisTopology } from '../config/env.js';
import type { QuellConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { redisVariablesSet } from '../redis/topology.js';
import { startLocalQuell } from './harness.js';
import { resolveLocalRedis } from './redis.js';
import { LOCAL_IDS } from './seed.js';

export interface LocalWorkspaceOptions {
  env: Env;
  config: QuellConfig;
  logger: Logger;
  /** Secrets the config file names (main passes the process environment). */
  secrets: NodeJS.ProcessEnv;
}

export interface LocalWorkspace {
  /** Stops Quell, the emulator and Redis (a private redis-server too). main calls it on SIGINT/SIGTERM. */
  stop(): Promise<void>;
}

/**
 * Local mode (`npm start` without Slack credentials): Redis, the Slack emulator with its page, and
 * Quell against it over HTTP or Socket Mode. Ctrl-C stops everything, including a private redis-server.
 *
 * Environment: QUELL_LOCAL_PORT (page + emulator port, default 3030), QUELL_LOCAL_STATE (a JSON file
 * that keeps the workspace across restarts; the private Redis then keeps its data next to it),
 * QUELL_LOCAL_TRANSPORT (`http`, the default, or `socket`: Quell connects as a Socket Mode app).
 */
export async function startLocalWorkspace({
  env,
  config,
  logger,
  secrets,
}: LocalWorkspaceOptions): Promise<LocalWorkspace> {
  const port = env.QUELL_LOCAL_PORT;
  const statePath = env.QUELL_LOCAL_STATE ? resolve(env.QUELL_LOCAL_STATE) : undefined;
  const localRedis = await resolveLocalRedis({
    ...(redisVariablesSet(env).length > 0 ? { configured: redisTopology(env) } : {}),
    logger,
    ...(statePath ? { dataDir: join(dirname(statePath), 'redis') } : {}),
  });
  // local incidents never mix with a real deployment's keys in a shared Redis
  const keyPrefix = `${config.redis.keyPrefix}-local`;
  let local: Awaited<ReturnType<typeof startLocalQuell>>;
  try {
    local = await startLocalQuell({
      config: { ...config, redis: { ...config.redis, keyPrefix } },
      redis: localRedis.redis,
      logger,
      quellPort: env.PORT,
      transport: env.QUELL_LOCAL_TRANSPORT,
      secrets,
      ops: { port: env.QUELL_OPS_PORT, host: env.QUELL_OPS_HOST },
      emulator: { port, logger, ...(statePath ? { persistPath: statePath } : {}) },
    });
  } catch (error) {
    await localRedis.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(
        `A port is already in use (${(error as Error).message}). Set QUELL_LOCAL_PORT (page) or PORT (Quell) to free ports.`,
      );
    throw error;
  }

  const redisNote =
    localRedis.source === 'private'
      ? localRedis.description
      : `${localRedis.description} (${localRedis.source === 'environment' ? 'from the environment' : 'already running'}), keys under ${keyPrefix}:`;
  const lines = [
    '',
    '  Quell is running against its local workspace (no Slack needed).',
    '',
    `  Open  ${local.slack.pageUrl()}`,
    '',
    `  You are Alice; switch person in the top-left menu. Try in #support:  /incident declare sev2 Helpdesk agent issued refunds`,
    `  Transport: ${env.QUELL_LOCAL_TRANSPORT === 'socket' ? 'Socket Mode (Quell dials the local Slack)' : 'HTTP (signed requests to Quell)'}; QUELL_LOCAL_TRANSPORT=${env.QUELL_LOCAL_TRANSPORT === 'socket' ? 'http' : 'socket'} for the other`,
    `  Redis: ${redisNote}`,
    `  Workspace state: ${statePath ? `kept in ${statePath}` : 'in memory (set QUELL_LOCAL_STATE=.quell/local.json to keep it)'}`,
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  logger.info(
    {
      page: local.slack.pageUrl(),
      api: local.slack.apiUrl,
      quell: local.requestUrl ?? 'socket mode',
      defaultUser: LOCAL_IDS.alice,
    },
    'local workspace ready',
  );

  return {
    async stop() {
      try {
        await local.stop();
      } finally {
        await localRedis.stop();
      }
    },
  };
}
