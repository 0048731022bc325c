import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { parseDueDate } from '../../src/resolution/due-date.js';
import { evaluateGate } from '../../src/resolution/gate.js';
import { parsePostmortemTemplate } from '../../src/resolution/postmortem-template.js';
import { parseReactivationPlan } from '../../src/resolution/reactivation.js';
import { suggestSeverity, type TriageAnswers } from '../../src/resolution/triage.js';
import { reactivationPlanText } from '../../src/slack/blocks/incident.js';
import { parseActionArgs } from '../../src/slack/listeners/commands/incident/resolution.js';
import { REALISTIC_INCIDENT } from '../comms/fixtures.js';

const calm: TriageAnswers = {
  dataLeftBoundary: 'no',
  moneyMoved: 'no',
  externalMessaged: 'no',
  reversible: 'yes',
  agentRunning: 'no',
  similarQueued: 'no',
};

describe('triage suggestion', () => {
  const cases: [Partial<TriageAnswers>, string, string][] = [
    [{}, 'sev4', 'Internal, reversible, and the agent has stopped with nothing queued: record and watch.'],
    [
      { agentRunning: 'yes' },
      'sev3',
      'Internal and reversible so far, but the agent is still running: contain it before it repeats.',
    ],
    [
      { similarQueued: 'yes' },
      'sev3',
      'Internal and reversible so far, but similar runs are queued: contain it before it repeats.',
    ],
    [{ reversible: 'no' }, 'sev2', 'Not everything can be reversed; the agent has stopped.'],
    [{ externalMessaged: 'yes' }, 'sev2', 'People outside the company were messaged; the agent has stopped.'],
    [
      { externalMessaged: 'yes', agentRunning: 'yes' },
      'sev1',
      'People outside the company were messaged, and the agent is still running: the harm may still be growing.',
    ],
    [{ dataLeftBoundary: 'yes' }, 'sev1', 'Data left a boundary.'],
    [{ moneyMoved: 'yes', dataLeftBoundary: 'yes' }, 'sev1', 'Data left a boundary and money moved.'],
    [{ moneyMoved: 'unsure' }, 'sev1', 'Money moved. Unsure answers were taken as the worse case (money).'],
    [
      { reversible: 'unsure', similarQueued: 'unsure' },
      'sev1',
      'Not everything can be reversed, and similar runs are queued: the harm may still be growing. Unsure answers were taken as the worse case (reversible, runs queued).',
    ],
  ];
  it.each(cases)('%o → %s', (answers, severity, reason) => {
    expect(suggestSeverity({ ...calm, ...answers })).toEqual({ severity, reason });
  });
});

describe('restart gate evaluation', () => {
  it('lists required items not ticked, in checklist order; ticks of optional items do not matter', () => {
    const tick = { by: 'U1', at: '2026-11-21T14:00:00.000Z' };
    const state = evaluateGate(['approval', 'contained', 'rollback'], { contained: tick, guardrails: tick });
    expect(state.missing).toEqual(['rollback', 'approval']);
    expect(state.passed).toBe(false);
    expect(evaluateGate([], {}).passed).toBe(true);
  });

  it('config: defaults per severity, and a typo in an item is refused with the field named', () => {
    const config = parseConfigText('', 'test');
    expect(config.resolution.gate.required.sev1).toHaveLength(9);
    expect(config.resolution.gate.required.sev2).toContain('approval');
    expect(config.resolution.gate.required.sev3).toEqual([
      'contained',
      'records-identified',
      'rollback',
      'owner-assigned',
    ]);
    expect(config.resolution.gate.required.sev4).toEqual([]);
    expect(config.resolution.gate.override).toEqual({ users: [], usergroups: [], roles: ['commander'] });
    expect(() =>
      parseConfigText('resolution:\n  gate:\n    required:\n      sev3: [contained, tests]\n', 'test'),
    ).toThrow(/resolution\.gate\.required\.sev3\.1/);
  });
});

