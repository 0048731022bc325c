import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { Incident } from '../incidents/model.js';
import type { Logger } from '../logging/logger.js';
import { type Runtime, type RuntimeOptions, startQuell } from '../runtime.js';
import type { DeliveryResult } from './emulator/delivery.js';
import { SlackEmulator, type SlackEmulatorOptions } from './emulator/emulator.js';
import { LOCAL_IDS, LOCAL_SEED, localConfig } from './seed.js';

/**
 * The local workspace with Quell running against it: the Slack emulator plus Quell's real runtime
 * (HTTP receiver with signature checks, or Socket Mode over the emulator's WebSocket with
 * `transport: 'socket'`; Web API through SLACK_API_URL). Used by `npm start` without
 * Slack credentials, by end-to-end tests (test/helpers/local-slack.ts) and by benchmarks.
 *
 *   const local = await startLocalQuell({ config, redis, logger });
 *   const { incident, channel } = await local.declareIncident({ title: 'Agent refunded $4,200' });
 *   await local.command('sev sev2', { channel: channel });     // as Alice by default
 *   local.slack.messages(channel) / pins(channel) / ephemerals({ user }) / callCounts() ...
 *   await local.stop();
 */
export interface LocalQuellOptions {
  config: QuellConfig;
  redis: Redis;
  logger: Logger;
  clock?: Clock;
  emulator?: SlackEmulatorOptions;
  /** Port of Quell's HTTP receiver; 0 (default) picks a free one. */
  quellPort?: number;
  /** How Slack reaches Quell: signed HTTP to its receiver (default) or Socket Mode. */
  transport?: 'http' | 'socket';
  /** Secrets the config file names (containment adapters, S3 storage); none by default. */
  secrets?: NodeJS.ProcessEnv;
  /** The ops listener (/healthz, /readyz, /metrics); none when left out. */
  ops?: RuntimeOptions['ops'];
}

export interface LocalQuell {
  slack: SlackEmulator;
  runtime: Runtime;
  /** The config Quell runs with (the seeded announcement channel and responders filled in). */
  config: QuellConfig;
  /** Quell's request URL (…/slack/events); undefined over Socket Mode, where Quell dials out. */
  requestUrl: string | undefined;
  /** Types a slash command as a person (default Alice in #support) and returns Quell's ack. */
  command(
    text: string,
    options?: { user?: string; channel?: string; command?: string },
  ): Promise<DeliveryResult & { known: boolean }>;
  /** Declares through `/incident declare` and waits for the channel with its pinned summary. */
  declareIncident(input: {
    title: string;
    severity?: 'sev1' | 'sev2' | 'sev3' | 'sev4';
    user?: string;
    channel?: string;
    flags?: string;
    timeoutMs?: number;
  }): Promise<{ incident: Incident; channel: string }>;
  stop(): Promise<void>;
}

export async function startLocalQuell(options: LocalQuellOptions): Promise<LocalQuell> {
  const seed = options.emulator?.seed === false ? undefined : (options.emulator?.seed ?? LOCAL_SEED);
  const transport = options.transport ?? options.emulator?.transport ?? 'http';
  const slack = await SlackEmulator.start({ logger: options.logger, ...options.emulator, transport });
  const config = seed
    ? localConfig(options.config, seed, (message) => options.logger.warn(message))
    : options.config;
  let runtime: Runtime;
  try {
    runtime = await startQuell({
      config,
      logger: options.logger,
      redis: options.redis,
      connection:
        transport === 'socket'
          ? { kind: 'socket', botToken: slack.botToken, appToken: slack.appToken }
          : // the local receiver is for this machine only
            { kind: 'http', botToken: slack.botToken, signingSecret: slack.signingSecret, host: '127.0.0.1' },
      slackApiUrl: slack.apiUrl,
      port: options.quellPort ?? 0,
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.ops ? { ops: options.ops } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  } catch (error) {
    await slack.close();
    throw error;
  }
  const requestUrl = transport === 'http' ? `http://127.0.0.1:${runtime.port}/slack/events` : undefined;
  slack.setRequestUrl(requestUrl);

  const command: LocalQuell['command'] = (text, opts = {}) =>
    slack.sendCommand({
      user: opts.user ?? LOCAL_IDS.alice,
      channel: opts.channel ?? LOCAL_IDS.support,
      text,
      ...(opts.command ? { command: opts.command } : {}),
    });

  return {
    slack,
    runtime,
    config,
    requestUrl,
    command,
    async declareIncident(input) {
      const before = new Set(slack.channels().map((c) => c.id));
      const flags = input.flags ? `${input.flags} ` : '';
      const ack = await command(`declare ${flags}${input.severity ?? 'sev2'} ${input.title}`, {
        ...(input.user ? { user: input.user } : {}),
        ...(input.channel ? { channel: input.channel } : {}),
      });
      if (ack.error) throw new Error(`Quell did not acknowledge the declare command: ${ack.error}`);
      const channel = await slack.waitFor(
        () => slack.channels().find((c) => !before.has(c.id) && !c.is_im && c.pins.length > 0),
        input.timeoutMs ?? 10_000,
      );
      const incident = await runtime.services.incidents.findForChannel(channel.id);
      if (!incident) throw new Error(`Channel #${channel.name} has no incident`);
      return { incident, channel: channel.id };
    },
    async stop() {
      await runtime.stop();
      await slack.close();
    },
  };
}
