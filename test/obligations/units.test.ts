import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { Incident } from '../../src/incidents/model.js';
import type { Obligation } from '../../src/obligations/index.js';
import {
  obligationLine,
  obligationsSummarySection,
  obligationViews,
} from '../../src/slack/blocks/obligations.js';

const DAY = 86_400_000;
const config = (yaml = '') => parseConfigText(yaml, 'test config');

const obligation = (over: Partial<Obligation> = {}): Obligation => ({
  type: 'gdpr-art33',
  name: 'GDPR personal-data breach notification',
  authority: 'competent supervisory authority (Art. 55/56)',
  citation: 'Regulation (EU) 2016/679 (GDPR) Art. 33(1)',
  drill: false,
  awareAt: '2026-11-21T09:00:00.000Z',
  deadlineAt: '2026-11-24T09:00:00.000Z',
  addedBy: 'U0ALICE',
  addedAt: '2026-11-21T10:00:00.000Z',
  phased: false,
  status: 'open',
  ...over,
});

const incident = (over: Partial<Incident> = {}): Incident =>
  ({
    id: 'INC-7',
    seq: 7,
    title: 'Agent exported records',
    description: '',
    severity: 'sev1',
    status: 'investigating',
    drill: false,
    channelId: 'C0INC0007',
    roles: { commander: 'U0ALICE' },
    agent: {},
    declaredBy: 'U0ALICE',
    createdAt: '2026-11-21T10:00:00.000Z',
    updatedAt: '2026-11-21T10:00:00.000Z',
    nextUpdateDueAt: null,
    version: 1,
    ...over,
  }) as Incident;

describe('shipped obligation types', () => {
  it('are the three Art. 73 deadlines and GDPR Art. 33, each citing its article on EUR-Lex', () => {
    const { types } = config().obligations;
    expect(Object.keys(types)).toEqual([
      'ai-act-art73',
      'ai-act-art73-death',
      'ai-act-art73-widespread',
      'gdpr-art33',
    ]);
    expect(types['ai-act-art73']).toMatchObject({ deadline: 15 * DAY, phased: true, audience: 'legal' });
    expect(types['ai-act-art73-death']).toMatchObject({ deadline: 10 * DAY, phased: true });
    expect(types['ai-act-art73-widespread']).toMatchObject({ deadline: 2 * DAY, phased: true });
    expect(types['gdpr-art33']).toMatchObject({ deadline: 72 * 3_600_000, phased: false });
    expect(types['ai-act-art73']!.citation).toMatch(
      /Art\. 73\(2\).*Art\. 73\(5\).*eur-lex\.europa\.eu\/eli\/reg\/2024\/1689\/oj/,
    );
    expect(types['ai-act-art73-death']!.citation).toContain('Art. 73(4)');
    expect(types['ai-act-art73-widespread']!.citation).toMatch(/Art\. 73\(3\).*Art\. 3\(49\)\(b\)/);
    expect(types['gdpr-art33']!.citation).toMatch(
      /Art\. 33\(1\).*72 hours.*eur-lex\.europa\.eu\/eli\/reg\/2016\/679\/oj/,
    );
  });

  it('a shipped type changes only the fields the file names; a new type needs every field; a bad field is named', () => {
    const { types } = config(`obligations:
  types:
    gdpr-art33: { reminders: [2h] }
    dora-major:
      name: DORA major ICT-related incident, initial notification
      authority: competent authority
      citation: Regulation (EU) 2022/2554 (DORA) Art. 19
      deadline: 4h
      phased: true
      propose: { severities: [sev1] }
      reminders: [1h]
      audience: legal
`).obligations;
    expect(types['gdpr-art33']).toMatchObject({ reminders: [2 * 3_600_000], deadline: 72 * 3_600_000 });
    expect(types['gdpr-art33']!.propose.categories).toEqual(['privacy', 'security']);
    expect(types['dora-major']).toMatchObject({
      deadline: 4 * 3_600_000,
      propose: { severities: ['sev1'], categories: [] },
    });
    expect(() => config('obligations:\n  types:\n    gdpr-art33: { deadline: soon }\n')).toThrow(
      /obligations\.types\.gdpr-art33\.deadline/,
    );
    expect(() => config('obligations:\n  types:\n    my-rule: { name: Mine }\n')).toThrow(
      /obligations\.types\.my-rule/,
    );
  });
});

describe('obligation blocks', () => {
  it("the summary shows each deadline as a date token (the reader's time zone) and what was submitted", () => {
    const open = obligation();
    const section = obligationsSummarySection(incident({ obligations: [open] }));
    const text = JSON.stringify(section);
    expect(text).toContain('Notification deadlines');
    expect(text).toContain(`<!date^${Date.parse(open.deadlineAt) / 1000}^{date_short_pretty} at {time}|`);
    expect(obligationsSummarySection(incident())).toBeUndefined();
    expect(
      obligationLine(
        obligation({
          status: 'submitted',
          submitted: { at: '2026-11-22T08:00:00.000Z', by: 'W0BOB12345', reference: 'SA-1' },
        }),
      ),
    ).toMatch(
      /^:white_check_mark: \*GDPR personal-data breach notification\* \(`gdpr-art33`\): submitted <!date\^\d+\^.*by <@W0BOB12345>, ref SA-1$/,
    );
  });

  it("people's and config text never becomes a live mention; drills are marked", () => {
    const hostile = obligation({
      drill: true,
      status: 'waived',
      waived: { at: '2026-11-22T08:00:00.000Z', by: 'U0ALICE', reason: 'not needed <!channel> <@U0EVE>' },
    });
    const line = obligationLine(hostile);
    expect(line).toContain('[DRILL]');
    expect(line).not.toContain('<!channel>');
    expect(line).not.toContain('<@U0EVE>');
    expect(line).toContain('<@U0ALICE>');
    const overdue = obligationViews().overdue(
      incident({ drill: true }),
      hostile,
      { users: ['U0COUNSEL'], usergroups: [] },
      'm1',
    );
    expect(String(overdue.text)).toMatch(/^\[DRILL\] :rotating_light: INC-7/);
    expect(String(overdue.text)).toContain('<@U0ALICE> <@U0COUNSEL>');
  });
});
