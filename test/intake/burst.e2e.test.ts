import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQuell, startLocalQuell } from '../../src/local/harness.js';
import { createLogger } from '../../src/logging/logger.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';

/**
 * A burst over Socket Mode, so intake is served on the ops listener's port: 300 alerts with 10
 * fingerprints, 50 in flight at a time, must open exactly 10 incidents (one claim per fingerprint
 * in Redis), each card counting its own 30 fires, and every delivery answered 202 (bench/intake sends 10,000).
 */

const TOKEN = 'burst-token-0123456789';
const CONFIG = `
intake:
  coalesceEvery: 1s
  sources:
    monitor: { format: generic, auth: bearer, secretEnv: QUELL_MONITOR_TOKEN }
  rules:
    - id: burst
      match: { kind: burst }
      severity: sev2
      title: "Burst {{ fingerprint }}"
`;

let local: LocalQuell;

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the burst to settle');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let cleanup: () => Promise<void>;

beforeAll(async () => {
  const env = await openTestRedis();
  cleanup = env.cleanup;
  local = await startLocalQuell({
    config: testConfig(env.prefix, CONFIG),
    redis: env.redis,
    logger: createLogger('silent'),
    transport: 'socket',
    ops: { port: 0 },
    secrets: { QUELL_MONITOR_TOKEN: TOKEN },
  });
});

afterAll(async () => {
  await local?.stop();
  await cleanup?.();
});

describe('a burst of alerts', () => {
  it('300 alerts with 10 fingerprints open exactly 10 incidents, each counting its 30 fires', {
    timeout: 90_000,
  }, async () => {
    const url = `http://127.0.0.1:${local.runtime.opsPort}/api/alerts/monitor`;
    const statuses: number[] = [];
    let next = 0;
    const send = async () => {
      for (let i = next++; i < 300; i = next++) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({
            fingerprint: `burst-${i % 10}`,
            summary: `burst alert ${i}`,
            labels: { kind: 'burst' },
          }),
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 50 }, send));
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    const { store } = local.runtime.services;
    const cardOf = (channel: string) =>
      local.slack.messages(channel).filter((m) => String(m.text).startsWith('Alert from monitor'));
    // the card edits come at most once per coalesceEvery (1 s) per fingerprint
    const opened = await until(async () => {
      const found = (await store.listActive()).filter((i) => i.title.startsWith('Burst burst-'));
      const settled = found.every(
        (i) => i.channelId && /fired 30 times$/.test(String(cardOf(i.channelId)[0]?.text)),
      );
      return found.length >= 10 && settled ? found : undefined;
    }, 60_000);
    expect(opened.map((i) => i.title).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `Burst burst-${i}`),
    );
    for (const incident of opened) expect(cardOf(incident.channelId!)).toHaveLength(1);
  });
});
