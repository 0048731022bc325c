import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { type BuildAppOptions, buildApp, type SlackConnection } from './app.js';
import { type Clock, systemClock } from './clock.js';
import { normalizeSlackApiUrl } from './config/env.js';
import type { QuellConfig } from './config/schema.js';
import { boltLogger } from './logging/bolt-logger.js';
import type { Logger } from './logging/logger.js';
import { createServices, type Services, startWorkers } from './services.js';
import { DeliveryLedger } from './slack/redeliveries.js';
import { BACKGROUND_CLIENT_OPTIONS, SlackWebChat } from './slack/web-chat.js';

export interface RuntimeOptions {
  config: QuellConfig;
  logger: Logger;
  redis: Redis;
  connection: SlackConnection;
  slackApiUrl?: string;
  /** HTTP mode only: where the receiver listens (0 picks a free port). */
  port?: number;
  clock?: Clock;
  /** Secrets the config file names (main passes the process environment); none by default. */
  secrets?: NodeJS.ProcessEnv;
  /** Run the update-reminder worker in this process (default true); tests that do not want timers firing turn it off. */
  reminderWorker?: boolean;
  /** Run the archive-on-resolve worker in this process (default true). */
  evidenceWorker?: boolean;
  botIdentity?: BuildAppOptions['botIdentity'];
}

export interface Runtime {
  services: Services;
  /** HTTP mode: the port the receiver listens on. */
  port?: number;
  /** Stops intake, drains after-ack work, closes the workers and queues. The caller closes Redis. */
  stop(): Promise<void>;
}

/** Builds services, the Bolt app and background workers, and starts them. Used by main, local mode and tests. */
export async function startQuell(options: RuntimeOptions): Promise<Runtime> {
  const { config, logger, redis, connection } = options;
  const slackApiUrl = options.slackApiUrl ? normalizeSlackApiUrl(options.slackApiUrl) : undefined;
  const slackClient = (extra: WebClientOptions = {}) =>
    new WebClient(connection.botToken, {
      logger: boltLogger(logger),
      ...extra,
      ...(slackApiUrl ? { slackApiUrl } : {}),
    });
  const services = createServices({
    config,
    logger,
    clock: options.clock ?? systemClock,
    redis,
    chat: new SlackWebChat(slackClient()),
    secrets: options.secrets ?? {},
  });
  const workers = await startWorkers(services, {
    // reminder jobs get their own client that fails fast on 429/5xx, so BullMQ's backoff does the retrying
    reminderChat: new SlackWebChat(slackClient(BACKGROUND_CLIENT_OPTIONS)),
    ...(options.reminderWorker === false ? { reminders: false } : {}),
    ...(options.evidenceWorker === false ? { evidence: false } : {}),
  });
  const app = buildApp({
    connection,
    services,
    slackApiUrl,
    botIdentity: options.botIdentity,
    deliveries: new DeliveryLedger(redis, config.redis.keyPrefix),
  });
  const started = connection.kind === 'http' ? await app.start(options.port ?? 3000) : await app.start();
  const address = (started as { address?: () => { port: number } | string | null })?.address?.();
  const port = address && typeof address === 'object' ? address.port : undefined;
  logger.info({ mode: connection.kind, port }, 'Quell is running');
  return {
    services,
    port,
    async stop() {
      // intake first, so nothing new arrives while the rest winds down
      await app.stop();
      // the workers finish their running jobs, then the queue connections close
      await workers.close();
      await services.reminders.close();
    },
  };
}

export interface ShutdownOptions {
  logger: Logger;
  /** Everything to stop, in order, ending with Redis. */
  stop: () => Promise<void>;
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
}: ShutdownOptions): (signal: string) => Promise<void> {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let code = 0;
    try {
      await stop();
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
