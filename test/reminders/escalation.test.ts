import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  escalationsIn,
  eventually,
  promptsIn,
  type ReminderHarness,
  reminderHarness,
  sleep,
} from './harness.js';

const ESCALATING = `
severities:
  sev1: { cadence: 2s }
reminders:
  overdueAfter: 2s
  lateAfter: 1s
  snoozeChoices: [1s, 10m]
  escalateTo:
    users: [U0ONCALL]
    usergroups: [S0LEADS]
`;

describe('overdue escalation', () => {
  let h: ReminderHarness;

  beforeEach(async () => {
    h = await reminderHarness(ESCALATING);
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('escalates once, to the commander and the configured target, and records it; a snooze does not escalate again', async () => {
    await h.startWorker();
    const { incident } = await h.services.incidents.declare({
      title: 'Agent moved money',
      severity: 'sev1',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'e1',
    });
    const dueAt = incident.nextUpdateDueAt!;
    await eventually(() => expect(promptsIn(h.slack)).toHaveLength(1));
    const promptedAt = Date.now();
    expect(escalationsIn(h.slack)).toHaveLength(0);

    const [escalation] = await eventually(() => {
      const escalations = escalationsIn(h.slack);
      expect(escalations).toHaveLength(1);
      return escalations;
    });
    expect(Date.now() - promptedAt).toBeGreaterThanOrEqual(1_900);
    expect(escalation!.params.channel).toBe(incident.channelId);
    expect(String(escalation!.params.text)).toBe(
      `:rotating_light: ${incident.id} update overdue: <@U0ALICE> <@U0ONCALL> <!subteam^S0LEADS>`,
    );
    const events = await eventually(async () => {
      const timeline = await h.services.incidents.timeline(incident.id);
      expect(timeline.map((e) => e.kind)).toContain('update_overdue');
      return timeline;
    });
    expect(events.find((e) => e.kind === 'update_overdue')).toMatchObject({
      actor: 'quell',
      data: {
        dueAt,
        overdueSince: dueAt,
        commander: 'U0ALICE',
        users: ['U0ONCALL'],
        usergroups: ['S0LEADS'],
      },
    });

    // snoozing the still-missing update brings the prompt back, but not a second escalation
    const snoozed = await h.services.reminders.updates.snooze(incident.id, 'U0ALICE', {
      dueAt,
      overdueSince: dueAt,
      snoozeMs: 1_000,
    });
    expect(snoozed.nextUpdateDueAt).not.toBe(dueAt);
    const [, again] = await eventually(() => {
      const prompts = promptsIn(h.slack);
      expect(prompts).toHaveLength(2);
      return prompts;
    });
    expect(JSON.stringify(again!.params.blocks)).toContain(
      'The update is still missing; the reminder was snoozed',
    );
    expect(JSON.stringify(again!.params.blocks)).toContain(
      `Missing since <!date^${Math.floor(Date.parse(dueAt) / 1000)}^`,
    );
    await sleep(3_000);
    expect(escalationsIn(h.slack)).toHaveLength(1);
    expect(
      (await h.services.incidents.timeline(incident.id)).filter((e) => e.kind === 'update_overdue'),
    ).toHaveLength(1);
  });

  it('does not escalate when an update arrives in time', async () => {
    await h.startWorker();
    const { incident } = await h.services.incidents.declare({
      title: 'Agent sent a wrong invoice',
      severity: 'sev1',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'e2',
    });
    await eventually(() => expect(promptsIn(h.slack)).toHaveLength(1));
    await h.services.reminders.updates.postUpdate(incident.id, 'U0ALICE', {
      impact: 'one invoice',
      containment: 'invoice tool off',
      investigation: 'reading the logs',
      nextUpdateAt: new Date(Date.now() + 60_000),
    });
    await sleep(2_500);
    expect(escalationsIn(h.slack)).toHaveLength(0);
  });
});
