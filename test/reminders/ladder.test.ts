import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { Incident } from '../../src/incidents/model.js';
import { gapBefore, ladderFor, stepTargets } from '../../src/reminders/ladder.js';
import { personMention, reminderViews } from '../../src/slack/blocks/reminders.js';

const config = (yaml = '') => parseConfigText(yaml, 'test config');

describe('escalation ladder (pure)', () => {
  it('default: the commander after one cadence, commander and escalation target after two, then every cadence', () => {
    const c = config('reminders:\n  escalateTo: { users: [U0ONCALL] }\n');
    const ladder = ladderFor('sev1', c)!;
    expect(ladder.stepsAfterMs).toEqual([15 * 60_000, 30 * 60_000]);
    expect(ladder.repeatEveryMs).toBe(15 * 60_000);
    expect([0, 1, 2, 3].map((s) => gapBefore(ladder, s))).toEqual([15, 15, 15, 15].map((m) => m * 60_000));
    expect(stepTargets(ladder, 0, c)).toMatchObject({ commander: true, users: [], repeat: false });
    expect(stepTargets(ladder, 1, c)).toMatchObject({ commander: true, users: ['U0ONCALL'], repeat: false });
    expect(stepTargets(ladder, 5, c)).toMatchObject({ users: ['U0ONCALL'], repeat: true, step: 5 });
    expect(ladderFor('sev4', c)).toBeNull();
  });

  it('per severity, in cadences or durations; overdueAfter keeps its old meaning as a one-step ladder that repeats', () => {
    const c = config(`reminders:
  overdueAfter: 20m
  ladder:
    sev2:
      steps:
        - { after: 1x }
        - { after: 2x, escalateTo: true }
        - { after: 3x, commander: false, usergroups: [S0PAGER] }
      repeatEvery: 45m
`);
    const sev2 = ladderFor('sev2', c)!;
    expect(sev2.stepsAfterMs).toEqual([30, 60, 90].map((m) => m * 60_000));
    expect([0, 1, 2, 3, 4].map((s) => gapBefore(sev2, s) / 60_000)).toEqual([30, 30, 30, 45, 45]);
    expect(stepTargets(sev2, 2, c)).toMatchObject({ commander: false, usergroups: ['S0PAGER'] });
    const sev1 = ladderFor('sev1', c)!;
    expect(sev1.stepsAfterMs).toEqual([20 * 60_000]);
    expect(sev1.repeatEveryMs).toBe(20 * 60_000);
    expect(() =>
      config('reminders:\n  ladder:\n    sev1: { steps: [{ after: soon }], repeatEvery: 1h }\n'),
    ).toThrow(/reminders\.ladder\.sev1\.steps\.0\.after/);
  });

  it('a settled prompt says who, as a mention Quell builds; text that is not a user id never becomes one', () => {
    const views = reminderViews(config());
    const incident = { id: 'INC-3', drill: false } as Incident;
    const at = '2026-11-21T14:02:00.000Z';
    const answered = views.settled({ incident, fate: 'answered', actor: 'W0BOB12345', at, kind: 'prompt' });
    expect(answered.text).toBe(
      `:white_check_mark: Update reminder for INC-3: answered by <@W0BOB12345> at <!date^${Date.parse(at) / 1000}^{time}|2026-11-21 14:02 UTC>.`,
    );
    expect(JSON.stringify(answered.blocks)).not.toContain('actions');
    expect(personMention('<!channel>')).not.toContain('<!channel>');
    expect(personMention('quell')).toBe('Quell');
    const snoozed = views.settled({
      incident,
      fate: 'snoozed',
      actor: 'U0ALICE',
      at,
      until: at,
      kind: 'overdue',
    });
    expect(snoozed.text).toContain('Overdue escalation for INC-3: snoozed by <@U0ALICE>');
  });
});
