import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentStore } from '../../src/incidents/store.js';
import { ALL_TIMELINE_KINDS, type TimelineEvent, type TimelineKind } from '../../src/incidents/timeline.js';
import { redisKeys } from '../../src/redis/keys.js';
import { openTestRedis } from '../helpers/redis.js';

const event = (kind: TimelineKind, n: number): TimelineEvent => ({
  incidentId: 'INC-1',
  at: `2026-11-21T14:00:${String(n).padStart(2, '0')}.000Z`,
  actor: 'U0ALICE',
  kind,
  text: `${kind} ${n}`,
  data: { n },
});

describe('timeline events by kind', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let store: IncidentStore;
  beforeEach(async () => {
    env = await openTestRedis();
    store = new IncidentStore(env.redis, redisKeys(env.prefix));
  });
  afterEach(() => env.cleanup());

  it('returns only the asked kinds, oldest first, and picks up events appended after an earlier read', async () => {
    const wanted: TimelineKind[] = ['update', 'containment_executed'];
    await store.appendTimeline(event('declared', 1));
    await store.appendTimeline(event('update', 2));
    await store.appendTimeline(event('note', 3));
    await store.appendTimeline(event('containment_executed', 4));
    expect((await store.timelineOfKinds('INC-1', wanted)).map((e) => e.text)).toEqual([
      'update 2',
      'containment_executed 4',
    ]);
    await store.appendTimeline(event('containment_refused', 5));
    await store.appendTimeline(event('update', 6));
    expect((await store.timelineOfKinds('INC-1', wanted)).map((e) => e.text)).toEqual([
      'update 2',
      'containment_executed 4',
      'update 6',
    ]);
    // a prefix of a wanted kind is not the kind
    expect(await store.timelineOfKinds('INC-1', ['containment_undone'])).toEqual([]);
  });

  it('refuses to store a kind that is not in the vocabulary', async () => {
    const bogus = { ...event('note', 1), kind: 'role_changed' } as unknown as TimelineEvent;
    await expect(store.appendTimeline(bogus)).rejects.toThrow();
    expect(await store.timeline('INC-1')).toEqual([]);
  });

  it('names every kind once', () => {
    expect(new Set(ALL_TIMELINE_KINDS).size).toBe(ALL_TIMELINE_KINDS.length);
  });
});
