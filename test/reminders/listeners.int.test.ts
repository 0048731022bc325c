import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/incidents/model.js';
import { postUpdateAction, snoozeAction } from '../../src/slack/listeners/actions/update-prompt.js';
import { incidentCommand } from '../../src/slack/listeners/commands/incident/index.js';
import { updateView } from '../../src/slack/listeners/views/update.js';
import { invoke } from '../helpers/bolt-args.js';
import { TEST_BOT_TOKEN } from '../helpers/services.js';
import { FAST_CADENCES, type ReminderHarness, reminderHarness } from './harness.js';

type Reply = Record<string, unknown> | undefined;

function recorder() {
  const acks: Reply[] = [];
  const responses: Record<string, unknown>[] = [];
  return {
    acks,
    responses,
    ack: async (reply?: Reply) => {
      acks.push(reply);
    },
    respond: async (reply: Record<string, unknown>) => {
      responses.push(reply);
    },
  };
}

const client = () => new WebClient(TEST_BOT_TOKEN, { retryConfig: { retries: 0 } });

function formValues(fields: {
  impact?: string;
  containment?: string;
  investigation?: string;
  next?: number | null;
}) {
  return {
    update_impact: { impact: { type: 'plain_text_input', value: fields.impact ?? null } },
    update_containment: { containment: { type: 'plain_text_input', value: fields.containment ?? null } },
    update_investigation: {
      investigation: { type: 'plain_text_input', value: fields.investigation ?? null },
    },
    update_next: { next_update: { type: 'datetimepicker', selected_date_time: fields.next ?? null } },
  };
}