describe('reactivation plan', () => {
  it('reads three stages with owners and criteria, shadow or read-only first', () => {
    const steps = parseReactivationPlan(
      'read-only: <@U0ANA|ana> 48h of proposals only limited: <@U0BEN> 10% of tickets full: <@U0CY> after a clean week',
    );
    expect(steps).toEqual([
      { stage: 'read-only', owner: 'U0ANA', criteria: '48h of proposals only' },
      { stage: 'limited', owner: 'U0BEN', criteria: '10% of tickets' },
      { stage: 'full', owner: 'U0CY', criteria: 'after a clean week' },
    ]);
    expect(reactivationPlanText(steps)).toBe(
      '*Reactivation plan*\n1. *Read-only*: <@U0ANA> (48h of proposals only)\n2. *Limited*: <@U0BEN> (10% of tickets)\n3. *Full*: <@U0CY> (after a clean week)',
    );
  });

  it.each([
    ['full: <@U0CY> now', /three stages in this order/],
    ['bring it back slowly', /Start with `shadow:`/],
    ['shadow: <@U0A> limited: <@U0B>', /three stages in this order/],
    ['shadow: <@U0A> full: <@U0B> limited: <@U0C>', /three stages in this order/],
    ['shadow: ana limited: <@U0B> full: <@U0C>', /Give the `shadow:` stage an owner/],
  ])('refuses %s', (text, message) => {
    expect(() => parseReactivationPlan(text)).toThrow(message);
  });
});

describe('corrective action arguments and due dates', () => {
  const now = new Date('2026-11-21T14:00:00Z');
  it('parses owner, due date and text, or done <id>', () => {
    expect(parseActionArgs('<@U0ANA|ana> 2026-12-01 Add an allow-list to mailbox.delete')).toEqual({
      kind: 'add',
      owner: 'U0ANA',
      due: '2026-12-01',
      text: 'Add an allow-list to mailbox.delete',
    });
    expect(parseActionArgs('done a12')).toEqual({ kind: 'done', id: 'A12' });
    expect(() => parseActionArgs('done')).toThrow(/Give the id/);
    expect(() => parseActionArgs('ana 2026-12-01 x')).toThrow(/is not a person/);
    expect(() => parseActionArgs('<@U0ANA> 2026-12-01')).toThrow(/Say what has to be done/);
  });

  it('due dates: end of that day in the timezone, tomorrow, or a duration', () => {
    expect(parseDueDate('2026-12-01', now, 'UTC')?.toISOString()).toBe('2026-12-01T23:59:59.000Z');
    expect(parseDueDate('2026-12-01', now, 'Europe/Berlin')?.toISOString()).toBe('2026-12-01T22:59:59.000Z');
    expect(parseDueDate('2026-07-01', now, 'America/New_York')?.toISOString()).toBe(
      '2026-07-02T03:59:59.000Z',
    );
    expect(parseDueDate('tomorrow', now, 'UTC')?.toISOString()).toBe('2026-11-22T23:59:59.000Z');
    expect(parseDueDate('3d', now, 'UTC')?.toISOString()).toBe('2026-11-24T14:00:00.000Z');
    expect(parseDueDate('2026-02-30', now, 'UTC')).toBeUndefined();
    expect(parseDueDate('next week', now, 'UTC')).toBeUndefined();
  });
});

describe('postmortem template checks', () => {
  it('names an unknown field with its file and line', () => {
    expect(() =>
      parsePostmortemTemplate('# {{ incident.id }}\n\n{{ incident.titel }}\n', 'pm.liquid'),
    ).toThrow('postmortem template is invalid:\n  - pm.liquid:3: unknown field "incident.titel"');
    expect(() => parsePostmortemTemplate('{% if %}', 'pm.liquid')).toThrow(/pm\.liquid:1/);
  });

  it('accepts loops over the list fields and their item fields', () => {
    const template = parsePostmortemTemplate(
      '{% for e in timeline %}{{ forloop.index }} {{ e.text }}\n{% endfor %}{{ timeline.size }} {{ incident.id }}',
      'pm.liquid',
    );
    expect(
      template.render({ timeline: [{ text: 'a' }, { text: 'b' }], incident: { id: REALISTIC_INCIDENT.id } }),
    ).toBe('1 a\n2 b\n2 INC-7\n');
  });
});
