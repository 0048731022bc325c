import { afterEach, describe, expect, it } from 'vitest';
import { startLocalQuell } from '../../src/local/harness.js';
import { createLogger } from '../../src/logging/logger.js';
import { connectRedis } from '../../src/redis/connection.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/redis/private-server.js';
import { eventually } from '../helpers/eventually.js';
import { testConfig } from '../helpers/services.js';

async function readyz(port: number): Promise<{
  status: number;
  body: { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
}> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3_000) });
  return { status: response.status, body: (await response.json()) as never };
}

describe.each(['http', 'socket'] as const)('/readyz over %s', (transport) => {
  let server: PrivateRedis | undefined;
  let stop: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await stop?.();
    await server?.stop();
  });

  it('is unready within 5 s of Redis going away and ready again once it is back', async () => {
    server = await startPrivateRedis();
    const redis = await connectRedis(server.url);
    const local = await startLocalQuell({
      config: testConfig(`ready-${transport}`),
      redis,
      logger: createLogger('silent'),
      transport,
      ops: { port: 0 },
    });
    stop = async () => {
      await local.stop();
      redis.disconnect();
    };
    const port = local.runtime.opsPort!;
    expect(port).toBeGreaterThan(0);
    await eventually(async () => expect((await readyz(port)).status).toBe(200), 5_000);
    expect((await readyz(port)).body.checks).toEqual({
      redis: { ok: true },
      workers: { ok: true },
      slack: { ok: true },
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);

    const redisPort = server.port;
    await server.stop();
    const goneAt = Date.now();
    await eventually(async () => expect((await readyz(port)).status).toBe(503), 5_000);
    expect(Date.now() - goneAt).toBeLessThan(5_000);
    const down = await readyz(port);
    expect(down.body.ready).toBe(false);
    expect(down.body.checks.redis!.ok).toBe(false);
    // the process is still alive: liveness does not depend on Redis
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    server = await startPrivateRedis({ port: redisPort });
    await eventually(async () => expect((await readyz(port)).status).toBe(200), 10_000);
  }, 40_000);
});

describe('/readyz and Slack', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
  });

  it('stays ready through a Slack outage (the last verdict, no live call) and turns unready once Slack rejects the token', async () => {
    const server = await startPrivateRedis();
    const redis = await connectRedis(server.url);
    const local = await startLocalQuell({
      config: testConfig('ready-slack'),
      redis,
      logger: createLogger('silent'),
      ops: { port: 0, authCheckIntervalMs: 100 },
    });
    stop = async () => {
      await local.stop();
      redis.disconnect();
      await server.stop();
    };
    const port = local.runtime.opsPort!;
    await eventually(async () => expect((await readyz(port)).status).toBe(200), 5_000);

    // Slack answering 500s is an outage, not a verdict on the token: still ready
    const before = local.slack.callCount('auth.test');
    local.slack.failNext('auth.test', 'internal_error', { times: 5, status: 500 });
    await eventually(
      () => expect(local.slack.callCount('auth.test')).toBeGreaterThanOrEqual(before + 5),
      5_000,
    );
    const callsBeforeProbe = local.slack.callCount('auth.test');
    expect((await readyz(port)).status).toBe(200);
    // readiness read the verdict; it did not call Slack itself
    expect(local.slack.callCount('auth.test')).toBeLessThanOrEqual(callsBeforeProbe + 1);

    local.slack.failNext('auth.test', 'token_revoked', { times: 1_000 });
    await eventually(async () => {
      const { status, body } = await readyz(port);
      expect(status).toBe(503);
      expect(body.checks.slack).toEqual({
        ok: false,
        detail: 'Slack rejected the bot token (token_revoked)',
      });
      expect(body.checks.redis).toEqual({ ok: true });
    }, 5_000);
  }, 30_000);
});
