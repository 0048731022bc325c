import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { QuellConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { type Runtime, startQuell } from '../../src/runtime.js';
import type { FakeSlackApi } from './fake-slack-api.js';
import { TEST_BOT_TOKEN, TestClock } from './services.js';
import { deliverToQuell, slashCommandBody } from './signed-request.js';

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
    // these tests count every Slack call; the start-up id floor has its own (test/incidents/id-floor.e2e.test.ts)
    idFloor: false,
  });
  return { ...runtime, url: `http://127.0.0.1:${runtime.port}/slack/events` };
}

export { eventually } from './eventually.js';

/**
 * A signed slash command to Quell's HTTP receiver; fails unless Slack gets a 200. Its answer comes
 * in the ack (refused before any work) or later through the response URL: `replies` has both.
 */
export async function sendSlashCommand(
  quell: { url: string },
  slack: FakeSlackApi,
  fields: Parameters<typeof slashCommandBody>[0],
) {
  const before = slack.responseUrlPosts.length;
  const response = await deliverToQuell(quell.url, slashCommandBody(fields), {
    signingSecret: TEST_SIGNING_SECRET,
  });
  expect(response.status).toBe(200);
  const acked = response.body ? [String((JSON.parse(response.body) as { text?: string }).text ?? '')] : [];
  return {
    ack: response.body,
    replies: () => [...acked, ...slack.responseUrlPosts.slice(before).map((p) => String(p.body.text))],
    posts: () => slack.responseUrlPosts.slice(before),
  };
}
