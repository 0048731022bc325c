import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  escalationsIn,
  eventually,
  promptsIn,
  type ReminderHarness,
  reminderHarness,
  sleep,
  startBackgroundWorker,
} from './harness.js';

/**
 * The escalation ladder on the real job runtime and a private Redis: each step once, in order, then
 * the last step repeated at the interval until an update (or resolve); snoozes move it; two workers
 * post no step twice; settled prompts lose their buttons.
 */
const LADDER = `
severities:
  sev1: { cadence: 2s }
responders:
  users: [U0BOB]
reminders:
  lateAfter: 1s
  snoozeChoices: [1s, 10m]
  escalateTo:
    users: [U0ONCALL]
    usergroups: [S0LEADS]
  ladder:
    sev1:
      steps:
        - { after: 1s }
        - { after: 2s, escalateTo: true }
        - { after: 3s, commander: false, users: [W0PAGER01] }
      repeatEvery: 2s
`;

const overdueEvents = async (h: ReminderHarness, id: string) =>
  (await h.services.incidents.timeline(id)).filter((e) => e.kind === 'update_overdue');

/** Escalations about the update that fell due at `dueAt` (their buttons carry it). */
const escalationsFor = (h: ReminderHarness, dueAt: string) =>
  escalationsIn(h.slack).filter((c) => JSON.stringify(c.params.blocks).includes(`\\"o\\":\\"${dueAt}`));

async function declare(h: ReminderHarness, key: string) {
  const { incident } = await h.services.incidents.declare({
    title: 'Agent moved money',
    severity: 'sev1',
    declaredBy: 'U0ALICE',
    idempotencyKey: key,
  });
  return incident;
}

