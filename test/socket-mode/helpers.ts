import type { SlackEmulatorOptions } from '../../src/local/emulator/emulator.js';
import { type LocalQuell, startLocalQuell } from '../../src/local/harness.js';
import { createLogger } from '../../src/logging/logger.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';

/** Quell connected to the local Slack over Socket Mode, on the private test Redis (own key prefix). */
export async function startSocketModeSlack(
  options: { configYaml?: string; emulator?: SlackEmulatorOptions } = {},
): Promise<LocalQuell & { prefix: string }> {
  const env = await openTestRedis();
  try {
    const local = await startLocalQuell({
      config: testConfig(env.prefix, options.configYaml ?? ''),
      redis: env.redis,
      logger: createLogger('silent'),
      transport: 'socket',
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
