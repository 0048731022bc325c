import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { Incident } from '../../src/incidents/model.js';
import { nextDueAfterUpdate } from '../../src/reminders/cadence.js';
import { escalationJobId, promptJobId } from '../../src/reminders/jobs.js';
import { decodePromptRef, reminderViews } from '../../src/slack/blocks/reminders.js';
import { parseUpdateArgs } from '../../src/slack/listeners/commands/incident/update.js';

const config = parseConfigText('', 'test');

const incident: Incident = {
  id: 'INC-1234',
  seq: 1234,
  title: 'Agent deleted a mailbox',
  description: '',
  severity: 'sev1',
  status: 'investigating',
  drill: false,
  channelId: 'C0INC',
  roles: { commander: 'U0IC' },
  agent: {},
  declaredBy: 'U0IC',
  createdAt: '2026-11-21T14:00:00.000Z',
  updatedAt: '2026-11-21T14:00:00.000Z',
  nextUpdateDueAt: '2026-11-21T14:15:00.000Z',
  version: 1,
};

describe('cadence rules', () => {
  const now = new Date('2026-11-21T14:00:00Z');
  it('next update one cadence after the update, or the promised time if earlier', () => {
    expect(nextDueAfterUpdate(now, 900_000, null)).toBe('2026-11-21T14:15:00.000Z');
    expect(nextDueAfterUpdate(now, 900_000, new Date('2026-11-21T14:05:00Z'))).toBe(
      '2026-11-21T14:05:00.000Z',
    );
    expect(nextDueAfterUpdate(now, 900_000, new Date('2026-11-21T15:00:00Z'))).toBe(
      '2026-11-21T14:15:00.000Z',
    );
    expect(nextDueAfterUpdate(now, null, null)).toBeNull();
    expect(nextDueAfterUpdate(now, null, new Date('2026-11-21T16:00:00Z'))).toBe('2026-11-21T16:00:00.000Z');
  });

  it('config defaults: three snooze choices, late after a minute, escalation after one more cadence', () => {
    expect(config.reminders).toMatchObject({
      snoozeChoices: [600_000, 1_200_000, 1_800_000],
      lateAfter: 60_000,
      reconcileEvery: 60_000,
      escalateTo: { users: [], usergroups: [] },
    });
    expect(config.reminders.overdueAfter).toBeUndefined();
    expect(() => parseConfigText('reminders:\n  escalateTo:\n    users: [alice]\n', 't')).toThrow(
      /reminders\.escalateTo\.users\.0: must be a Slack user id/,
    );
    expect(() => parseConfigText('reminders:\n  snoozeChoices: [soon]\n', 't')).toThrow(/is not a duration/);
  });
});

describe('job ids', () => {
  it('derive from incident and due time only, without ":"', () => {
    const ref = { incidentId: 'INC-42', dueAt: '2026-11-21T14:15:00.000Z' };
    expect(promptJobId(ref)).toBe('prompt-INC-42-1795270500000');
    expect(escalationJobId(ref)).toBe('overdue-INC-42-1795270500000-0');
    expect(escalationJobId({ ...ref, step: 3 })).toBe('overdue-INC-42-1795270500000-3');
    expect(promptJobId({ incidentId: 'a:b', dueAt: ref.dueAt })).not.toContain(':');
  });
});

