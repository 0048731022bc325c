import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EscalationStep, EscalationTargets } from '../../src/reminders/index.js';
import { escalationsIn, type ReminderHarness, reminderHarness } from './harness.js';

/**
 * The paging hook of the escalation ladder: told once per step after the step is posted, with a
 * key that stays the same when a run is retried; a hook failure retries the run without posting
 * the step again.
 */
const LADDER = `
severities:
  sev1: { cadence: 1h }
reminders:
  escalateTo:
    users: [U0ONCALL]
  ladder:
    sev1:
      steps:
        - { after: 1h }
        - { after: 2h, escalateTo: true, usergroups: [S0LEADS] }
      repeatEvery: 1h
`;

describe('onEscalationStep', () => {
  let h: ReminderHarness;
  beforeEach(async () => {
    h = await reminderHarness(LADDER);
  });
  afterEach(async () => {
    await h.cleanup();
  });

  async function overdueIncident() {
    const { incident } = await h.services.incidents.declare({
      title: 'Agent moved money',
      severity: 'sev1',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'hook',
    });
    const dueAt = incident.nextUpdateDueAt!;
    return {
      incident,
      payload: { incidentId: incident.id, dueAt, overdueSince: dueAt, promptedAt: dueAt, step: 1, at: dueAt },
    };
  }

  it('is told once per posted step, with the commander, the step targets and a stable key', async () => {
    const { incident, payload } = await overdueIncident();
    const told: [string, EscalationStep, EscalationTargets][] = [];
    const hook = async (id: string, step: EscalationStep, targets: EscalationTargets) => {
      told.push([id, step, targets]);
    };
    expect(await h.prompter(undefined, { onEscalationStep: hook }).escalate(payload)).toBe('posted');
    // the same step again (a redelivered job): nothing posted, nobody told
    expect(await h.prompter(undefined, { onEscalationStep: hook }).escalate(payload)).toBe('already-posted');
    expect(escalationsIn(h.slack)).toHaveLength(1);
    expect(told).toEqual([
      [
        incident.id,
        {
          index: 1,
          repeat: false,
          dueAt: payload.dueAt,
          overdueSince: payload.overdueSince,
          key: `${incident.id}:${Date.parse(payload.overdueSince)}:1`,
        },
        { commander: 'U0ALICE', users: ['U0ONCALL'], usergroups: ['S0LEADS'] },
      ],
    ]);
  });

  it('a failing hook fails the run; the retry tells it again with the same key and does not post again', async () => {
    const { incident, payload } = await overdueIncident();
    const keys: string[] = [];
    let failures = 1;
    const hook = async (_id: string, step: EscalationStep) => {
      keys.push(step.key);
      if (failures-- > 0) throw new Error('pager unreachable');
    };
    await expect(h.prompter(undefined, { onEscalationStep: hook }).escalate(payload)).rejects.toThrow(
      'pager unreachable',
    );
    const timeline = async () =>
      (await h.services.incidents.timeline(incident.id)).filter((e) => e.kind === 'update_overdue');
    expect(await timeline()).toHaveLength(0);
    expect(await h.prompter(undefined, { onEscalationStep: hook }).escalate(payload)).toBe('already-posted');
    expect(keys).toEqual([keys[0], keys[0]]);
    expect(escalationsIn(h.slack)).toHaveLength(1);
    expect(await timeline()).toHaveLength(1);
  });
});
