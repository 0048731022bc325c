import { describe, expect, it } from 'vitest';
import type { TalkingPoints } from '../../../src/comms/presenter.js';
import { tombstoneOf } from '../../../src/incidents/tombstone.js';
import { validateView } from '../../../src/local/emulator/validate/index.js';
import { homeView } from '../../../src/slack/blocks/comms.js';
import { config, LONGEST, worstIncident } from './worst-case-inputs.js';

const bundle = {
  location: `s3://quell-evidence-archive-eu-west-1/${'long-prefix/'.repeat(20)}INCIDENTXY-1/v12/`,
  version: 12,
  storage: 's3',
  manifestSha256: 'f'.repeat(64),
  archivedAt: LONGEST.at(400),
};

describe('App Home with the recent incidents (live and compacted)', () => {
  it('stays within Slack limits with the longest inputs, and keeps private incidents to their id', () => {
    const approved = {
      draftId: 'd99',
      sha256: 'e'.repeat(64),
      audience: 'support',
      text: 'x'.repeat(2_900),
      version: 9,
      approvedBy: 'W01ABCDEFGH',
      approvedAt: LONGEST.at(100),
    };
    const entries: TalkingPoints[] = Array.from({ length: 15 }, (_, i) => ({
      incident: worstIncident({ id: `INCIDENTXY-${i}` }),
      approved,
    }));
    const recent = Array.from({ length: 10 }, (_, i) =>
      i % 2
        ? {
            kind: 'record' as const,
            incident: worstIncident({ id: `INCIDENTXY-${90 + i}`, private: i === 3 }),
          }
        : {
            kind: 'tombstone' as const,
            tombstone: tombstoneOf(
              worstIncident({
                id: `INCIDENTXY-${90 + i}`,
                status: 'resolved',
                private: i === 4,
                resolvedAt: LONGEST.at(300),
              }),
              bundle,
              new Date(LONGEST.at(500)),
            ),
          },
    );
    const view = homeView(entries, config, new Date(LONGEST.at(600)), { activeCount: 2_000, recent });
    expect(validateView(view, 'home')).toEqual({ ok: true });
    const text = JSON.stringify(view.blocks);
    expect(text).toMatch(/\d+ more active incidents/);
    expect(text).toContain('Recent incidents');
    expect(text).toContain('compacted; evidence bundle v12 at');
    const privateLines = text.split('\\n').filter((line) => line.includes(' · private incident'));
    expect(privateLines).toHaveLength(2);
    for (const line of privateLines) expect(line).not.toContain(worstIncident().title.slice(0, 20));
  });
});