describe('/incident update arguments', () => {
  it('no text opens the form; labelled text is an inline update', () => {
    expect(parseUpdateArgs('  ')).toEqual({ mode: 'modal' });
    expect(
      parseUpdateArgs(
        'impact: 3 customers emailed Containment: email tool off investigation: facts: x; next: 20m',
      ),
    ).toEqual({
      mode: 'inline',
      impact: '3 customers emailed',
      containment: 'email tool off',
      investigation: 'facts: x;',
      nextInMs: 1_200_000,
    });
  });

  it('refuses incomplete or malformed updates with the usage', () => {
    expect(() => parseUpdateArgs('all good')).toThrow(/Start with `impact:`/);
    expect(() => parseUpdateArgs('impact: a containment: b')).toThrow(/needs `investigation:`/);
    expect(() => parseUpdateArgs('impact: a impact: b containment: c investigation: d')).toThrow(
      /appears twice/,
    );
    expect(() => parseUpdateArgs('impact: a containment: b investigation: c next: soon')).toThrow(
      /not a duration/,
    );
    expect(() => parseUpdateArgs('impact: a')).toThrow(/Usage: `\/incident update/);
  });
});

describe('reminder messages', () => {
  const views = reminderViews(config);
  const facts = {
    incident,
    dueAt: incident.nextUpdateDueAt!,
    overdueSince: incident.nextUpdateDueAt!,
    reason: 'declared' as const,
    since: incident.createdAt,
    late: false,
    cadenceMs: 900_000,
    marker: 'quell_prompt_1795270500000',
  };

  it('a prompt mentions the commander, says which update is due since when, and has Post update and Snooze', () => {
    const message = views.prompt(facts);
    expect(message.text).toBe('<@U0IC> update due for INC-1234: Agent deleted a mailbox');
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain('The first update since INC-1234 was declared <!date^1795269600^');
    expect(blocks).toContain('Due <!date^1795270500^{time}|2026-11-21 14:15 UTC> (<!date^1795270500^{ago}|');
    expect(blocks).toContain('SEV1 updates are due every 15m.');
    expect(blocks).not.toContain('late');
    const actions = message.blocks!.at(-1) as unknown as {
      block_id: string;
      elements: Record<string, unknown>[];
    };
    expect(actions.block_id).toBe('quell_prompt_1795270500000');
    expect(actions.elements[0]).toMatchObject({
      action_id: 'quell_update_post',
      text: { text: 'Post update' },
    });
    const snooze = actions.elements[1] as { options: { text: { text: string }; value: string }[] };
    expect(snooze.options.map((o) => o.text.text)).toEqual(['Snooze 10m', 'Snooze 20m', 'Snooze 30m']);
    for (const option of snooze.options) expect(option.value.length).toBeLessThanOrEqual(150);
    expect(decodePromptRef(snooze.options[0]!.value)).toEqual({
      i: 'INC-1234',
      d: facts.dueAt,
      o: facts.overdueSince,
      s: 600_000,
    });
  });

  it('a late prompt says so; a drill prompt is marked', () => {
    const late = views.prompt({ ...facts, late: true, incident: { ...incident, drill: true } });
    expect(late.text).toBe(
      '[DRILL] <@U0IC> update due for INC-1234 (late: Quell was not running when it fell due): Agent deleted a mailbox',
    );
    expect(JSON.stringify(late.blocks)).toContain(
      ':hourglass: This reminder is late: it fell due <!date^1795270500^',
    );
  });

  it('an escalation mentions the commander and every configured target', () => {
    const message = views.escalation({
      incident,
      dueAt: facts.dueAt,
      overdueSince: facts.dueAt,
      promptedAt: facts.dueAt,
      users: ['U0VP'],
      usergroups: ['S0SEC'],
      marker: 'quell_overdue_1795270500000',
    });
    expect(message.text).toBe(':rotating_light: INC-1234 update overdue: <@U0IC> <@U0VP> <!subteam^S0SEC>');
  });

  it('an update escapes what people typed', () => {
    const message = views.update(
      incident,
      { incidentId: incident.id, at: incident.updatedAt, actor: 'U0IC', kind: 'update', text: '', data: {} },
      { impact: '<!channel> & more', containment: 'c', investigation: 'i', nextUpdateAt: null },
    );
    // a typed @channel is shown as words, never a ping (src/text/safe-text.ts)
    expect(JSON.stringify(message.blocks)).toContain('*Impact*\\n@channel &amp; more');
    expect(JSON.stringify(message.blocks)).toContain('*Next update:* none scheduled');
  });
});
