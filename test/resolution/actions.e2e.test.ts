import { afterEach, describe, expect, it } from 'vitest';
import { actionOverdueJobId } from '../../src/resolution/jobs.js';
import { type Services, startWorkers } from '../../src/services.js';
import { eventually } from '../helpers/http-app.js';
import { COMMANDER, type ResolutionHarness, resolutionHarness, TECH_LEAD } from './harness.js';

let h: ResolutionHarness;
afterEach(async () => {
  await h?.close();
});

/** The background lane (where overdue reminders run) of one replica. */
const startWorker = (services: Services, name: string) =>
  startWorkers(services, { lanes: ['background'], name });

describe('corrective actions', () => {
  it('reminds the owner once when overdue, with two workers on one Redis, even when the job is added again', async () => {
    h = await resolutionHarness();
    const replica = h.replica();
    await startWorker(h.services, 'worker-a');
    await startWorker(replica, 'worker-b');
    const id = await h.declare({ severity: 'sev3' });
    const channel = (await h.services.store.require(id)).channelId!;
    h.slack.calls.length = 0;

    const dueAt = new Date(h.clock.now().getTime() + 800);
    const action = await h.services.resolution.actions.add({
      incidentId: id,
      actor: COMMANDER,
      owner: TECH_LEAD,
      dueAt,
      text: 'Add an allow-list to mailbox.delete',
    });
    const done = await h.services.resolution.actions.add({
      incidentId: id,
      actor: COMMANDER,
      owner: TECH_LEAD,
      dueAt,
      text: 'Closed before it was due',
    });
    await h.services.resolution.actions.done(done.id, TECH_LEAD);

    const reminders = () =>
      h.slack.callsTo('chat.postMessage').filter((c) => String(c.params.text).includes('overdue'));
    await eventually(() => expect(reminders()).toHaveLength(1), 10_000);
    expect(reminders()[0]!.params).toMatchObject({
      channel,
      text: `:alarm_clock: <@${TECH_LEAD}> corrective action ${action.id} from ${id} is overdue: Add an allow-list to mailbox.delete`,
    });

    // the same job again (reconciliation on another replica) and a fresh copy after the old one was removed
    await replica.resolution.actions.reconcile();
    const jobId = actionOverdueJobId({ actionId: action.id, dueAt: action.dueAt });
    await eventually(async () =>
      expect(await (await h.services.reminders.queue.bull.getJob(jobId))?.isCompleted()).toBe(true),
    );
    await h.services.reminders.queue.bull.remove(jobId);
    await h.services.resolution.actions.reconcile();
    await eventually(async () => {
      const job = await h.services.reminders.queue.bull.getJob(jobId);
      expect(job?.returnvalue).toBe('already-posted');
    }, 10_000);
    expect(reminders()).toHaveLength(1);
    const timeline = await h.services.incidents.timeline(id);
    expect(timeline.filter((e) => e.kind === 'action_overdue').map((e) => e.data.id)).toEqual([action.id]);
    expect(timeline.filter((e) => e.kind === 'action_done').map((e) => e.data.id)).toEqual([done.id]);
  });

  it('puts back a lost overdue-action job when a worker starts', async () => {
    h = await resolutionHarness();
    const id = await h.declare({ severity: 'sev3' });
    const action = await h.services.resolution.actions.add({
      incidentId: id,
      actor: COMMANDER,
      owner: TECH_LEAD,
      dueAt: new Date(h.clock.now().getTime() + 3_600_000),
      text: 'Narrow the agent key scopes',
    });
    const jobId = actionOverdueJobId({ actionId: action.id, dueAt: action.dueAt });
    await h.services.reminders.queue.bull.remove(jobId); // as if the add had failed
    expect(await h.services.reminders.queue.bull.getJob(jobId)).toBeUndefined();

    await startWorker(h.services, 'worker-restarted');
    const job = await h.services.reminders.queue.bull.getJob(jobId);
    expect(job?.data).toMatchObject({ actionId: action.id, incidentId: id });
    expect(await job?.isDelayed()).toBe(true);
  });

  it('/incident action records, /incident actions lists open ones across incidents, done closes one', async () => {
    h = await resolutionHarness();
    const first = await h.declare({ severity: 'sev2' });
    const second = await h.declare({ severity: 'sev3', title: 'Agent refunds orders twice' });
    const channelOf = async (id: string) => (await h.services.store.require(id)).channelId!;

    const bad = await h.command(`action <@${TECH_LEAD}> someday fix it`, COMMANDER, await channelOf(first));
    expect(bad.responses).toEqual([
      {
        response_type: 'ephemeral',
        text: ':warning: "someday" is not a due date; use 2026-12-01, tomorrow, or 3d.\nUsage: `/incident action @owner <YYYY-MM-DD|tomorrow|3d> <what has to be done>  ·  /incident action done <id>`',
      },
    ]);
    const added = await h.command(
      `action <@${TECH_LEAD}|tess> 2026-12-01 Schema-check tool arguments`,
      COMMANDER,
      await channelOf(first),
    );
    expect(added.responses).toEqual([
      {
        response_type: 'ephemeral',
        text: `Recorded A1 for <@${TECH_LEAD}>, due 2026-12-01. Close it with \`/incident action done A1\`.`,
      },
    ]);
    await h.command(`action <@${COMMANDER}> 3d Cap refunds per run`, COMMANDER, await channelOf(second));
    const listed = await h.command('actions', OUTSIDER_ANYWHERE, 'C0GENERAL');
    const list = listed.responses[0] as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(list.text).toBe('2 open corrective action(s)');
    const body = list.blocks.find((b) => b.type === 'section')!.text!.text;
    expect(body.indexOf('*A2*')).toBeLessThan(body.indexOf('*A1*')); // soonest due first
    expect(body).toContain(`*A1* (${first}) <@${TECH_LEAD}>`);
    expect(body).toContain(`*A2* (${second}) <@${COMMANDER}>`);

    const closed = await h.command('action done a1', TECH_LEAD, 'C0GENERAL');
    expect(closed.responses).toEqual([
      { response_type: 'ephemeral', text: `Closed A1 (${first}): Schema-check tool arguments` },
    ]);
    expect((await h.services.resolution.actions.listOpen()).map((a) => a.id)).toEqual(['A2']);
    const again = await h.command('action done A1', TECH_LEAD, 'C0GENERAL');
    expect(again.responses).toEqual([{ response_type: 'ephemeral', text: ':warning: A1 is already done.' }]);
  });
});

const OUTSIDER_ANYWHERE = 'U0OUTSIDER';
