import { afterEach, describe, expect, it } from 'vitest';
import { type LocalQuell, startLocalQuell } from '../../src/local/harness.js';
import { createLogger } from '../../src/logging/logger.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';

/**
 * The /api mount point over real HTTP: on the receiver's port in HTTP mode (in front of Bolt), on
 * the ops listener's port in Socket Mode; Slack's own endpoints and the ops paths answer as before.
 */

let local: LocalQuell | undefined;
let cleanup: (() => Promise<void>) | undefined;

afterEach(async () => {
  await local?.stop();
  await cleanup?.();
  local = undefined;
  cleanup = undefined;
});

async function start(transport: 'http' | 'socket'): Promise<LocalQuell> {
  const env = await openTestRedis();
  cleanup = env.cleanup;
  local = await startLocalQuell({
    config: testConfig(env.prefix, ''),
    redis: env.redis,
    logger: createLogger('silent'),
    transport,
    ops: { port: 0 },
  });
  return local;
}

describe('HTTP API mount', () => {
  it('HTTP mode: /api/* is answered by the router on the receiver port; Slack requests still reach Bolt', async () => {
    const quell = await start('http');
    const base = `http://127.0.0.1:${quell.runtime.port}`;
    const res = await fetch(`${base}/api/nothing-here`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ error: 'no route for /api/nothing-here' });
    // an unsigned POST to Slack's endpoint is still refused by the signature check
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    // and a signed slash command still declares
    const { incident } = await quell.declareIncident({ title: 'Agent looped on refunds' });
    expect(incident.title).toBe('Agent looped on refunds');
    // in HTTP mode the ops port keeps to its GET paths
    const ops = await fetch(`http://127.0.0.1:${quell.runtime.opsPort}/api/nothing-here`);
    expect(ops.status).toBe(404);
    expect(((await ops.json()) as { paths?: string[] }).paths).toEqual(['/healthz', '/readyz', '/metrics']);
  });

  it('Socket Mode: /api/* is answered by the router on the ops port; the ops paths still answer', async () => {
    const quell = await start('socket');
    const base = `http://127.0.0.1:${quell.runtime.opsPort}`;
    const res = await fetch(`${base}/api/nothing-here`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no route for /api/nothing-here' });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    // non-API POSTs on the ops port are still refused as before
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
    const { incident } = await quell.declareIncident({ title: 'Agent emailed customers' });
    expect(incident.title).toBe('Agent emailed customers');
  });
});
