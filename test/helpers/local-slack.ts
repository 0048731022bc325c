import type { Clock } from '../../src/clock.js';
import type { SlackEmulatorOptions } from '../../src/local/emulator/emulator.js';
import { type LocalQuell, startLocalQuell } from '../../src/local/harness.js';
import { createLogger } from '../../src/logging/logger.js';
import { openTestRedis } from './redis.js';
import { testConfig } from './services.js';

/**
 * The local Slack workspace with Quell running against it, on the private test Redis under a key
 * prefix of its own. For end-to-end tests and benchmarks of any feature:
 *
 *   const local = await startLocalSlack();                       // seeded workspace, Alice in #support
 *   const { incident, channel } = await local.declareIncident({ title: 'Agent refunded $4,200' });
 *   const ack = await local.command('sev sev1', { channel });     // Quell's ack (ephemeral text...)
 *   await local.slack.waitFor(() => local.slack.messages(channel).find((m) => ...));
 *   local.slack.rateLimit('chat.postMessage', { retryAfter: 1 }); local.slack.callCounts();
 *   await local.stop();
 *
 * `configYaml` is Quell's config file text; the seeded #announcements and @responders fill in
 * whatever it leaves unset.
 */
export async function startLocalSlack(
  options: {
    configYaml?: string;
    emulator?: SlackEmulatorOptions;
    clock?: Clock;
    logLevel?: 'silent' | 'warn';
    transport?: 'http' | 'socket';
  } = {},
): Promise<LocalQuell & { prefix: string }> {
  const env = await openTestRedis();
  try {
    const local = await startLocalQuell({
      config: testConfig(env.prefix, options.configYaml ?? ''),
      redis: env.redis,
      logger: createLogger(options.logLevel ?? 'silent'),
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.emulator ? { emulator: options.emulator } : {}),
    });
    return {
      ...local,
      prefix: env.prefix,
      async stop() {
        await local.stop();
        await env.cleanup();
      },
    };
  } catch (error) {
    await env.cleanup();
    throw error;
  }
}
