import { describe, expect, it } from 'vitest';
import { evidenceSourcesFrom, timelineEvidenceSources } from '../../src/evidence/sources.js';
import type { TimelineEvent, TimelineKind } from '../../src/incidents/timeline.js';

const event = (kind: TimelineKind): TimelineEvent => ({
  incidentId: 'INC-1',
  at: '2026-11-21T14:00:00.000Z',
  actor: 'U0ALICE',
  kind,
  text: kind,
  data: {},
});

describe('evidence sources', () => {
  it('defaults to the containment_* and comms_* timeline events', async () => {
    const timeline = [
      event('declared'),
      event('containment_executed'),
      event('comms_approved'),
      event('note'),
    ];
    const sources = timelineEvidenceSources(async () => timeline);
    expect((await sources.containmentAudit('INC-1')).map((e) => (e as TimelineEvent).kind)).toEqual([
      'containment_executed',
    ]);
    expect((await sources.commsHistory('INC-1')).map((e) => (e as TimelineEvent).kind)).toEqual([
      'comms_approved',
    ]);
  });

  it('reads the containment audit list and the comms drafts and log from their services', async () => {
    const sources = evidenceSourcesFrom({
      containment: {
        audit: async (id) => [{ seq: 1, incidentId: id, action: 'kill-switch', outcome: 'ok' }],
      },
      comms: {
        history: async () => ({
          drafts: [{ id: 'd1', versions: [{ version: 1 }, { version: 2 }] }],
          log: [{ kind: 'approved', version: 2, by: 'U0LEGAL' }],
        }),
      },
    });
    expect(await sources.containmentAudit!('INC-1')).toEqual([
      { seq: 1, incidentId: 'INC-1', action: 'kill-switch', outcome: 'ok' },
    ]);
    expect(await sources.commsHistory!('INC-1')).toEqual([
      { record: 'draft', id: 'd1', versions: [{ version: 1 }, { version: 2 }] },
      { record: 'log', kind: 'approved', version: 2, by: 'U0LEGAL' },
    ]);
    expect(evidenceSourcesFrom({})).toEqual({});
  });
});
