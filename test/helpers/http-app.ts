import type { Redis } from 'ioredis';
import type { QuellConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { type Runtime, startQuell } from '../../src/runtime.js';
import { TEST_BOT_TOKEN, TestClock } from './services.js';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789';

/** Quell's real HTTP receiver on a free port, Web API at the (nock-faked) slack.com. */
export async function startHttpQuell(
  redis: Redis,
  config: QuellConfig,
  clock = new TestClock(),
  /** Secrets the config names (containment, forensics); none by default. */
  secrets: NodeJS.ProcessEnv = {},
): Promise<Runtime & { url: string }> {
  const runtime = await startQuell({
    config,
    logger: createLogger('silent'),
    redis,
    connection: { kind: 'http', botToken: TEST_BOT_TOKEN, signingSecret: TEST_SIGNING_SECRET },
    port: 0,
    clock,
    botIdentity: { botId: 'B0QUELL', botUserId: 'U0QUELLBOT' },
    secrets,
  });
  return { ...runtime, url: `http://127.0.0.1:${runtime.port}/slack/events` };
}

export { eventually } from './eventually.js';
