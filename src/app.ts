import { App, LogLevel } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { normalizeSlackApiUrl } from './config/env.js';
import type { HttpApi } from './http-api/router.js';
import type { WorkspaceIdentity } from './incidents/authorize-workspace.js';
import { boltLogger } from './logging/bolt-logger.js';
import { noteReceivedAt } from './ops/ack-timing.js';
import type { ListenerDeps } from './slack/boundary/deps.js';
import { registerListeners } from './slack/listeners/index.js';
import { guardedHttpReceiver } from './slack/receiver/http-receiver.js';
import { ReplayGuard } from './slack/receiver/replay-guard.js';
import { learnWorkspace, onlyThisWorkspace } from './slack/receiver/workspace-check.js';
import { type Deliveries, DeliveryLedger, skipRedeliveries } from './slack/redeliveries.js';

export type SlackConnection =
  | { kind: 'socket'; botToken: string; appToken: string }
  | {
      kind: 'http';
      botToken: string;
      signingSecret: string;
      /** The interface to listen on; the local workspace binds 127.0.0.1 (default: all). */
      host?: string;
    };

export interface BuildAppOptions {
  connection: SlackConnection;
  /**
   * What the listeners may use (Services satisfies it). When it also carries Redis and the served
   * workspace (Services does), requests get the full hygiene: replays dropped, other workspaces refused.
   */
  services: ListenerDeps & { redis?: Redis; workspace?: WorkspaceIdentity };
  /** Web API base URL: GovSlack, or the local emulator. */
  slackApiUrl?: string;
  /**
   * The bot's ids, when already known (tests, the local workspace). Without them Bolt learns them
   * with one auth.test call at start-up, which also proves the token works, and Quell learns the
   * workspace whose requests it accepts (unless the config's `workspace:` names it).
   */
  botIdentity?: { botId: string; botUserId: string };
  /**
   * Socket Mode: where deliveries already taken are remembered, so a redelivery runs once (default:
   * in `services.redis` when it is there).
   */
  deliveries?: Deliveries;
  /** HTTP mode: Quell's non-Slack routes (`/api/*`), served on the receiver's port in front of Bolt. */
  api?: HttpApi;
}

/** Builds the Bolt app and registers listeners. No I/O here: `start` is the caller's. */
export function buildApp({
  connection,
  services,
  slackApiUrl,
  botIdentity,
  deliveries,
  api,
}: BuildAppOptions): App {
  const logger = boltLogger(services.logger);
  const clientOptions = {
    ...(slackApiUrl ? { slackApiUrl: normalizeSlackApiUrl(slackApiUrl) } : {}),
    // listeners' own calls (views.open, ...) are bounded like every other Web API call
    timeout: services.config.jobs.slackTimeout.request,
  };
  const common = {
    token: connection.botToken,
    logger,
    logLevel: LogLevel.INFO,
    clientOptions,
    ...botIdentity,
  };
  const replays = services.redis
    ? new ReplayGuard(services.redis, services.config.redis.keyPrefix)
    : undefined;
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
          receiver: guardedHttpReceiver({
            signingSecret: connection.signingSecret,
            endpoints: '/slack/events',
            logger,
            log: services.logger,
            ...(replays ? { replays } : {}),
            ...(api ? { api } : {}),
            // ack first, work after: responses go back to Slack as soon as ack() is called
            processBeforeResponse: false,
            customRoutes: [
              {
                // liveness on the receiver's port too (older probes); readiness and metrics are the
                // ops listener's (src/ops), in both transports
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
  // first: an ack is timed from the request's arrival, before the checks below (quell_slack_ack_duration_seconds)
  app.use(noteReceivedAt as never);
  const workspace = services.workspace;
  // before every listener: a request for another workspace, enterprise or app goes no further
  if (workspace) app.use(onlyThisWorkspace(workspace, services.logger));
  // Socket Mode redelivers an envelope whose ack Slack missed: acked again, run once
  const ledger =
    deliveries ??
    (services.redis ? new DeliveryLedger(services.redis, services.config.redis.keyPrefix) : undefined);
  if (connection.kind === 'socket' && ledger) app.use(skipRedeliveries(ledger, services.logger));
  const start = app.start.bind(app);
  app.start = (async (...args: Parameters<App['start']>) => {
    if (workspace && !botIdentity && !workspace.current) await learnWorkspace(app.client, workspace);
    const host = connection.kind === 'http' ? connection.host : undefined;
    return host && typeof args[0] === 'number' ? start({ port: args[0], host }) : start(...args);
  }) as App['start'];
  registerListeners(app, services);
  return app;
}
