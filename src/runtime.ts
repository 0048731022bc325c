import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { type BuildAppOptions, buildApp, type SlackConnection } from './app.js';
import { type Clock, systemClock } from './clock.js';
import type { QuellConfig } from './config/schema.js';
import { AutoArchive } from './evidence/auto-archive.js';
import { boltLogger } from './logging/bolt-logger.js';
import type { Logger } from './logging/logger.js';
import { createServices, type Services } from './services.js';
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
  stop(): Promise<void>;
}

/** Wires services, the Bolt app and background workers, and starts them. Used by main, local mode and tests. */
export async function startQuell(options: RuntimeOptions): Promise<Runtime> {
  const { config, logger, redis, connection, slackApiUrl } = options;
  const client = new WebClient(connection.botToken, {
    logger: boltLogger(logger),
    ...(slackApiUrl ? { slackApiUrl: slackApiUrl.endsWith('/') ? slackApiUrl : `${slackApiUrl}/` } : {}),
  });
  const services = createServices({
    config,
    logger,
    clock: options.clock ?? systemClock,
    redis,
    chat: new SlackWebChat(client),
  });
  // Reminder jobs get their own client that fails fast on 429/5xx, so BullMQ's backoff does the retrying.
  const reminderWorker =
    options.reminderWorker === false
      ? undefined
      : await services.reminders.startWorker({
          chat: new SlackWebChat(
            new WebClient(connection.botToken, {
              logger: boltLogger(logger),
              ...BACKGROUND_CLIENT_OPTIONS,
              ...(slackApiUrl
                ? { slackApiUrl: slackApiUrl.endsWith('/') ? slackApiUrl : `${slackApiUrl}/` }
                : {}),
            }),
          ),
        });
  const autoArchive =
    options.evidenceWorker === false
      ? undefined
      : await AutoArchive.start({
          redis,
          config,
          logger,
          incidents: services.incidents,
          evidence: services.evidence,
        });
  const appOptions: BuildAppOptions = { connection, services, slackApiUrl, botIdentity: options.botIdentity };
  const app = buildApp(appOptions);
  const started = connection.kind === 'http' ? await app.start(options.port ?? 3000) : await app.start();
  const address = (started as { address?: () => { port: number } | string | null })?.address?.();
  const port = address && typeof address === 'object' ? address.port : undefined;
  logger.info({ mode: connection.kind, port }, 'Quell is running');
  return {
    services,
    port,
    // Graceful: stop taking reminder jobs and finish the running ones, stop the app, then close the
    // reminder connections. The caller closes the shared Redis connection afterwards.
    async stop() {
      await reminderWorker?.close();
      await autoArchive?.close();
      await app.stop();
      await services.afterAck.drain();
      await services.reminders.close();
    },
  };
}
