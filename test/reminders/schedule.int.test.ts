import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escalationJobId, promptJobId } from '../../src/reminders/jobs.js';
import {
  eventually,
  FAST_CADENCES,
  promptsIn,
  type ReminderHarness,
  reminderHarness,
  sleep,
} from './harness.js';

describe('update prompts follow the incident', () => {
  let h: ReminderHarness;

  beforeEach(async () => {
    h = await reminderHarness();
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('schedules the first prompt one cadence after declaring, and posts it once at that time', async () => {
    // the worker starts after the job is checked: its start-up reconciliation could otherwise add
    // the same job first (same id, reason "reconciled"), which is right but not what this test reads
    const { incident } = await h.services.incidents.declare({
      title: 'Agent emailed customers',
      severity: 'sev1',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k1',
    });
    const dueAt = incident.nextUpdateDueAt!;
    expect(Date.parse(dueAt) - Date.parse(incident.createdAt)).toBe(2_000);
    const job = await h.services.reminders.queue.bull.getJob(promptJobId({ incidentId: incident.id, dueAt }));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data).toMatchObject({
      incidentId: incident.id,
      dueAt,
      overdueSince: dueAt,
      reason: 'declared',
    });
    await h.startWorker();

    const [prompt] = await eventually(() => {
      const prompts = promptsIn(h.slack);
      expect(prompts).toHaveLength(1);
      return prompts;
    });
    const postedAt = Date.now();
    expect(postedAt).toBeGreaterThanOrEqual(Date.parse(dueAt));
    expect(postedAt - Date.parse(dueAt)).toBeLessThan(1_500);
    expect(prompt!.params.channel).toBe(incident.channelId);
    expect(String(prompt!.params.text)).toBe(
      `<@U0ALICE> update due for ${incident.id}: Agent emailed customers`,
    );
    await sleep(1_000);
    expect(promptsIn(h.slack)).toHaveLength(1);
  });

  it('a structured update resets the clock: one cadence after the update, or earlier if the author says so', async () => {
    await h.startWorker();
    const { incident } = await h.services.incidents.declare({
      title: 'Agent loops on refunds',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k2',
    });
    const firstDue = incident.nextUpdateDueAt!;
    await sleep(1_000);
    const callsBefore = h.slack.calls.length;
    const updated = await h.services.reminders.updates.postUpdate(incident.id, 'U0ALICE', {
      impact: '12 refunds issued twice',
      containment: 'refund tool disabled',
      investigation: 'Fact: loop started 14:02. Hypothesis: retry storm.',
    });
    const updateAt = Date.parse(updated.updatedAt);
    expect(Date.parse(updated.nextUpdateDueAt!) - updateAt).toBeGreaterThan(2_900);
    expect(Date.parse(updated.nextUpdateDueAt!) - updateAt).toBeLessThanOrEqual(3_000);

    // the one path: timeline event with the contract's data, channel post, summary refreshed
    const events = await h.services.incidents.timeline(incident.id);
    expect(events.at(-1)).toMatchObject({
      actor: 'U0ALICE',
      kind: 'update',
      data: {
        impact: '12 refunds issued twice',
        containment: 'refund tool disabled',
        investigation: 'Fact: loop started 14:02. Hypothesis: retry storm.',
        nextUpdateAt: updated.nextUpdateDueAt,
      },
    });
    const after = h.slack.calls.slice(callsBefore);
    expect(after.map((c) => c.method)).toEqual(['chat.update', 'chat.postMessage']);
    expect(after[0]!.params).toMatchObject({ channel: incident.channelId, ts: incident.summaryTs });
    expect(JSON.stringify(after[0]!.params.blocks)).toContain(
      `<!date^${Math.floor(Date.parse(updated.nextUpdateDueAt!) / 1000)}^`,
    );
    const posted = after[1]!.params;
    expect(posted.channel).toBe(incident.channelId);
    expect(String(posted.text)).toContain(
      `${incident.id} update from <@U0ALICE>: impact: 12 refunds issued twice`,
    );
    expect(JSON.stringify(posted.blocks)).toContain('*Containment*\\nrefund tool disabled');

    // the old due time is gone from the queue; its time passes without a prompt
    const oldJob = await h.services.reminders.queue.bull.getJob(
      promptJobId({ incidentId: incident.id, dueAt: firstDue }),
    );
    expect(oldJob).toBeUndefined();
    await sleep(Date.parse(firstDue) - Date.now() + 500);
    expect(promptsIn(h.slack)).toHaveLength(0);
    const [prompt] = await eventually(() => {
      const prompts = promptsIn(h.slack);
      expect(prompts).toHaveLength(1);
      return prompts;
    });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(updated.nextUpdateDueAt!));
    expect(JSON.stringify(prompt!.params.blocks)).toContain(
      'The next update is due; the last one was posted',
    );

    // an author's earlier next-update time wins over the cadence
    const promised = new Date(Date.now() + 1_000);
    const second = await h.services.reminders.updates.postUpdate(incident.id, 'U0ALICE', {
      impact: 'no new refunds',
      containment: 'holding',
      investigation: 'checking the retry policy',
      nextUpdateAt: promised,
    });
    expect(second.nextUpdateDueAt).toBe(promised.toISOString());
    await eventually(() => expect(promptsIn(h.slack)).toHaveLength(2));
    expect(Date.now()).toBeGreaterThanOrEqual(promised.getTime());
  });

  it('a severity change reschedules at the new cadence from now', async () => {
    await h.startWorker();
    const { incident } = await h.services.incidents.declare({
      title: 'Eval canary failing',
      severity: 'sev3',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k3',
    });
    const hourLater = incident.nextUpdateDueAt!;
    expect(Date.parse(hourLater) - Date.parse(incident.createdAt)).toBe(3_600_000);
    const raised = await h.services.incidents.setSeverity(incident.id, 'U0ALICE', 'sev1');
    expect(Date.parse(raised.nextUpdateDueAt!) - Date.parse(raised.updatedAt)).toBeGreaterThanOrEqual(2_000);
    expect(Date.parse(raised.nextUpdateDueAt!) - Date.parse(raised.updatedAt)).toBeLessThan(2_100);
    expect(
      await h.services.reminders.queue.bull.getJob(
        promptJobId({ incidentId: incident.id, dueAt: hourLater }),
      ),
    ).toBeUndefined();
    const [prompt] = await eventually(() => {
      const prompts = promptsIn(h.slack);
      expect(prompts).toHaveLength(1);
      return prompts;
    });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(raised.nextUpdateDueAt!));
    expect(JSON.stringify(prompt!.params.blocks)).toContain(
      'An update is due at the SEV1 cadence, which restarted when the severity changed',
    );
  });

  it('resolving cancels the prompt, a prompt for a resolved incident is dropped, reopening reschedules', async () => {
    await h.startWorker();
    const { incident } = await h.services.incidents.declare({
      title: 'Leaked a token in chat',
      severity: 'sev1',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k4',
    });
    const dueAt = incident.nextUpdateDueAt!;
    const jobId = promptJobId({ incidentId: incident.id, dueAt });
    await h.services.resolution.service.forceResolve(
      incident.id,
      'U0ALICE',
      'the restart gate is not what this test is about',
    );
    expect(await h.services.reminders.queue.bull.getJob(jobId)).toBeUndefined();

    // even if the job survived (e.g. it was already running), the worker drops it
    await h.services.reminders.queue.schedulePrompt({
      incidentId: incident.id,
      dueAt,
      overdueSince: dueAt,
      reason: 'declared',
    });
    await eventually(async () =>
      expect((await h.services.reminders.queue.bull.getJob(jobId))?.returnvalue).toBe('dropped-resolved'),
    );
    await sleep(Date.parse(dueAt) - Date.now() + 300);
    expect(promptsIn(h.slack)).toHaveLength(0);

    const reopened = await h.services.incidents.setStatus(incident.id, 'U0ALICE', 'investigating');
    expect(Date.parse(reopened.nextUpdateDueAt!) - Date.parse(reopened.updatedAt)).toBeGreaterThanOrEqual(
      2_000,
    );
    expect(Date.parse(reopened.nextUpdateDueAt!) - Date.parse(reopened.updatedAt)).toBeLessThan(2_100);
    const [prompt] = await eventually(() => {
      const prompts = promptsIn(h.slack);
      expect(prompts).toHaveLength(1);
      return prompts;
    });
    expect(JSON.stringify(prompt!.params.blocks)).toContain(
      `An update is due since ${incident.id} was reopened`,
    );
    // no escalation job was left behind for the cancelled due time
    expect(
      await h.services.reminders.queue.bull.getJob(escalationJobId({ incidentId: incident.id, dueAt })),
    ).toBeUndefined();
  });
});

describe('who a prompt calls on', () => {
  it('mentions the channel when nobody is commander, and marks drills', async () => {
    const h = await reminderHarness(`${FAST_CADENCES}
incidents:
  declarerIsCommander: false
`);
    try {
      await h.startWorker();
      const { incident } = await h.services.incidents.declare({
        title: 'Game day: agent ignores kill switch',
        severity: 'sev1',
        drill: true,
        declaredBy: 'U0ALICE',
        idempotencyKey: 'k5',
      });
      const [prompt] = await eventually(() => {
        const prompts = promptsIn(h.slack);
        expect(prompts).toHaveLength(1);
        return prompts;
      });
      expect(String(prompt!.params.text)).toBe(
        `[DRILL] <!here> update due for ${incident.id}: Game day: agent ignores kill switch`,
      );
      expect(JSON.stringify(prompt!.params.blocks)).toContain(
        `*[DRILL] Update due for ${incident.id}* <!here>`,
      );
    } finally {
      await h.cleanup();
    }
  });
});
