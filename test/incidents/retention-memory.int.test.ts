import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { RevisionLog } from '../../src/evidence/revisions.js';
import { Retention } from '../../src/incidents/retention.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { createLogger } from '../../src/logging/logger.js';
import { redisKeys } from '../../src/redis/keys.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock } from '../helpers/services.js';
import { bundleFromTimeline, DECLARED_AT, declareSeeded, resolveAndArchive } from './retention-seed.js';

const RESOLVED = 10_000;
const OPEN = 1_000;
/** The goal of issue 22: Redis memory per resolved incident after compaction. */
const GOAL_BYTES = 20 * 1024;
const DAY = 86_400_000;

/** Runs `work` for 1..n with at most `width` in flight (the client pipelines what is in flight). */
async function inParallel(from: number, to: number, width: number, work: (n: number) => Promise<void>) {
  let next = from;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next <= to) await work(next++);
    }),
  );
}

/** Bytes per key (MEMORY USAGE … SAMPLES 0: every element counted) of every key of the prefix. */
async function memoryByKey(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 5000);
    keys.push(...page);
    cursor = next;
  } while (cursor !== '0');
  const sizes = new Map<string, number>();
  for (let i = 0; i < keys.length; i += 2000) {
    const batch = keys.slice(i, i + 2000);
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const results = (await pipeline.exec()) ?? [];
    batch.forEach((key, j) => void sizes.set(key, Number(results[j]?.[1] ?? 0)));
  }
  return sizes;
}

/**
 * Bytes Redis holds for the resolved incidents: every key of the deployment except the open
 * incidents' own keys (their record, timeline, channel link). Global indexes count in full, open
 * incidents' entries included, so the figure is an upper bound.
 */
function resolvedBytes(sizes: Map<string, number>): number {
  let total = 0;
  for (const [key, bytes] of sizes) {
    const tagged = /\{INC-(\d+)\}/.exec(key)?.[1];
    const channel = /:channel:C0*(\d+)$/.exec(key)?.[1];
    const seq = Number(tagged ?? channel ?? 0);
    if (seq > RESOLVED) continue; // an open incident's own key
    total += bytes;
  }
  return total;
}

describe(`Redis memory with ${RESOLVED.toLocaleString('en')} resolved and ${OPEN.toLocaleString('en')} open incidents`, () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;

  beforeAll(async () => {
    env = await openTestRedis();
  });
  afterAll(async () => {
    await env.cleanup();
  });

  it('is under 20 KB per resolved incident after compaction', { timeout: 120_000 }, async () => {
    const store = new IncidentStore(env.redis, redisKeys(env.prefix));
    const revisions = new RevisionLog(env.redis, env.prefix);
    const resolvedAt = new Date(DECLARED_AT + DAY);
    const started = Date.now();
    await inParallel(1, RESOLVED + OPEN, 200, async (seq) => {
      const incident = await declareSeeded(store, seq, 8);
      // two captured edits per incident: the revision text the sweep also takes out
      for (const n of [1, 2])
        await revisions.record(incident.id, `Ev${seq}-${n}`, {
          kind: 'edited',
          channel: incident.channelId!,
          ts: `1762000000.00${n}000`,
          user: 'U0BOB',
          before: { text: 'The agent has refunded 40 orders; customers were told it was a mistake.' },
          after: { text: 'The agent has refunded 42 orders.' },
          changed: ['text'],
          changeTs: `1762000100.00${n}000`,
          changedAt: `2026-11-01T12:28:20.00${n}000Z`,
          event: { type: 'message', subtype: 'message_changed' },
        });
      if (seq <= RESOLVED) await resolveAndArchive(store, incident.id, resolvedAt);
    });
    const seeded = Date.now() - started;
    const before = resolvedBytes(await memoryByKey(env.redis, env.prefix));

    const clock = new TestClock(new Date(resolvedAt.getTime() + 31 * DAY));
    const retention = new Retention({
      store,
      config: parseConfigText('retention:\n  batchSize: 10000\n', 'test').retention,
      verifiedBundle: (id) => bundleFromTimeline(store, id),
      parts: [{ name: 'revision text', afterMs: 7 * DAY, purge: (id) => revisions.purge(id) }],
      clock,
      logger: createLogger('silent'),
    });
    const sweepStarted = Date.now();
    const report = await retention.sweep();
    const swept = Date.now() - sweepStarted;
    expect(report).toEqual({ looked: RESOLVED, outcomes: { compacted: RESOLVED } });

    const sizes = await memoryByKey(env.redis, env.prefix);
    const after = resolvedBytes(sizes);
    const perIncident = after / RESOLVED;
    console.log(
      `[retention memory] ${RESOLVED} resolved + ${OPEN} open incidents: ${(before / RESOLVED / 1024).toFixed(1)} KB per resolved incident before compaction, ${(perIncident / 1024).toFixed(2)} KB (${Math.round(perIncident)} B) after; seeded in ${(seeded / 1000).toFixed(1)} s, swept in ${(swept / 1000).toFixed(1)} s`,
    );
    expect(perIncident).toBeLessThan(GOAL_BYTES);
    // nothing of a resolved incident is left under its own tag; the open ones are untouched
    const keys = [...sizes.keys()];
    expect(keys.filter((k) => k.includes('{INC-1}'))).toEqual([]);
    expect(await store.get(`INC-${RESOLVED + 1}`)).toMatchObject({ status: 'investigating' });
    expect(await revisions.held(`INC-${RESOLVED + 1}`)).toBe(true);
    expect((await store.lookup('INC-1'))?.kind).toBe('tombstone');
  });
});
