import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Clock } from '../../src/clock.js';
import { parseConfigText } from '../../src/config/load.js';
import type { QuellConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { SlackWebChat } from '../../src/slack/web-chat.js';

export const TEST_BOT_TOKEN = 'xoxb-test-token';

/** A settable clock for tests. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-11-21T14:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
}

/** Config from YAML text with the test's own Redis key prefix. */
export function testConfig(prefix: string, yaml = ''): QuellConfig {
  const config = parseConfigText(yaml, 'test config');
  // Drafting a postmortem on resolution posts a file; tests of other features that resolve an
  // incident would see calls they do not test. Tests that want it say `onResolve: true`.
  const postmortem = /\bonResolve\s*:/.test(yaml)
    ? config.resolution.postmortem
    : { ...config.resolution.postmortem, onResolve: false };
  return {
    ...config,
    redis: { ...config.redis, keyPrefix: prefix },
    resolution: { ...config.resolution, postmortem },
  };
}

/** Real services on the private Redis, talking to the nock-faked Slack Web API. */
export function testServices(redis: Redis, config: QuellConfig, clock: Clock = new TestClock()): Services {
  const client = new WebClient(TEST_BOT_TOKEN, { retryConfig: { retries: 0 } });
  return createServices({
    config,
    logger: createLogger('silent'),
    clock,
    redis,
    chat: new SlackWebChat(client),
  });
}
