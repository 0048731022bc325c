import { describe, expect, it } from 'vitest';
import { type CreatedChannel, IncidentChannelIds, nameIdPattern } from '../../src/incidents/channel-ids.js';
import { enforceIdFloor, type IncidentCounter, listedIdsSource } from '../../src/incidents/id-floor.js';
import { createLogger } from '../../src/logging/logger.js';

const channels = (...pages: CreatedChannel[][]) => ({
  async *pages() {
    for (const page of pages) yield page;
  },
});

/** The counter's contract (atomic, never backwards) as IncidentStore implements it on Redis. */
class Counter implements IncidentCounter {
  constructor(public value = 0) {}
  async currentSequence() {
    return this.value;
  }
  async raiseSequenceTo(seq: number) {
    const before = this.value;
    if (before < seq) this.value = seq;
    return before;
  }
}

describe('ids seen in incident channels', () => {
  it('reads the id from the purpose Quell set, over pages, ignoring other prefixes and text', async () => {
    const source = new IncidentChannelIds(
      channels(
        [
          {
            id: 'C1',
            name: 'inc-20261121-refunds',
            purpose: 'Incident INC-4: Agent refunded',
            archived: false,
          },
          { id: 'C2', name: 'inc-20261121-drill', purpose: '[DRILL] Incident INC-12: drill', archived: true },
        ],
        [
          {
            id: 'C3',
            name: 'inc-20261122-other',
            purpose: 'Incident OPS-99: another prefix',
            archived: false,
          },
          {
            id: 'C4',
            name: 'inc-20261122-talk',
            purpose: 'we discussed Incident INC-500 here',
            archived: false,
          },
          { id: 'C5', name: 'inc-20261122-none', archived: false },
        ],
      ),
      'inc-{yyyymmdd}-{slug}',
    );
    expect(await source.highest('INC')).toEqual({
      id: 'INC-12',
      seq: 12,
      where: 'Slack channel #inc-20261121-drill, archived',
    });
  });

  it('also reads names made from a pattern with {id} (a purpose someone edited still leaves the name)', async () => {
    const pattern = nameIdPattern('{id}-{sev}-{slug}')!;
    expect(pattern.exec('inc-31-sev1-agent-deleted-mailbox')?.groups).toMatchObject({
      prefix: 'inc',
      seq: '31',
    });
    expect(pattern.exec('inc-31-sev1-agent-deleted-mailbox-2')?.groups?.seq).toBe('31');
    expect(nameIdPattern('inc-{yyyymmdd}-{slug}')).toBeUndefined();
    const source = new IncidentChannelIds(
      channels([
        {
          id: 'C1',
          name: 'inc-31-sev1-agent-deleted-mailbox',
          purpose: 'edited by someone',
          archived: false,
        },
        { id: 'C2', name: 'inc-30-sev2-x', purpose: 'Incident INC-30: x', archived: false },
      ]),
      '{id}-{sev}-{slug}',
    );
    expect((await source.highest('INC'))?.id).toBe('INC-31');
  });
});

describe('the id floor at start-up', () => {
  const logger = createLogger('silent');

  it('raises a counter that is behind past the highest id of every source, and announces it once', async () => {
    const counter = new Counter(2);
    const said: string[] = [];
    const deps = {
      counter,
      idPrefix: 'INC',
      logger,
      announce: async (text: string) => void said.push(text),
      sources: [
        listedIdsSource('evidence store', 'the evidence store (local)', async () => [
          'INC-9',
          'INC-10',
          'X-99',
        ]),
        listedIdsSource('channels', 'Slack', async () => ['INC-7']),
      ],
    };
    expect(await enforceIdFloor(deps)).toMatchObject({ before: 2, after: 10, highest: { id: 'INC-10' } });
    expect(counter.value).toBe(10);
    expect(said).toEqual([
      ":warning: Quell's incident id counter in Redis was at INC-2, but INC-10 already exists (the evidence store (local)). So that no id is used twice, the next incident will be INC-11. Redis may have lost data: check its persistence and whether other Quell state is missing.",
    ]);
    // a second replica starting now finds nothing behind: no second announcement
    expect(await enforceIdFloor(deps)).toMatchObject({ before: 10, after: 10 });
    expect(said).toHaveLength(1);
  });

  it('never moves the counter backwards, and a source that fails is named while the others still count', async () => {
    const counter = new Counter(50);
    const outcome = await enforceIdFloor({
      counter,
      idPrefix: 'INC',
      logger,
      sources: [
        { name: 'Slack incident channels', highest: async () => Promise.reject(new Error('ratelimited')) },
        listedIdsSource('evidence store', 'the evidence store (s3)', async () => ['INC-20']),
      ],
    });
    expect(outcome).toEqual({
      before: 50,
      after: 50,
      highest: { id: 'INC-20', seq: 20, where: 'the evidence store (s3)' },
      failed: [{ source: 'Slack incident channels', error: 'ratelimited' }],
    });
    expect(counter.value).toBe(50);
  });
});
