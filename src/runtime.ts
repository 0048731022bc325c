import type { Redis } from 'ioredis';
import { type BuildAppOptions, buildApp, type SlackConnection } from './app.js';
import { type Clock, systemClock } from './clock.js';
import { normalizeSlackApiUrl } from './config/env.js';
import type { QuellConfig } from './config/schema.js';
import { historyRates } from './evidence/index.js';
import { createHttpApi } from './http-api/router.js';
import { checkIdFloor } from './id-floor-check.js';
import type { IdFloorOutcome } from './incidents/id-floor.js';
import { type LaneName, SharedPacer, withDeadline } from './jobs/index.js';
import { boltLogger } from './logging/bolt-logger.js';
import type { Logger } from './logging/logger.js';
import { type OpsListener, type OpsOptions, startOps } from './ops/index.js';
import { RedisConnections } from './redis/connection.js';
import { migrateKeyLayout } from './redis/key-migration.js';
import { createServices, type Services, startWorkers } from './services.js';
import { SlackEvidenceReads } from './slack/evidence-reads.js';
import { DeliveryLedger } from './slack/redeliveries.js';
import { SlackWebUserDirectory } from './slack/user-directory.js';
import { createWebChat } from './slack/web-chat.js';

export interface RuntimeOptions {
  config: QuellConfig;
  logger: Logger;
  /** The request path's connection; every other connection is duplicated from it (RedisConnections). */
  redis: Redis;
  connection: SlackConnection;
  slackApiUrl?: string;
  /** HTTP mode only: where the receiver listens (0 picks a free port). */
  port?: number;
  clock?: Clock;
  /** Secrets the config file names (main passes the process environment); none by default. */
  secrets?: NodeJS.ProcessEnv;
  /**
   * Lanes whose jobs run in this process (default all). Tests that do not want timers firing
   * leave out `background`; a replica may leave `long` to others. `[]`: no workers here.
   */
  lanes?: readonly LaneName[];
  botIdentity?: BuildAppOptions['botIdentity'];
  /**
   * Check the id counter against the channels and bundles that exist, beside start-up (default on;
   * tests that count every Slack call from start-up turn it off: incidents/id-floor.ts).
   */
  idFloor?: boolean;
  /** The ops listener (/healthz, /readyz, /metrics); none when left out (most tests). */
  ops?: OpsOptions;
}

export interface Runtime {
  services: Services;
  /** HTTP mode: the port the receiver listens on. */
  port?: number;
  /** The ops listener's port, when it runs. */
  opsPort?: number;
  /** Start-up's id floor check (undefined when it failed or was turned off); declares wait for it. */
  idFloor?: Promise<IdFloorOutcome | undefined>;
  /**
   * Stops intake, lets running jobs finish within `jobs.drainTimeout` (then hands them back to
   * the queue), closes the queues and the connections they opened. Bounded, also with Redis down.
   * The caller closes the request path's Redis.
   */
  stop(): Promise<void>;
}

