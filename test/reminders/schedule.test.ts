import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updatePromptJob } from '../../src/reminders/jobs.js';
import { eventually, promptsIn, type ReminderHarness, reminderHarness, sleep } from './harness.js';

describe('update prompts follow the incident', () => {
  let h: ReminderHarness;

  beforeEach(async () => {
    h = await reminderHarness();
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('schedules the first prompt one cadence after declaring, and posts it once at that time', async () => {
    await h.startWorker();
    const { incident } = await h.services.incidents.declare({
      title: 'Agent emailed customers',
      severity: 'sev1',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k1',
    });
    const dueAt = incident.nextUpdateDueAt!;
    expect(Date.parse(dueAt) - Date.parse(incident.createdAt)).toBe(2_000);
    const job = await h.services.reminders.queue.bull.getJob(updatePromptJob.jobId({ incidentId: incident.id, dueAt }));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data).toMatchObject({ incidentId: incident.id, dueAt, overdueSince: dueAt, reason: 'declared' });

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
});
