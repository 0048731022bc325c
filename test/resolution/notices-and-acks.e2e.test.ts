import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock, testConfig } from '../helpers/services.js';
import { deliverToQuell, interactionBody, slashCommandBody } from '../helpers/signed-request.js';

/**
 * "Started at" in notices, stale talking points, and acks that promise only what will happen:
 * over Quell's real HTTP receiver with signed requests, real Redis, the Web API faked.
 */

const CORA = 'U0CORAMAND1';
const SAM = 'W0SUPPORT01';

describe('started at, stale talking points, honest acks', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let clock: TestClock;

  const send = (body: string) => deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET });

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi({
      users: [
        { id: CORA, name: 'Cora Mander' },
        { id: SAM, name: 'Sam Support' },
      ],
    });
    clock = new TestClock(new Date('2026-11-21T14:00:00Z'));
    quell = await startHttpQuell(env.redis, testConfig(env.prefix, ''), clock);
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
  });

  async function declareOverHttp(text: string) {
    const ack = await send(
      slashCommandBody({ text: `declare ${text}`, channelId: 'C0GENERAL', userId: CORA }),
    );
    return ack;
  }

  it('`--started` is recorded at declaration and the customer notice and impact window use it; unknown says so', async () => {
    const ack = await declareOverHttp('--started 13:20 sev2 Billing agent refunds orders twice');
    expect(ack.json()).toEqual({
      response_type: 'ephemeral',
      text: 'Declaring SEV2 incident: Billing agent refunds orders twice…',
    });
    const started = await eventually(async () => {
      const [incident] = await quell.services.store.listActive();
      expect(incident?.channelId).toBeDefined(); // declared and its channel set up
      return incident!;
    });
    expect(started.startedAt).toBe('2026-11-21T13:20:00.000Z');
    expect(started.createdAt).toBe('2026-11-21T14:00:00.000Z');

    clock.advance(5 * 60_000);
    const customer = await quell.services.comms.draft(started.id, 'customer', CORA);
    const text = customer.versions.at(-1)!.text;
    expect(text).toContain(
      '*What happened*: Starting at 13:20 UTC, an automated assistant in our service performed actions it was not meant to perform.',
    );
    const executive = (await quell.services.comms.draft(started.id, 'executive', CORA)).versions.at(-1)!.text;
    expect(executive).toContain('from 13:20 UTC on 21 November 2026, still ongoing');

    // without --started the start is unknown, and the notice does not pass the declaration off as it
    await declareOverHttp('sev3 Triage agent closes open tickets');
    const unknown = await eventually(async () => {
      const incident = (await quell.services.store.listActive()).find((i) => i.severity === 'sev3');
      expect(incident?.channelId).toBeDefined();
      return incident!;
    });
    expect(unknown.startedAt).toBeUndefined();
    const notice = (await quell.services.comms.draft(unknown.id, 'customer', CORA)).versions.at(-1)!.text;
    expect(notice).toContain(
      '*What happened*: At 14:05 UTC we found that an automated assistant in our service had been performing actions it was not meant to perform; we are still establishing when this began.',
    );
    expect(notice).not.toContain('Starting at 14:05');
    const window = (await quell.services.comms.draft(unknown.id, 'executive', CORA)).versions.at(-1)!.text;
    expect(window).toContain(
      'from 14:05 UTC on 21 November 2026 at the latest (start not yet known), still ongoing',
    );
  });

  it('refuses in the ack what it would refuse later: a bad --started, an over-long title (with the limit, never echoed)', async () => {
    const future = await declareOverHttp('--started 15:30 sev2 Agent refunds');
    expect(future.json()).toMatchObject({ response_type: 'ephemeral' });
    expect(String((future.json() as { text: string }).text)).toContain('`--started` is in the future');

    const nonsense = await declareOverHttp('--started yesterday-ish sev2 Agent refunds');
    expect(String((nonsense.json() as { text: string }).text)).toContain(
      '`--started` takes a time such as 13:20 (today, UTC), 2026-11-21T13:20Z, or 90m (ago).',
    );

    const pasted =
      `Agent ${'deleted every customer record in the EU shard and kept going '.repeat(700)}`.trimEnd();
    expect(pasted.length).toBeGreaterThan(40_000);
    const long = await declareOverHttp(`sev2 ${pasted}`);
    const text = String((long.json() as { text: string }).text);
    expect(text).toContain(`The title is ${pasted.length} characters; keep it to 120`);
    expect(text).toContain('Nothing was declared.');
    expect(text).not.toContain('Declaring');
    expect(text.length).toBeLessThan(600);

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await quell.services.store.listActive()).toEqual([]);
    expect(slack.callsTo('conversations.create')).toEqual([]);
    expect(slack.responseUrlPosts).toEqual([]);
  });

  it('"Drafting the postmortem…" is said only inside an incident channel', async () => {
    const outside = await send(
      slashCommandBody({ text: 'postmortem', channelId: 'C0GENERAL', userId: CORA }),
    );
    expect(outside.body).toBe('');
    const reply = await eventually(() => {
      expect(slack.responseUrlPosts).toHaveLength(1);
      return slack.responseUrlPosts[0]!.body;
    });
    expect(String(reply.text)).toContain('`/incident postmortem` works inside an incident channel');
    expect(String(reply.text)).not.toContain('Drafting');
    expect(slack.callsTo('files.getUploadURLExternal')).toEqual([]);
  });

  it('talking points show when they were approved and are marked stale after "share more by" or a newer update', async () => {
    const { incident } = await quell.services.incidents.declare({
      title: 'Support agent promises refunds it cannot give',
      severity: 'sev2',
      declaredBy: CORA,
      idempotencyKey: `declare-${env.prefix}`,
    });
    await quell.services.reminders.updates.postUpdate(incident.id, CORA, {
      impact: '30 customers were promised refunds outside policy.',
      containment: 'The refund tool is disabled for the agent.',
      investigation: 'Looking at the prompt change from this morning.',
      nextUpdateAt: new Date('2026-11-21T14:30:00Z'),
    });
    clock.advance(2 * 60_000);
    const draft = await quell.services.comms.draft(incident.id, 'support', CORA);
    const version = draft.versions.at(-1)!.number;
    await quell.services.comms
      .approve({ incidentId: incident.id, draftId: draft.id, version, actor: CORA })
      .catch(() =>
        quell.services.comms.approve({
          incidentId: incident.id,
          draftId: draft.id,
          version,
          actor: CORA,
          override: { reason: 'reviewed the warnings with legal' },
        }),
      );

    const ask = async () => {
      const before = slack.responseUrlPosts.length;
      await send(
        slashCommandBody({ command: '/comms', text: 'talking-points', channelId: 'C0SUPPORT', userId: SAM }),
      );
      const post = await eventually(() => {
        expect(slack.responseUrlPosts.length).toBe(before + 1);
        return slack.responseUrlPosts.at(-1)!.body;
      });
      return JSON.stringify(post.blocks);
    };

    // fresh: when approved, and the time more was promised by
    const fresh = await ask();
    expect(fresh).toContain(`Approved by <@${CORA}> <!date^${Date.parse('2026-11-21T14:02:00Z') / 1000}^`);
    expect(fresh).toContain(`share more by <!date^${Date.parse('2026-11-21T14:30:00Z') / 1000}^{time}`);
    expect(fresh).not.toContain('May be out of date');

    // the promised time has passed
    clock.advance(30 * 60_000);
    const late = await ask();
    expect(late).toContain(':warning: *May be out of date*: the \\"share more by\\" time');
    expect(late).toContain('has passed. Check with the communications lead before repeating them.');

    // a newer update was posted after the approval
    await quell.services.reminders.updates.postUpdate(incident.id, CORA, {
      impact: '45 customers now, refunds being reversed.',
      containment: 'The refund tool is disabled for the agent.',
      investigation: 'Prompt change confirmed as the trigger.',
      nextUpdateAt: new Date('2026-11-21T15:30:00Z'),
    });
    const superseded = await ask();
    expect(superseded).toContain(':warning: *May be out of date*: a newer update was posted');
  });

  it('the declare form asks when it started (optional); a time in the future is refused on the form', async () => {
    await declareOverHttp('--started 90m');
    const form = await eventually(() => {
      expect(slack.callsTo('views.open')).toHaveLength(1);
      return slack.callsTo('views.open')[0]!.params.view as {
        private_metadata: string;
        blocks: { block_id?: string; optional?: boolean; element?: Record<string, unknown> }[];
      };
    });
    const picker = form.blocks.find((b) => b.block_id === 'declare_started')!;
    expect(picker.optional).toBe(true);
    // `--started 90m` with the bare command opens the form with the picker already there
    expect(picker.element).toMatchObject({
      type: 'datetimepicker',
      action_id: 'started',
      initial_date_time: Date.parse('2026-11-21T12:30:00Z') / 1000,
    });
    const submit = (started: number, viewId: string) =>
      send(
        interactionBody({
          type: 'view_submission',
          team: { id: 'T0QUELL', domain: 'quell-test' },
          user: { id: CORA, username: 'cora', team_id: 'T0QUELL' },
          api_app_id: 'A0QUELL',
          trigger_id: `trigger-${viewId}`,
          view: {
            id: viewId,
            type: 'modal',
            callback_id: 'quell_declare',
            private_metadata: form.private_metadata,
            hash: '1.1',
            state: {
              values: {
                declare_title: {
                  title: { type: 'plain_text_input', value: 'Agent emails customers a discount' },
                },
                declare_severity: { severity: { type: 'static_select', selected_option: { value: 'sev2' } } },
                declare_started: { started: { type: 'datetimepicker', selected_date_time: started } },
              },
            },
          },
        }),
      );
    const future = await submit(Date.parse('2026-11-21T15:00:00Z') / 1000, 'V0FUTURE');
    expect(future.json()).toEqual({
      response_action: 'errors',
      errors: { declare_started: 'That is in the future; leave it empty if the start is unknown.' },
    });
    expect(await quell.services.store.listActive()).toEqual([]);
    await submit(Date.parse('2026-11-21T13:41:00Z') / 1000, 'V0PAST');
    const incident = await eventually(async () => {
      const [declared] = await quell.services.store.listActive();
      expect(declared).toBeDefined();
      return declared!;
    });
    expect(incident.startedAt).toBe('2026-11-21T13:41:00.000Z');
  });
});