describe('reminder listeners', () => {
  let h: ReminderHarness;
  let incident: Incident;

  beforeEach(async () => {
    // Bob is on call: the permission model lets responders post updates and snooze reminders
    h = await reminderHarness(`${FAST_CADENCES}responders:\n  users: [U0BOB]\n`);
    ({ incident } = await h.services.incidents.declare({
      title: 'Agent posted in a customer channel',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'l1',
    }));
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('the update form posts a structured update after the ack', async () => {
    const r = recorder();
    const next = Math.floor(Date.now() / 1000) + 120;
    await invoke(updateView, h.services, {
      ack: r.ack,
      body: { user: { id: 'U0BOB' } },
      view: {
        id: 'V1',
        private_metadata: JSON.stringify({ incidentId: incident.id, channelId: incident.channelId }),
        state: {
          values: formValues({
            impact: 'one customer',
            containment: 'posting disabled',
            investigation: 'reading logs',
            next,
          }),
        },
      },
      client: client(),
    } as never);
    expect(r.acks).toEqual([undefined]);
    const event = (await h.services.incidents.timeline(incident.id)).at(-1)!;
    expect(event).toMatchObject({
      kind: 'update',
      actor: 'U0BOB',
      data: {
        impact: 'one customer',
        containment: 'posting disabled',
        investigation: 'reading logs',
        nextUpdateAt: new Date(next * 1000).toISOString(),
      },
    });
    // the promised time is later than one SEV2 cadence (3 s), so the cadence sets the next prompt
    const due = Date.parse((await h.services.store.get(incident.id))!.nextUpdateDueAt!);
    expect(due - Date.parse(event.at)).toBeGreaterThan(2_900);
    expect(due - Date.parse(event.at)).toBeLessThanOrEqual(3_000);
    const posted = h.slack.callsTo('chat.postMessage').at(-1)!;
    expect(posted.params.channel).toBe(incident.channelId);
    expect(String(posted.params.text)).toContain('update from <@U0BOB>: impact: one customer');
  });

  it('an incomplete form, or a next-update time in the past, is shown on the form and changes nothing', async () => {
    const r = recorder();
    const before = await h.services.incidents.timeline(incident.id);
    await invoke(updateView, h.services, {
      ack: r.ack,
      body: { user: { id: 'U0BOB' } },
      view: {
        id: 'V2',
        private_metadata: JSON.stringify({ incidentId: incident.id, channelId: incident.channelId }),
        state: { values: formValues({ impact: '  ', containment: 'x', investigation: 'y' }) },
      },
      client: client(),
    } as never);
    await invoke(updateView, h.services, {
      ack: r.ack,
      body: { user: { id: 'U0BOB' } },
      view: {
        id: 'V3',
        private_metadata: JSON.stringify({ incidentId: incident.id, channelId: incident.channelId }),
        state: {
          values: formValues({
            impact: 'a',
            containment: 'b',
            investigation: 'c',
            next: Math.floor(Date.now() / 1000) - 60,
          }),
        },
      },
      client: client(),
    } as never);
    expect(r.acks).toEqual([
      { response_action: 'errors', errors: { update_impact: 'Say who and what is affected.' } },
      { response_action: 'errors', errors: { update_next: 'Pick a time in the future.' } },
    ]);
    expect(await h.services.incidents.timeline(incident.id)).toEqual(before);
  });

  it('"Post update" opens the update form for the prompt\'s incident', async () => {
    const r = recorder();
    const ref = { i: incident.id, d: incident.nextUpdateDueAt, o: incident.nextUpdateDueAt };
    await invoke(postUpdateAction, h.services, {
      ack: r.ack,
      respond: r.respond,
      body: { trigger_id: 'T-1', user: { id: 'U0BOB' }, channel: { id: incident.channelId } },
      action: { action_id: 'quell_update_post', value: JSON.stringify(ref) },
      client: client(),
    } as never);
    expect(r.acks).toEqual([undefined]);
    const [open] = h.slack.callsTo('views.open');
    expect(open!.params.trigger_id).toBe('T-1');
    const view = open!.params.view as Record<string, unknown>;
    expect(view).toMatchObject({ callback_id: 'quell_update', title: { text: `Update ${incident.id}` } });
    expect(JSON.parse(String(view.private_metadata))).toEqual({
      incidentId: incident.id,
      channelId: incident.channelId,
    });
    expect(r.responses).toEqual([]);
  });

  it('Snooze moves the reminder and replaces the prompt; a stale prompt cannot snooze', async () => {
    const r = recorder();
    const ref = { i: incident.id, d: incident.nextUpdateDueAt, o: incident.nextUpdateDueAt, s: 1_000 };
    const snooze = (a: never) => invoke(snoozeAction, h.services, a);
    const args = {
      ack: r.ack,
      respond: r.respond,
      body: { user: { id: 'U0BOB' } },
      action: {
        action_id: 'quell_update_snooze',
        action_ts: '1796150000.000100',
        selected_option: { value: JSON.stringify(ref) },
      },
      client: client(),
    };
    const started = Date.now();
    await snooze(args as never);
    const stored = (await h.services.store.get(incident.id))!;
    expect(Date.parse(stored.nextUpdateDueAt!) - started).toBeGreaterThanOrEqual(1_000);
    expect(Date.parse(stored.nextUpdateDueAt!) - started).toBeLessThan(1_500);
    expect(r.responses[0]).toMatchObject({ replace_original: true });
    expect(String(r.responses[0]!.text)).toContain(
      `Update reminder for ${incident.id} snoozed by <@U0BOB> until`,
    );
    expect((await h.services.incidents.timeline(incident.id)).at(-1)).toMatchObject({
      kind: 'update_snoozed',
      data: { dueAt: incident.nextUpdateDueAt, overdueSince: incident.nextUpdateDueAt, snoozeMs: 1_000 },
    });

    // a second click (its own action ts: the first one's key would be a redelivery of it)
    await snooze({ ...args, action: { ...args.action, action_ts: '1796150009.000200' } } as never);
    expect(r.responses[1]).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(r.responses[1]!.text)).toContain('This reminder is out of date');
  });

  it('/incident update posts inline text, and answers bad input in the ack', async () => {
    const handle = (a: never) => invoke(incidentCommand, h.services, a);
    const command = (text: string) => ({
      text,
      user_id: 'U0BOB',
      channel_id: incident.channelId,
      trigger_id: 'T-2',
      command: '/incident',
    });
    const ok = recorder();
    await handle({
      command: command('update impact: none yet containment: tool off investigation: logs next: 10m'),
      ack: ok.ack,
      respond: ok.respond,
      client: client(),
    } as never);
    await h.services.requests.drain();
    expect(ok.acks).toEqual([undefined]);
    expect(ok.responses).toHaveLength(1);
    expect(String(ok.responses[0]!.text)).toMatch(
      new RegExp(`^Update posted to the ${incident.id} timeline; next update due <!date\\^`),
    );
    expect((await h.services.incidents.timeline(incident.id)).at(-1)?.data).toMatchObject({
      impact: 'none yet',
      containment: 'tool off',
      investigation: 'logs',
    });

    const bad = recorder();
    await handle({
      command: command('update impact: x'),
      ack: bad.ack,
      respond: bad.respond,
      client: client(),
    } as never);
    await h.services.requests.drain();
    expect(bad.acks).toHaveLength(1);
    expect(bad.acks[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(String(bad.acks[0]!.text)).toContain('An update needs `containment:`, `investigation:`');
    expect(bad.responses).toEqual([]);

    const form = recorder();
    await handle({
      command: command('update'),
      ack: form.ack,
      respond: form.respond,
      client: client(),
    } as never);
    await h.services.requests.drain();
    expect(h.slack.callsTo('views.open').at(-1)!.params).toMatchObject({ trigger_id: 'T-2' });
  });
});