describe('escalation ladder', () => {
  let h: ReminderHarness;

  beforeEach(async () => {
    h = await reminderHarness(LADDER);
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('walks the ladder step by step, each step once, repeats the last at the interval, and stops when an update is posted; the answered prompts lose their buttons', async () => {
    await h.startWorker();
    const incident = await declare(h, 'l1');
    const dueAt = incident.nextUpdateDueAt!;
    const dueMs = Date.parse(dueAt);
    await eventually(() => expect(promptsIn(h.slack)).toHaveLength(1));

    // steps 1-3, then two repeats of step 3 (every 2s): five escalations
    const seen: number[] = [];
    const escalations = await eventually(() => {
      const list = escalationsIn(h.slack);
      while (seen.length < list.length) seen.push(Date.now());
      expect(list.length).toBeGreaterThanOrEqual(5);
      return list;
    }, 15_000);
    const texts = escalations.slice(0, 5).map((c) => String(c.params.text));
    expect(texts[0]).toBe(`:rotating_light: ${incident.id} update overdue: <@U0ALICE>`);
    expect(texts[1]).toBe(
      `:rotating_light: ${incident.id} update overdue: <@U0ALICE> <@U0ONCALL> <!subteam^S0LEADS>`,
    );
    expect(texts[2]).toBe(`:rotating_light: ${incident.id} update overdue: <@W0PAGER01>`);
    expect(texts[3]).toBe(texts[2]);
    expect(texts[4]).toBe(texts[2]);
    expect(JSON.stringify(escalations[0]!.params.blocks)).toContain('Escalation 1 of 3.');
    expect(JSON.stringify(escalations[3]!.params.blocks)).toContain('repeat 1 of the last escalation');
    // step times follow the ladder from the due time (1s, 2s, 3s, then +2s, +2s)
    expect(seen[0]! - dueMs).toBeGreaterThanOrEqual(900);
    expect(seen[2]! - dueMs).toBeGreaterThanOrEqual(2_900);
    expect(seen[4]! - dueMs).toBeGreaterThanOrEqual(6_900);

    // every step on the timeline once, in order
    const events = await eventually(async () => {
      const list = await overdueEvents(h, incident.id);
      expect(list.length).toBeGreaterThanOrEqual(5);
      return list;
    });
    expect(events.slice(0, 5).map((e) => e.data.step)).toEqual([0, 1, 2, 3, 4]);
    expect(events[1]).toMatchObject({
      actor: 'quell',
      data: { dueAt, overdueSince: dueAt, step: 1, repeat: false, commander: 'U0ALICE', users: ['U0ONCALL'] },
    });
    expect(events[3]!.data).toMatchObject({ step: 3, repeat: true, commander: null, users: ['W0PAGER01'] });
    expect(new Set(events.map((e) => e.data.step)).size).toBe(events.length);

    // an update stops the ladder
    await h.services.reminders.updates.postUpdate(incident.id, 'U0BOB', {
      impact: 'one transfer',
      containment: 'payments tool off',
      investigation: 'reading the logs',
      nextUpdateAt: new Date(Date.now() + 60_000),
    });
    const countAtUpdate = escalationsIn(h.slack).length;
    await sleep(2_500);
    // nothing more for the missing update; the next due time starts its own prompt and ladder
    expect(escalationsFor(h, dueAt)).toHaveLength(countAtUpdate);
    expect((await overdueEvents(h, incident.id)).filter((e) => e.data.overdueSince === dueAt)).toHaveLength(
      countAtUpdate,
    );

    // the prompt and every step are edited in place: no buttons, who answered and when
    const edits = await eventually(() => {
      const list = h.slack
        .callsTo('chat.update')
        .filter((c) => String(c.params.text).includes('answered by'));
      expect(list).toHaveLength(1 + countAtUpdate);
      return list;
    });
    expect(String(edits.find((c) => String(c.params.text).includes('Update reminder'))!.params.text)).toMatch(
      new RegExp(
        `^:white_check_mark: Update reminder for ${incident.id}: answered by <@U0BOB> at <!date\\^\\d+\\^\\{time\\}\\|`,
      ),
    );
    for (const edit of edits) {
      expect(edit.params.channel).toBe(incident.channelId);
      expect(JSON.stringify(edit.params.blocks)).not.toContain('"actions"');
    }
    expect(new Set(edits.map((c) => c.params.ts)).size).toBe(edits.length);
  }, 30_000);

  it('a snooze moves the rest of the ladder: no step twice, the next step keeps its gap from the snoozed prompt', async () => {
    await h.startWorker();
    const incident = await declare(h, 'l2');
    const dueAt = incident.nextUpdateDueAt!;
    await eventually(() => expect(escalationsIn(h.slack)).toHaveLength(1), 6_000);

    const snoozed = await h.services.reminders.updates.snooze(incident.id, 'U0ALICE', {
      dueAt,
      overdueSince: dueAt,
      snoozeMs: 1_000,
    });
    const newDueMs = Date.parse(snoozed.nextUpdateDueAt!);
    // the snoozed prompt says what happened, without buttons
    await eventually(() => {
      const edit = h.slack
        .callsTo('chat.update')
        .find((c) => String(c.params.text).includes('snoozed by <@U0ALICE>'));
      expect(edit).toBeDefined();
      expect(JSON.stringify(edit!.params.blocks)).not.toContain('"actions"');
    });
    await eventually(() => expect(promptsIn(h.slack)).toHaveLength(2), 5_000);
    // step 2 (not step 1 again) one second (its gap) after the snoozed prompt's due time
    const [, second] = await eventually(() => {
      const list = escalationsIn(h.slack);
      expect(list).toHaveLength(2);
      return list;
    }, 6_000);
    expect(Date.now() - newDueMs).toBeGreaterThanOrEqual(900);
    expect(String(second!.params.text)).toContain('<@U0ONCALL>');
    const events = await eventually(async () => {
      const list = await overdueEvents(h, incident.id);
      expect(list).toHaveLength(2);
      return list;
    });
    expect(events.map((e) => [e.data.step, e.data.overdueSince])).toEqual([
      [0, dueAt],
      [1, dueAt],
    ]);
    await h.services.reminders.updates.postUpdate(incident.id, 'U0ALICE', {
      impact: 'none',
      containment: 'off',
      investigation: 'done',
      nextUpdateAt: new Date(Date.now() + 60_000),
    });
  }, 30_000);

  it('two workers (two replicas) produce no duplicate step, and a redelivered step posts nothing', async () => {
    await h.startWorker('one');
    const other = h.replica();
    await startBackgroundWorker(other, 'two');
    const incident = await declare(h, 'l3');
    const dueAt = incident.nextUpdateDueAt!;
    await eventually(() => expect(escalationsIn(h.slack).length).toBeGreaterThanOrEqual(4), 15_000);
    // the same step run twice at once (a redelivery racing the original) posts once
    const payload = {
      incidentId: incident.id,
      dueAt,
      overdueSince: dueAt,
      promptedAt: dueAt,
      step: 1,
      at: dueAt,
    };
    const before = escalationsIn(h.slack).length;
    const outcomes = await Promise.allSettled([
      h.prompter().escalate(payload),
      h.prompter().escalate(payload),
    ]);
    expect(outcomes.every((o) => o.status === 'rejected' || o.value === 'already-posted')).toBe(true);
    await h.services.reminders.updates.postUpdate(incident.id, 'U0ALICE', {
      impact: 'none',
      containment: 'off',
      investigation: 'done',
      nextUpdateAt: new Date(Date.now() + 60_000),
    });
    await sleep(2_500);
    const escalations = escalationsFor(h, dueAt);
    expect(escalations.length).toBeGreaterThanOrEqual(before);
    const events = (await overdueEvents(h, incident.id)).filter((e) => e.data.overdueSince === dueAt);
    const steps = events.map((e) => e.data.step as number);
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(escalations).toHaveLength(events.length);
    // one prompt for the due time the ladder was about (a new one follows the update, a cadence later)
    expect(promptsIn(h.slack).filter((c) => JSON.stringify(c.params.blocks).includes(dueAt))).toHaveLength(1);
    await other.jobs.stop();
  }, 30_000);

  it('does not escalate when an update arrives in time', async () => {
    await h.startWorker();
    const incident = await declare(h, 'l4');
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
