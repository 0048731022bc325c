import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { normalizeSlackApiUrl } from './config/env.js';
import { boltLogger } from './logging/bolt-logger.js';
import type { ListenerDeps } from './slack/boundary/deps.js';
import { registerListeners } from './slack/listeners/index.js';
import { type DeliveryLedger, skipRedeliveries } from './slack/redeliveries.js';

export type SlackConnection =
  | { kind: 'socket'; botToken: string; appToken: string }
  | { kind: 'http'; botToken: string; signingSecret: string };

export interface BuildAppOptions {
  connection: SlackConnection;
  /** What the listeners may use (Services satisfies it). */
  services: ListenerDeps;
  /** Web API base URL: GovSlack, or the local emulator. */
  slackApiUrl?: string;
  /**
   * The bot's ids, when already known (tests, the local workspace). Without them Bolt learns them
   * with one auth.test call at start-up, which also proves the token works.
   */
  botIdentity?: { botId: string; botUserId: string };
  /** Socket Mode: where deliveries already taken are remembered, so a redelivery runs once. */
  deliveries?: Pick<DeliveryLedger, 'firstTime'>;
}

/** Builds the Bolt app and registers listeners. No I/O here: `start` is the caller's. */
export function buildApp({
  connection,
  services,
  slackApiUrl,
  botIdentity,
  deliveries,
}: BuildAppOptions): App {
  const logger = boltLogger(services.logger);
  const clientOptions = {
    ...(slackApiUrl ? { slackApiUrl: normalizeSlackApiUrl(slackApiUrl) } : {}),
  };
  const common = {
    token: connection.botToken,
    logger,
    logLevel: LogLevel.INFO,
    clientOptions,
    ...botIdentity,
  };
  const app =
    connection.kind === 'socket'
      ? new App({
          ...common,
          socketMode: true,
          appToken: connection.appToken,
          // Bolt hands its SocketModeClient only installerOptions.clientOptions: apps.connections.open
          // must reach the same Slack (GovSlack, the emulator). A copy of its own, because the client
          // writes its reconnect retry policy (100 retries) into that object, and without one that
          // would be the App's clientOptions, shared by every listener's Web API client.
          installerOptions: { clientOptions: { ...clientOptions } },
        })
      : new App({
          ...common,
          receiver: new HTTPReceiver({
            signingSecret: connection.signingSecret,
            endpoints: '/slack/events',
            logger,
            // ack first, work after: responses go back to Slack as soon as ack() is called
            processBeforeResponse: false,
            customRoutes: [
              {
                path: '/healthz',
                method: ['GET'],
                handler: (_req, res) => {
                  res.writeHead(200, { 'content-type': 'application/json' });
                  res.end('{"ok":true}');
                },
              },
            ],
          }),
        });
  if (connection.kind === 'socket' && deliveries) app.use(skipRedeliveries(deliveries, services.logger));
  registerListeners(app, services);
  return app;
}
