import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { type BundleCheck, Retention, type RetentionPart } from '../../src/incidents/retention.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { createLogger } from '../../src/logging/logger.js';
import { redisKeys } from '../../src/redis/keys.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock } from '../helpers/services.js';
import { bundleFromTimeline, DECLARED_AT, declareSeeded, resolveAndArchive } from './retention-seed.js';

const DAY = 86_400_000;

describe('the retention sweep', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let store: IncidentStore;
  let clock: TestClock;
  let bundles: (id: string) => Promise<BundleCheck | undefined>;
  let purged: string[];

  beforeEach(async () => {
    env = await openTestRedis();
    store = new IncidentStore(env.redis, redisKeys(env.prefix));
    clock = new TestClock(new Date(DECLARED_AT + DAY));
    bundles = (id) => bundleFromTimeline(store, id);
    purged = [];
  });

  afterEach(async () => {
    await env.cleanup();
  });

  function retention(parts: RetentionPart[] = []): Retention {
    const config = parseConfigText('retention:\n  compactAfter: 30d\n  recheckAfter: 6h\n', 'test').retention;
    return new Retention({
      store,
      config,
      verifiedBundle: (id) => bundles(id),
      parts,
      clock,
      logger: createLogger('silent'),
    });
  }
  const revisionPart: RetentionPart = {
    name: 'revision text',
    afterMs: 7 * DAY,
    purge: async (id) => void purged.push(id),
  };

  it('purges revision text at 7d and compacts at 30d after the verified bundle, leaving a tombstone', async () => {
    await declareSeeded(store, 1);
    await resolveAndArchive(store, 'INC-1', clock.now());
    const sweep = retention([revisionPart]);
    expect((await sweep.sweep()).outcomes).toEqual({ waiting: 1 });
    clock.advance(3 * DAY);
    expect((await sweep.sweep()).looked).toBe(0); // next look is at 7d, not before
    clock.advance(4 * DAY + 60_000);
    expect((await sweep.sweep()).outcomes).toEqual({ 'parts-purged': 1 });
    expect(purged).toEqual(['INC-1']);
    expect(await store.get('INC-1')).toBeDefined();

    clock.advance(23 * DAY);
    expect((await sweep.sweep()).outcomes).toEqual({ compacted: 1 });
    const keys = redisKeys(env.prefix);
    expect(await env.redis.exists(keys.incident('INC-1'), keys.timeline('INC-1'))).toBe(0);
    expect(await env.redis.exists(keys.channelIncident('C000000001'))).toBe(0);
    expect(await env.redis.zscore(keys.retentionDue, 'INC-1')).toBeNull();
    expect(await env.redis.zscore(keys.allIncidents, 'INC-1')).toBe('1'); // still listed (App Home, lookups)
    expect(await store.lookup('INC-1')).toEqual({
      kind: 'tombstone',
      tombstone: {
        id: 'INC-1',
        seq: 1,
        title: 'Support agent issued refunds without approval (1)',
        severity: 'sev2',
        drill: false,
        channelId: 'C000000001',
        channelName: 'inc-20261101-support-agent-issued-refunds-1',
        createdAt: '2026-11-01T09:00:01.000Z',
        resolvedAt: '2026-11-02T09:00:00.000Z',
        compactedAt: clock.now().toISOString(),
        bundle: {
          location: '/evidence/INC-1/v1',
          version: 1,
          storage: 'local',
          manifestSha256: 'a'.repeat(64),
          archivedAt: '2026-11-02T09:01:00.000Z',
        },
      },
    });
    expect(purged).toEqual(['INC-1', 'INC-1']); // the remaining parts once more at compaction (idempotent)
  });

  it('keeps an incident whose bundle is missing, older than the resolution, or fails verification', async () => {
    await declareSeeded(store, 1);
    await declareSeeded(store, 2);
    await declareSeeded(store, 3);
    const resolvedAt = clock.now();
    await resolveAndArchive(store, 'INC-2', resolvedAt);
    await resolveAndArchive(store, 'INC-3', resolvedAt);
    await store.update('INC-1', (c) => ({
      incident: { ...c, status: 'resolved', resolvedAt: resolvedAt.toISOString() },
      event: null,
    }));
    bundles = async (id) => {
      const bundle = await bundleFromTimeline(store, id);
      if (id === 'INC-2' && bundle) return { ...bundle, archivedAt: '2026-11-01T10:00:00.000Z' }; // before the resolution
      if (id === 'INC-3' && bundle) return { ...bundle, ok: false, problems: ['transcript.md changed'] };
      return bundle;
    };
    clock.advance(40 * DAY);
    expect((await retention([revisionPart]).sweep()).outcomes).toEqual({
      'no-bundle': 2,
      'bundle-failed': 1,
    });
    for (const id of ['INC-1', 'INC-2', 'INC-3']) expect(await store.get(id)).toBeDefined();
    expect(purged).toEqual([]);
    // looked at again after recheckAfter (6h), not on every sweep
    expect((await retention().sweep()).looked).toBe(0);
    clock.advance(6 * 3_600_000);
    expect((await retention().sweep()).looked).toBe(3);
  });

  it('leaves a reopened incident alone, and compacts nothing when the incident changes during the check', async () => {
    await declareSeeded(store, 1);
    await declareSeeded(store, 2);
    await resolveAndArchive(store, 'INC-1', clock.now());
    await resolveAndArchive(store, 'INC-2', clock.now());
    await store.update('INC-1', (c) => ({ incident: { ...c, status: 'investigating' }, event: null }));
    // INC-2 gets a late event while its bundle is being verified
    bundles = async (id) => {
      const bundle = await bundleFromTimeline(store, id);
      await store.update(id, (c) => ({
        incident: { ...c, updatedAt: clock.now().toISOString() },
        event: null,
      }));
      return bundle;
    };
    clock.advance(31 * DAY);
    expect((await retention().sweep()).outcomes).toEqual({ changed: 1 });
    expect(await store.get('INC-2')).toMatchObject({ status: 'resolved' });
    expect(await store.tombstone('INC-2')).toBeUndefined();
    expect(await store.get('INC-1')).toMatchObject({ status: 'investigating' });
    // the next sweep compacts INC-2 (nothing changes it any more); INC-1 is out of the index
    bundles = (id) => bundleFromTimeline(store, id);
    expect((await retention().sweep()).outcomes).toEqual({ compacted: 1 });
  });

  it('finishes a compaction a crash left half done (tombstone written, record gone, indexes not yet)', async () => {
    await declareSeeded(store, 5);
    await resolveAndArchive(store, 'INC-5', clock.now());
    const keys = redisKeys(env.prefix);
    const incident = (await store.get('INC-5'))!;
    // what compact() does before the crash: the tombstone, then the record and timeline
    await env.redis.hset(
      keys.tombstones,
      'INC-5',
      JSON.stringify({
        id: 'INC-5',
        seq: 5,
        title: incident.title,
        severity: incident.severity,
        drill: false,
        channelId: incident.channelId,
        createdAt: incident.createdAt,
        resolvedAt: incident.resolvedAt,
        compactedAt: clock.now().toISOString(),
        bundle: {
          location: '/evidence/INC-5/v1',
          version: 1,
          storage: 'local',
          manifestSha256: 'a',
          archivedAt: incident.updatedAt,
        },
      }),
    );
    await env.redis.del(keys.incident('INC-5'), keys.timeline('INC-5'));
    expect((await retention().sweep()).outcomes).toEqual({ compacted: 1 });
    expect(await env.redis.exists(keys.channelIncident(incident.channelId!))).toBe(0);
    expect(await env.redis.zscore(keys.retentionDue, 'INC-5')).toBeNull();
    expect((await store.lookup('INC-5'))?.kind).toBe('tombstone');
  });

  it('enters incidents from before the retention and App Home indexes (an upgraded deployment), once', async () => {
    await declareSeeded(store, 1);
    await declareSeeded(store, 2);
    await resolveAndArchive(store, 'INC-1', clock.now());
    const keys = redisKeys(env.prefix);
    await env.redis.zrem(keys.retentionDue, 'INC-1'); // as written before this version
    await env.redis.zrem(keys.activeBySeverity, 'INC-2');
    clock.advance(31 * DAY);
    expect((await retention().sweep()).outcomes).toEqual({ compacted: 1 });
    expect((await store.homeView({ active: 5, recent: 0 })).active.map((i) => i.id)).toEqual(['INC-2']);
    expect(await env.redis.exists(keys.retentionBackfilled)).toBe(1);
    // done once: a later upgrade-era leftover is not looked for again on every sweep
    await resolveAndArchive(store, 'INC-2', new Date(clock.now().getTime() - 31 * DAY));
    await env.redis.zrem(keys.retentionDue, 'INC-2');
    expect((await retention().sweep()).looked).toBe(0);
  });

  it('raises the id counter atomically and never backwards (replicas starting together)', async () => {
    await store.raiseSequenceTo(10);
    const befores = await Promise.all([12, 11, 12, 5].map((n) => store.raiseSequenceTo(n)));
    expect(await store.currentSequence()).toBe(12);
    expect(befores.filter((b) => b < 12).length).toBeGreaterThanOrEqual(1); // exactly the raisers saw less
    expect(await store.raiseSequenceTo(3)).toBe(12);
    expect(await store.nextSequence()).toBe(13);
  });
});
