import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/incidents/model.js';
import type { Runtime } from '../../src/runtime.js';
import { ACTIONS, COMMS_FIELDS, VIEWS } from '../../src/slack/ids.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock, testConfig } from '../helpers/services.js';
import { deliverToQuell, interactionBody, slashCommandBody } from '../helpers/signed-request.js';
import { declareRealisticIncident } from './fixtures.js';

const CONFIG = `
comms:
  audiences:
    customer:
      destination: C0CUSTOMERS
`;

const TALKING_POINTS = [
  '*Summary*: INC-1 is contained. An assistant emailed order details to 41 customers.',
  '1. We know about it and a team is on it.',
  '2. Sending is switched off.',
  '3. More by 14:30 UTC.',
  '*Escalate*: to <@U0COMMS> in <#C0INC0001>.',
].join('\n');

/** /comms over the real HTTP receiver with signed requests, Web API and response_url faked. */
describe('/comms, draft buttons and App Home over HTTP', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let incident: Incident;
  const send = (body: string, contentType?: string) =>
    deliverToQuell(quell.url, body, {
      signingSecret: TEST_SIGNING_SECRET,
      ...(contentType ? { contentType } : {}),
    });

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi();
    quell = await startHttpQuell(
      env.redis,
      testConfig(env.prefix, CONFIG),
      new TestClock(new Date('2026-11-21T14:05:00Z')),
    );
    incident = await declareRealisticIncident(quell.services);
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
  });

  async function approvedTalkingPoints() {
    const { comms } = quell.services;
    const draft = await comms.draft(incident.id, 'support', 'U0COMMS');
    await comms.edit({
      incidentId: incident.id,
      draftId: draft.id,
      baseVersion: 1,
      actor: 'U0COMMS',
      text: TALKING_POINTS,
    });
    await comms.approve({ incidentId: incident.id, draftId: draft.id, version: 2, actor: 'U0CMD' });
  }

  function blockAction(actionId: string, value: string, user = 'U0COMMS') {
    return interactionBody({
      type: 'block_actions',
      user: { id: user, username: 'someone', team_id: 'T0QUELL' },
      api_app_id: 'A0QUELL',
      team: { id: 'T0QUELL', domain: 'quell-test' },
      container: {
        type: 'message',
        message_ts: '1700000000.000009',
        channel_id: 'C0INC0001',
        is_ephemeral: false,
      },
      trigger_id: 'trigger-button',
      channel: { id: 'C0INC0001', name: 'inc' },
      message: { type: 'message', ts: '1700000000.000009', text: 'draft' },
      response_url: 'https://hooks.slack.com/actions/T0QUELL/1/xyz',
      actions: [
        {
          type: 'button',
          action_id: actionId,
          block_id: 'comms_draft_d1',
          value,
          action_ts: '1700000001.0001',
        },
      ],
    });
  }

  function viewSubmission(callbackId: string, privateMetadata: string, values: Record<string, unknown>) {
    return interactionBody({
      type: 'view_submission',
      team: { id: 'T0QUELL', domain: 'quell-test' },
      user: { id: 'U0COMMS', username: 'comms', team_id: 'T0QUELL' },
      api_app_id: 'A0QUELL',
      trigger_id: 'trigger-view',
      view: {
        id: 'V0FORM',
        type: 'modal',
        callback_id: callbackId,
        private_metadata: privateMetadata,
        state: { values },
        hash: '1.1',
      },
    });
  }

  it('/comms talking-points from a non-incident channel answers privately with approved points', async () => {
    await approvedTalkingPoints();
    const response = await send(
      slashCommandBody({
        command: '/comms',
        text: 'talking-points',
        channelId: 'C0GENERAL',
        userId: 'U0SUPPORT',
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toBe('');
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    const reply = slack.responseUrlPosts[0]!;
    expect(reply.path).toBe('/commands/T0QUELL/1/abc');
    expect(reply.body).toMatchObject({
      response_type: 'ephemeral',
      text: 'Talking points: 1 incident, 1 with approved talking points',
    });
    const blocks = JSON.stringify(reply.body.blocks);
    expect(blocks).toContain('*INC-1 · SEV1 · investigating* · <#C0INC0001>');
    expect(blocks).toContain('2. Sending is switched off.');
    expect(blocks).toContain('Approved by <@U0CMD>');
    expect(slack.calls.some((c) => c.params.channel === 'C0GENERAL')).toBe(false); // nothing posted publicly
  });

  it('/comms talking-points INC-1 shows one incident; an unknown id or bad argument says so', async () => {
    const response = await send(
      slashCommandBody({ command: '/comms', text: 'talking-points inc-1', channelId: 'C0GENERAL' }),
    );
    expect(response.body).toBe('');
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    expect(JSON.stringify(slack.responseUrlPosts[0]!.body.blocks)).toContain(
      '_No approved talking points yet._',
    );

    await send(
      slashCommandBody({ command: '/comms', text: 'talking-points INC-99', channelId: 'C0GENERAL' }),
    );
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(2));
    expect(slack.responseUrlPosts[1]!.body.text).toBe(':warning: There is no incident INC-99.');

    const bad = await send(
      slashCommandBody({ command: '/comms', text: 'talking-points everything', channelId: 'C0GENERAL' }),
    );
    expect(bad.json()).toEqual({
      response_type: 'ephemeral',
      text: ':warning: "everything" is not an incident id such as INC-7.\nUsage: `/comms talking-points [INC-7]`',
    });
  });

  it('lists no incidents when none are active, and leaves drills out', async () => {
    await quell.services.resolution.service.forceResolve(
      incident.id,
      'U0CMD',
      'the restart gate is not what this test is about',
    );
    await declareRealisticIncident(quell.services, { drill: true });
    await send(slashCommandBody({ command: '/comms', text: 'tp', channelId: 'C0GENERAL' }));
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    expect(slack.responseUrlPosts[0]!.body.text).toBe(
      'No active incidents right now, so there are no talking points to share.',
    );
  });

  it('App Home: app_home_opened publishes the same talking points with views.publish', async () => {
    await approvedTalkingPoints();
    const callsBefore = slack.calls.length;
    const event = {
      token: 'deprecated',
      team_id: 'T0QUELL',
      api_app_id: 'A0QUELL',
      type: 'event_callback',
      event_id: 'Ev0HOME1',
      event_time: 1795270000,
      event: {
        type: 'app_home_opened',
        user: 'U0SUPPORT',
        channel: 'D0HOME',
        tab: 'home',
        event_ts: '1795270000.1',
      },
    };
    const response = await send(JSON.stringify(event), 'application/json');
    expect(response.status).toBe(200);
    await eventually(() => expect(slack.calls.length).toBe(callsBefore + 1));
    const call = slack.calls.at(-1)!;
    expect(call.method).toBe('views.publish');
    expect(call.params.user_id).toBe('U0SUPPORT');
    const view = call.params.view as { type: string; callback_id: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    expect(view.callback_id).toBe(VIEWS.home);
    expect(view.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Active incidents: approved talking points', emoji: true },
    });
    expect(JSON.stringify(view.blocks)).toContain('3. More by 14:30 UTC.');

    // the Messages tab is not Quell's home: nothing is published for it
    await send(
      JSON.stringify({ ...event, event_id: 'Ev0HOME2', event: { ...event.event, tab: 'messages' } }),
      'application/json',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(slack.calls.length).toBe(callsBefore + 1);
  });

  it('/comms draft customer in the incident channel posts the draft; Approve with errors is refused privately', async () => {
    const response = await send(
      slashCommandBody({
        command: '/comms',
        text: 'draft customer',
        channelId: 'C0INC0001',
        userId: 'U0COMMS',
      }),
    );
    expect(response.json()).toEqual({ response_type: 'ephemeral', text: 'Drafting the customer notice…' });
    await eventually(() =>
      expect(slack.callsTo('chat.postMessage').at(-1)!.params.text).toBe(
        'Draft customer notice for INC-1 (v1)',
      ),
    );

    await send(blockAction(ACTIONS.commsApprove, '{"i":"INC-1","d":"d1","v":1}'));
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    expect(slack.responseUrlPosts[0]!.body).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
    });
    expect(String(slack.responseUrlPosts[0]!.body.text)).toMatch(
      /^:warning: v1 cannot be approved until its lint errors are fixed/,
    );
  });

  it('answers bad /comms input in the ack and changes nothing', async () => {
    const unknown = await send(
      slashCommandBody({ command: '/comms', text: 'draft investors', channelId: 'C0INC0001' }),
    );
    expect(unknown.json()).toEqual({
      response_type: 'ephemeral',
      text: ':warning: There is no "investors" audience. Audiences: customer, engineering, executive, legal, status-page, support.\nUsage: `/comms draft <audience>`',
    });
    const outside = await send(
      slashCommandBody({ command: '/comms', text: 'draft customer', channelId: 'C0GENERAL' }),
    );
    expect(outside.json()).toEqual({ response_type: 'ephemeral', text: 'Drafting the customer notice…' });
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    expect(slack.responseUrlPosts[0]!.body.text).toBe(
      ':warning: `/comms draft` works inside an incident channel. Run it there, or declare one with `/incident declare`.',
    );
    expect(await quell.services.comms.history(incident.id)).toMatchObject({ drafts: [] });
  });

  it('Edit opens the form, saving adds a version; Approve with warnings opens the override form, which approves', async () => {
    await quell.services.comms.draft(incident.id, 'customer', 'U0COMMS');
    await send(blockAction(ACTIONS.commsEdit, '{"i":"INC-1","d":"d1","v":1}'));
    await eventually(() => expect(slack.callsTo('views.open')).toHaveLength(1));
    const editForm = slack.callsTo('views.open')[0]!.params;
    expect(editForm.trigger_id).toBe('trigger-button');
    const editView = editForm.view as { callback_id: string; private_metadata: string };
    expect(editView.callback_id).toBe(VIEWS.commsEdit);
    expect(JSON.parse(editView.private_metadata)).toEqual({ i: 'INC-1', d: 'd1', v: 1, c: 'C0INC0001' });

    const text = 'The incident was caused by a bad cache. Nothing else to say. Next update by 14:30 UTC.';
    const saved = await send(
      viewSubmission(VIEWS.commsEdit, editView.private_metadata, {
        [COMMS_FIELDS.text.block]: { [COMMS_FIELDS.text.action]: { type: 'plain_text_input', value: text } },
      }),
    );
    expect(saved.body).toBe('');
    await eventually(async () =>
      expect((await quell.services.comms.getDraft('INC-1', 'd1')).versions.map((v) => v.source)).toEqual([
        'template',
        'edit',
      ]),
    );

    await send(blockAction(ACTIONS.commsApprove, '{"i":"INC-1","d":"d1","v":2}'));
    await eventually(() => expect(slack.callsTo('views.open')).toHaveLength(2));
    const overrideView = slack.callsTo('views.open')[1]!.params.view as {
      callback_id: string;
      private_metadata: string;
    };
    expect(overrideView.callback_id).toBe(VIEWS.commsOverride);
    expect(JSON.stringify(overrideView)).toContain('no root cause is confirmed yet');

    const tooShort = await send(
      viewSubmission(VIEWS.commsOverride, overrideView.private_metadata, {
        [COMMS_FIELDS.overrideReason.block]: {
          [COMMS_FIELDS.overrideReason.action]: { type: 'plain_text_input', value: 'ok' },
        },
      }),
    );
    expect(tooShort.json()).toEqual({
      response_action: 'errors',
      errors: {
        [COMMS_FIELDS.overrideReason.block]: 'Say in a sentence why publishing with these warnings is right.',
      },
    });

    await send(
      viewSubmission(VIEWS.commsOverride, overrideView.private_metadata, {
        [COMMS_FIELDS.overrideReason.block]: {
          [COMMS_FIELDS.overrideReason.action]: {
            type: 'plain_text_input',
            value: 'Cause confirmed by the tech lead at 14:18.',
          },
        },
      }),
    );
    await eventually(() =>
      expect(slack.callsTo('chat.postMessage').at(-1)!.params.channel).toBe('C0CUSTOMERS'),
    );
    expect(slack.callsTo('chat.postMessage').at(-1)!.params.text).toBe(text);
    await eventually(async () => {
      const kinds = (await quell.services.incidents.timeline('INC-1')).map((e) => e.kind);
      expect(kinds.slice(-3)).toEqual(['comms_lint_override', 'comms_approved', 'comms_published']);
    });
  });
});