/** Builds services, the Bolt app and background workers, and starts them. Used by main, local mode and tests. */
export async function startQuell(options: RuntimeOptions): Promise<Runtime> {
  const { config, logger, redis, connection } = options;
  const slackApiUrl = options.slackApiUrl ? normalizeSlackApiUrl(options.slackApiUrl) : undefined;
  // an upgraded single-node deployment keeps its data under the Cluster-safe key names
  await migrateKeyLayout(redis, config.redis.keyPrefix, logger);
  const connections = new RedisConnections(redis, logger);
  // Slack's rate limits are per method and per channel, and shared by every replica
  const pacer = new SharedPacer(redis, `${config.redis.keyPrefix}:pace`);
  const chatOf = (mode: 'request' | 'background') =>
    createWebChat({
      token: connection.botToken,
      mode,
      timeoutMs: config.jobs.slackTimeout[mode],
      pacer,
      // history and replies at the pace the app's distribution allows (evidence.pace)
      rates: historyRates(config.evidence),
      logger: boltLogger(logger),
      ...(slackApiUrl ? { slackApiUrl } : {}),
    });
  const services = createServices({
    config,
    logger,
    clock: options.clock ?? systemClock,
    redis,
    connections,
    chat: chatOf('request'),
    // every job posts with the fail-fast client, so the job runtime's backoff does the retrying
    backgroundChat: chatOf('background'),
    secrets: options.secrets ?? {},
    // pins, bookmarks and file bytes for the evidence bundle
    evidenceReads: SlackEvidenceReads.create({
      token: connection.botToken,
      timeoutMs: config.jobs.slackTimeout.background,
      ...(slackApiUrl ? { slackApiUrl } : {}),
    }),
    // users.lookupByEmail: PagerDuty's on-call named as a Slack user (paging.onCall)
    directory: SlackWebUserDirectory.create({
      token: connection.botToken,
      timeoutMs: config.jobs.slackTimeout.background,
      ...(slackApiUrl ? { slackApiUrl } : {}),
    }),
  });
  // ids are never reused: the counter is checked against the channels and bundles that exist.
  // At Tier 2 a large workspace takes minutes to list, so it runs beside start-up and only a new
  // id waits for it; every other command works meanwhile.
  const idFloor =
    options.idFloor === false
      ? undefined
      : checkIdFloor(services, {
          token: connection.botToken,
          pacer,
          ...(slackApiUrl ? { slackApiUrl } : {}),
        }).catch((error: unknown) => {
          logger.error({ err: error }, 'id floor check failed; the id counter was not checked');
          return undefined;
        });
  if (idFloor) services.incidents.holdIdsUntil(idFloor);
  const lanes = options.lanes;
  if (!lanes || lanes.length > 0) await startWorkers(services, lanes ? { lanes } : {});
  // /api/* (alert intake, REST API): the receiver's port in HTTP mode, the ops listener's in Socket Mode
  const api = createHttpApi({ routes: services.httpRoutes, logger });
  const app = buildApp({
    connection,
    services,
    slackApiUrl,
    botIdentity: options.botIdentity,
    deliveries: new DeliveryLedger(redis, config.redis.keyPrefix),
    ...(connection.kind === 'http' ? { api } : {}),
  });
  const started = connection.kind === 'http' ? await app.start(options.port ?? 3000) : await app.start();
  const address = (started as { address?: () => { port: number } | string | null })?.address?.();
  const port = address && typeof address === 'object' ? address.port : undefined;
  let ops: OpsListener | undefined;
  if (options.ops)
    ops = await startOps({
      options: options.ops,
      logger,
      redis,
      jobs: services.jobs,
      runsWorkers: !lanes || lanes.length > 0,
      botToken: connection.botToken,
      ...(slackApiUrl ? { slackApiUrl } : {}),
      ...(connection.kind === 'socket' ? { api } : {}),
    }).catch((error: unknown) => {
      // an ops-port clash must not take incident response down with it; said loudly instead
      logger.error(
        { err: error, port: options.ops?.port },
        'ops listener not started: no /readyz or /metrics',
      );
      return undefined;
    });
  logger.info({ mode: connection.kind, port, opsPort: ops?.port }, 'Quell is running');
  return {
    services,
    port,
    ...(ops ? { opsPort: ops.port } : {}),
    ...(idFloor ? { idFloor } : {}),
    async stop() {
      // probes see the replica go first, so traffic moves elsewhere while it drains
      await ops?.close();
      // one budget for the whole stop: the drain time (what a container runtime grants after SIGTERM)
      const deadline = Date.now() + config.jobs.drainTimeout;
      // intake first, so nothing new arrives while the rest winds down (bounded: closing a
      // Socket Mode connection waits on the network)
      await withDeadline(app.stop(), Math.min(5_000, config.jobs.drainTimeout / 5)).catch((error: unknown) =>
        logger.warn({ err: error }, 'Slack intake did not stop cleanly'),
      );
      // running jobs finish, or are handed back to other replicas, within what is left
      await services.jobs.stop(Math.max(0, deadline - Date.now() - 500));
      await connections.close(250, { keepRequestPath: true });
    },
  };
}

export interface ShutdownOptions {
  logger: Logger;
  /** Everything to stop, in order, ending with Redis. */
  stop: () => Promise<void>;
  /**
   * The process exits after this long even if `stop` has not finished (Redis unreachable, a job
   * ignoring its abort signal): a container runtime kills hard soon after SIGTERM anyway, and
   * an orphaned Quell must never linger. Default 30 s (the default drain time plus a margin).
   */
  deadlineMs?: number;
  /** Test seam; default process.exit. */
  exit?: (code: number) => void;
}

/**
 * The one shutdown path for every mode: on SIGTERM or SIGINT run `stop` once, then exit (1 when
 * stopping failed). Returns the handler so tests can call it without sending a signal.
 */
export function stopOnSignals({
  logger,
  stop,
  exit = process.exit,
  deadlineMs = 30_000,
}: ShutdownOptions): (signal: string) => Promise<void> {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let code = 0;
    try {
      await withDeadline(stop(), deadlineMs);
    } catch (error) {
      logger.error({ err: error }, 'shutdown did not finish cleanly');
      code = 1;
    } finally {
      exit(code);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return shutdown;
}
