import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import type { ChatPort } from '../../src/chat/port.js';
import type { Clock } from '../../src/clock.js';
import { parseConfigText } from '../../src/config/load.js';
import type { QuellConfig } from '../../src/config/schema.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { BACKGROUND_CLIENT_OPTIONS, SlackWebChat } from '../../src/slack/web-chat.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { openTestRedis } from './redis.js';

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
  // Likewise a declared SEV1/SEV2 gets obligation proposals (a post) unless the test says `proposeOnDeclare`.
  const obligations = /\bproposeOnDeclare\s*:/.test(yaml)
    ? config.obligations
    : { ...config.obligations, proposeOnDeclare: false };
  // Each test is its own deployment: its bundles go to a folder of its own (never the repository's
  // ./evidence), so one test's archives are not another's existing ids at start-up (the id floor).
  const storage = /\bdirectory\s*:/.test(yaml)
    ? config.evidence.storage
    : { ...config.evidence.storage, directory: join(tmpdir(), 'quell-test-evidence', prefix) };
  return {
    ...config,
    redis: { ...config.redis, keyPrefix: prefix },
    resolution: { ...config.resolution, postmortem },
    obligations,
    evidence: { ...config.evidence, storage },
  };
}

/** The chat every test service uses by default: the real Web API client, no retries, nock-faked Slack. */
export function testChat(): ChatPort {
  return new SlackWebChat(new WebClient(TEST_BOT_TOKEN, { retryConfig: { retries: 0 } }));
}

/** What jobs post with in tests: the fail-fast background client (the job runtime retries). */
export function testBackgroundChat(): ChatPort {
  return new SlackWebChat(new WebClient(TEST_BOT_TOKEN, BACKGROUND_CLIENT_OPTIONS), {
    mode: 'background',
    timeoutMs: BACKGROUND_CLIENT_OPTIONS.timeout,
  });
}

/** Real services on the private Redis, talking to the nock-faked Slack Web API. */
export function testServices(
  redis: Redis,
  config: QuellConfig,
  clock: Clock = new TestClock(),
  options: {
    logger?: Logger;
    secrets?: NodeJS.ProcessEnv;
    chat?: ChatPort;
    backgroundChat?: ChatPort;
  } = {},
): Services {
  const services = createServices({
    config,
    logger: options.logger ?? createLogger('silent'),
    clock,
    redis,
    chat: options.chat ?? testChat(),
    backgroundChat: options.backgroundChat ?? options.chat ?? testBackgroundChat(),
    secrets: options.secrets ?? {},
  });
  // listeners' promised work is a job on the interactive lane: run it in this process, as a replica does
  startedRuntimes.add(services.jobs);
  ready.set(
    services.requests,
    services.jobs.startWorkers({ lanes: ['interactive'] }).catch(() => undefined),
  );
  return services;
}

const startedRuntimes = new Set<Services['jobs']>();
const ready = new WeakMap<object, Promise<void>>();

/** Resolves once the interactive worker testServices started listens (a job queued before would wait for it). */
export async function testWorkersReady(deps: Pick<Services, 'requests'>): Promise<void> {
  await ready.get(deps.requests);
}

// every test file that builds services stops their workers when it is done
afterAll(() => stopTestWorkers());

/** Stops the workers testServices started (after each test file that imports this helper). */
export async function stopTestWorkers(): Promise<void> {
  const runtimes = [...startedRuntimes];
  startedRuntimes.clear();
  await Promise.all(runtimes.map((jobs) => jobs.stop(1_000).catch(() => undefined)));
}

export interface TestServicesOptions {
  /** The config file's text; the Redis key prefix is the test's own. */
  yaml?: string;
  /** Default: a TestClock at 2026-11-21T14:00:00Z. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
  /** Secrets the config names (containment adapters, S3); default none. */
  secrets?: NodeJS.ProcessEnv;
  /** The faked Slack workspace's people and user groups. */
  slack?: ConstructorParameters<typeof FakeSlackApi>[0];
  /** Builds each container's chat; default `testChat()`. */
  chat?: () => ChatPort;
}

export interface TestServices {
  services: Services;
  config: QuellConfig;
  /** The faked Slack Web API: every call Quell made, in order. */
  slack: FakeSlackApi;
  redis: Awaited<ReturnType<typeof openTestRedis>>;
  /** Another container on the same Redis and prefix with its own connections: a second replica. */
  replica(): Services;
  /** Closes every container's queues, the fake Slack and this test's keys. */
  cleanup(): Promise<void>;
}

/**
 * What an integration test starts from: real services built by the composition root from a YAML
 * snippet, on the private Redis under a key prefix no other test uses, with Slack faked and recorded.
 */
export async function buildTestServices(options: TestServicesOptions = {}): Promise<TestServices> {
  const redis = await openTestRedis();
  const config = testConfig(redis.prefix, options.yaml ?? '');
  const slack = new FakeSlackApi(options.slack);
  const clock = options.clock ?? new TestClock();
  const built: Services[] = [];
  const build = () => {
    const services = testServices(redis.redis, config, clock, {
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.chat ? { chat: options.chat() } : {}),
    });
    built.push(services);
    return services;
  };
  const services = build();
  await testWorkersReady(services);
  return {
    services,
    config,
    slack,
    redis,
    replica: build,
    async cleanup() {
      for (const s of built) await s.jobs.stop(1_000);
      slack.close();
      await redis.cleanup();
    },
  };
}
