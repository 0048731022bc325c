import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { EnvError, loadEnv } from '../../src/config/env.js';
import { startLocalWorkspace } from '../../src/local/start.js';
import { createLogger } from '../../src/logging/logger.js';
import { testRedisUrl } from '../helpers/redis.js';
import { buildTestServices, testConfig } from '../helpers/services.js';

/** `npm start` in local mode over either transport, and how Bolt's Socket Mode client is configured. */

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('QUELL_LOCAL_TRANSPORT', () => {
  it('is http unless set to socket, and anything else is refused by name', () => {
    expect(loadEnv({}).QUELL_LOCAL_TRANSPORT).toBe('http');
    expect(loadEnv({ QUELL_LOCAL_TRANSPORT: 'socket' }).QUELL_LOCAL_TRANSPORT).toBe('socket');
    expect(() => loadEnv({ QUELL_LOCAL_TRANSPORT: 'websocket' })).toThrow(EnvError);
    expect(() => loadEnv({ QUELL_LOCAL_TRANSPORT: 'websocket' })).toThrow(
      /QUELL_LOCAL_TRANSPORT.*must be http or socket/s,
    );
  });
});

describe('local mode over Socket Mode', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    vi.restoreAllMocks();
  });

  it('starts the workspace with Quell dialling the local Slack, and says so', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const port = await freePort();
    const env = loadEnv({
      QUELL_MODE: 'local',
      QUELL_LOCAL_TRANSPORT: 'socket',
      QUELL_LOCAL_PORT: String(port),
      PORT: String(await freePort()),
      REDIS_URL: testRedisUrl(),
    });
    const workspace = await startLocalWorkspace({
      env,
      config: testConfig(`test-local-${port}`),
      logger: createLogger('silent'),
      secrets: {},
    });
    stop = () => workspace.stop();
    expect(written.join('')).toContain('Transport: Socket Mode');
    const calls = (await fetch(`http://127.0.0.1:${port}/_control/calls`).then((r) => r.json())) as {
      counts: Record<string, number>;
    };
    expect(calls.counts['apps.connections.open']).toBe(1);
  });
});

describe('Bolt’s Socket Mode client', () => {
  it('gets the Web API URL through installerOptions.clientOptions, and its retry policy stays its own', async () => {
    const built = await buildTestServices();
    const services = built.services;
    const app = buildApp({
      connection: { kind: 'socket', botToken: 'xoxb-test', appToken: 'xapp-1-A0TEST-1-abc' },
      services,
      slackApiUrl: 'http://127.0.0.1:9/api',
      botIdentity: { botId: 'B0TEST', botUserId: 'U0TEST' },
    });
    const internals = app as unknown as {
      clientOptions: { retryConfig?: unknown; slackApiUrl?: string };
      receiver: { client: { webClient: { slackApiUrl: string; retryConfig?: { retries: number } } } };
    };
    // apps.connections.open goes to the same Slack as every other call
    expect(internals.receiver.client.webClient.slackApiUrl).toBe('http://127.0.0.1:9/api/');
    expect(internals.clientOptions.slackApiUrl).toBe('http://127.0.0.1:9/api/');
    // the Socket Mode client's 100 reconnect retries were not written into the listeners' options
    expect(internals.clientOptions.retryConfig).toBeUndefined();
    await built.cleanup();
  });
});
