import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';
import {
  deliverToQuell,
  interactionBody,
  slackSignature,
  slashCommandBody,
} from '../helpers/signed-request.js';

const CONFIG = `
channels:
  announcement: C0ANNOUNCE
responders:
  users: [U0ONCALL]
`;

describe('Quell over HTTP with signed Slack requests', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };

  const send = (
    body: string,
    extra: Parameters<typeof deliverToQuell>[2] = { signingSecret: TEST_SIGNING_SECRET },
  ) => deliverToQuell(quell.url, body, extra);

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi({
      users: [
        { id: 'U0ALICE', name: 'Alice' },
        { id: 'U0BOB', name: 'Bob' },
        { id: 'U0BOT', name: 'Some bot', is_bot: true },
      ],
    });
    quell = await startHttpQuell(env.redis, testConfig(env.prefix, CONFIG));
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
  });

  async function declare(text = 'declare sev1 Agent deleted shared mailbox', triggerId = 'trigger-declare') {
    const response = await send(slashCommandBody({ text, triggerId }));
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    return response;
  }

  it('declares from a signed slash command: acks at once, then builds the channel', async () => {
    const response = await declare();
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({
      response_type: 'ephemeral',
      text: 'Declaring SEV1 incident: Agent deleted shared mailbox…',
    });
    expect(slack.methods()).toEqual([
      'users.info', // the permission model: the declarer is a full member of this workspace
      'conversations.create',
      'conversations.setTopic',
      'conversations.setPurpose',
      'conversations.invite',
      'chat.postMessage',
      'pins.add',
      'chat.postMessage',
    ]);
    expect(slack.calls.every((c) => c.token === undefined)).toBe(true); // token travels in the Authorization header
    expect(slack.responseUrlPosts[0]!.body).toMatchObject({
      response_type: 'ephemeral',
      text: 'INC-1 is open in <#C0INC0001>.',
    });
  });

  it('rejects a request with a bad signature and changes nothing', async () => {
    const body = slashCommandBody({ text: 'declare sev1 Forged' });
    const response = await send(body, {
      signingSecret: TEST_SIGNING_SECRET,
      signature: slackSignature('wrong-secret', Math.floor(Date.now() / 1000), body),
    });
    expect(response.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(slack.calls).toEqual([]);
    expect(await env.redis.keys(`${env.prefix}:incident:*`)).toEqual([]);
  });

  it('rejects a replayed request older than five minutes', async () => {
    const response = await send(slashCommandBody({ text: 'declare sev1 Replay' }), {
      signingSecret: TEST_SIGNING_SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(response.status).toBe(401);
    expect(slack.calls).toEqual([]);
  });

  it('a retried delivery of the same declare creates one channel', async () => {
    await declare('declare sev2 Loop in billing agent', 'trigger-same');
    const again = await send(
      slashCommandBody({ text: 'declare sev2 Loop in billing agent', triggerId: 'trigger-same' }),
      {
        signingSecret: TEST_SIGNING_SECRET,
        retryNum: 1,
        // Slack signs every retry afresh: a new timestamp, so a new signature (an exact replay is dropped)
        timestamp: Math.floor(Date.now() / 1000) + 1,
      },
    );
    expect(again.status).toBe(200);
    // the retry maps to the job the first delivery stored (its id is the trigger id): nothing runs again
    await quell.services.jobs.idle(['interactive']);
    expect(slack.callsTo('conversations.create')).toHaveLength(1);
    expect(slack.responseUrlPosts.map((p) => p.body.text)).toEqual(['INC-1 is open in <#C0INC0001>.']);
  });

  it('changes severity: updates the pinned summary in place and tells the channel', async () => {
    await declare();
    slack.calls.length = 0;
    const response = await send(
      // the on-call responder may change the severity (the permission model)
      slashCommandBody({ text: 'sev sev2', channelId: 'C0INC0001', userId: 'U0ONCALL' }),
    );
    expect(response.status).toBe(200);
    // then the announcement follows: a reply in its thread, and its text edited to the new severity
    await eventually(() =>
      expect(slack.methods()).toEqual([
        'chat.update',
        'conversations.setTopic',
        'chat.postMessage',
        'chat.postMessage',
        'chat.update',
      ]),
    );
    const [update, topic, notice, reply, announcement] = slack.calls;
    expect(reply!.params).toMatchObject({ channel: 'C0ANNOUNCE', thread_ts: expect.any(String) });
    expect(String(reply!.params.text)).toContain('<@U0ONCALL> lowered the severity: SEV1 → *SEV2*');
    expect(announcement!.params).toMatchObject({ channel: 'C0ANNOUNCE', ts: reply!.params.thread_ts });
    expect(String(announcement!.params.text)).toContain('SEV2 incident INC-1');
    expect(update!.params).toMatchObject({ channel: 'C0INC0001', ts: '1700000000.000001' });
    expect(String(update!.params.text)).toBe('INC-1 SEV2 investigating: Agent deleted shared mailbox');
    expect(JSON.stringify(update!.params.blocks)).toContain(':large_orange_circle: SEV2');
    expect(topic!.params).toMatchObject({
      channel: 'C0INC0001',
      topic: 'SEV2 · investigating · Agent deleted shared mailbox',
    });
    expect(notice!.params).toMatchObject({
      channel: 'C0INC0001',
      text: '<@U0ONCALL> lowered severity SEV1 → SEV2',
    });
  });

  it('assigns a role: checks the user, updates the summary, invites them', async () => {
    await declare();
    slack.calls.length = 0;
    await send(slashCommandBody({ text: 'role comms <@U0BOB|bob>', channelId: 'C0INC0001' }));
    await eventually(() =>
      expect(slack.methods()).toEqual([
        'users.info',
        'chat.update',
        'chat.postMessage',
        'conversations.invite',
      ]),
    );
    expect(slack.calls[0]!.params).toMatchObject({ user: 'U0BOB' });
    expect(JSON.stringify(slack.calls[1]!.params.blocks)).toContain('*Communications lead*\\n<@U0BOB>');
    expect(slack.calls[2]!.params.text).toBe('<@U0ALICE> made <@U0BOB> communications lead');
    expect(slack.calls[3]!.params).toMatchObject({ channel: 'C0INC0001', users: 'U0BOB' });
  });

  it('refuses a role for an app and changes nothing', async () => {
    await declare();
    slack.calls.length = 0;
    slack.responseUrlPosts.length = 0;
    await send(slashCommandBody({ text: 'role scribe <@U0BOT|somebot>', channelId: 'C0INC0001' }));
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    expect(slack.responseUrlPosts[0]!.body).toMatchObject({
      response_type: 'ephemeral',
      text: ':warning: <@U0BOT> is an app, not a person; roles go to people.',
    });
    expect(slack.methods()).toEqual(['users.info']);
  });

  it('answers bad input in the ack itself, with the correct form, and calls nothing', async () => {
    const unknown = await send(slashCommandBody({ text: 'explode now' }));
    expect(unknown.json()).toMatchObject({ response_type: 'ephemeral' });
    expect((unknown.json() as { text: string }).text).toBe(
      ':warning: `/incident explode` is not a command I know.\nCommands: declare, sev, status, role, agent, note, timeline, archive, collect, agent-timeline, private, update, triage, resolve, reactivate-plan, affected, postmortem, action, actions, obligation, obligations. `/incident help` explains each.',
    );
    const typo = await send(slashCommandBody({ text: 'stauts contained' }));
    expect((typo.json() as { text: string }).text).toMatch(
      /^:warning: `\/incident stauts` is not a command I know\. Did you mean `\/incident status`\?\n/,
    );
    const badSev = await send(slashCommandBody({ text: 'sev sev9', channelId: 'C0INC0001' }));
    expect((badSev.json() as { text: string }).text).toBe(
      ':warning: "sev9" is not a severity; use one of sev1, sev2, sev3, sev4.\nUsage: `/incident sev <sev1|sev2|sev3|sev4>`',
    );
    const noUser = await send(slashCommandBody({ text: 'role commander bob', channelId: 'C0INC0001' }));
    expect((noUser.json() as { text: string }).text).toMatch(/"bob" is not a person/);
    expect(slack.calls.map((c) => c.method)).toEqual([]);
  });

  it('lists every subcommand for /incident help and for a bare /incident', async () => {
    for (const text of ['help', '']) {
      const response = await send(slashCommandBody({ text }));
      const { response_type, text: help } = response.json() as { response_type: string; text: string };
      expect(response_type).toBe('ephemeral');
      for (const usage of [
        '/incident declare [--drill]',
        '/incident sev <sev1|sev2|sev3|sev4>',
        '/incident role <commander|scribe|tech-lead|comms> @person',
        '/incident timeline',
      ])
        expect(help).toContain(usage);
    }
    expect(slack.calls).toEqual([]);
  });

  it('refuses incident commands outside an incident channel', async () => {
    await send(slashCommandBody({ text: 'status contained', channelId: 'C0RANDOM' }));
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    expect(String(slack.responseUrlPosts[0]!.body.text)).toContain(
      '`/incident status` works inside an incident channel',
    );
    expect(slack.calls).toEqual([]);
  });

  it('opens the declare modal without arguments and declares on submission', async () => {
    await send(slashCommandBody({ text: 'declare', triggerId: 'trigger-modal', channelId: 'C0GENERAL' }));
    await eventually(() => expect(slack.methods()).toEqual(['views.open']));
    const opened = slack.calls[0]!.params as {
      trigger_id: string;
      view: { callback_id: string; blocks: unknown[] };
    };
    expect(opened.trigger_id).toBe('trigger-modal');
    expect(opened.view.callback_id).toBe('quell_declare');

    const values = {
      declare_title: { title: { type: 'plain_text_input', value: 'Agent emailed customers a discount' } },
      declare_severity: { severity: { type: 'static_select', selected_option: { value: 'sev2' } } },
      declare_description: { description: { type: 'plain_text_input', value: 'Sent 40 emails' } },
      declare_agent_name: { agent_name: { type: 'plain_text_input', value: 'promo-bot' } },
      declare_agent_version: { agent_version: { type: 'plain_text_input', value: null } },
      declare_agent_model: { agent_model: { type: 'plain_text_input', value: 'model-x-2026' } },
      declare_environment: { environment: { type: 'plain_text_input', value: 'production' } },
      declare_options: { options: { type: 'checkboxes', selected_options: [{ value: 'no_announce' }] } },
    };
    const submission = await send(
      interactionBody({
        type: 'view_submission',
        team: { id: 'T0QUELL' },
        user: { id: 'U0ALICE' },
        api_app_id: 'A0QUELL',
        trigger_id: 'trigger-submit',
        view: {
          id: 'V0DECLARE',
          callback_id: 'quell_declare',
          private_metadata: '{"channelId":"C0GENERAL"}',
          state: { values },
        },
      }),
    );
    expect(submission.status).toBe(200);
    expect(submission.body).toBe('');
    await eventually(() => expect(slack.callsTo('chat.postEphemeral')).toHaveLength(1));
    expect(slack.callsTo('chat.postEphemeral')[0]!.params).toMatchObject({
      channel: 'C0GENERAL',
      user: 'U0ALICE',
      text: 'INC-1 is open in <#C0INC0001>.',
    });
    expect(slack.callsTo('conversations.create')[0]!.params.name).toMatch(
      /^inc-\d{8}-agent-emailed-customers-a-discount$/,
    );
    // no announcement: only the summary was posted
    expect(slack.callsTo('chat.postMessage').map((c) => c.params.channel)).toEqual(['C0INC0001']);
    const summary = JSON.stringify(slack.callsTo('chat.postMessage')[0]!.params.blocks);
    expect(summary).toContain('promo-bot');
    expect(summary).toContain('model-x-2026');
  });

  it('shows form errors on the modal for an invalid submission', async () => {
    const submission = await send(
      interactionBody({
        type: 'view_submission',
        team: { id: 'T0QUELL' },
        user: { id: 'U0ALICE' },
        api_app_id: 'A0QUELL',
        view: {
          id: 'V0BAD',
          callback_id: 'quell_declare',
          private_metadata: '{}',
          state: { values: { declare_title: { title: { type: 'plain_text_input', value: '   ' } } } },
        },
      }),
    );
    expect(submission.json()).toEqual({
      response_action: 'errors',
      errors: { declare_title: 'Give the incident a title.', declare_severity: 'Choose a severity.' },
    });
    expect(slack.calls).toEqual([]);
  });

  it('records a message on the timeline from the message shortcut', async () => {
    await declare();
    slack.calls.length = 0;
    slack.responseUrlPosts.length = 0;
    await send(
      interactionBody({
        type: 'message_action',
        callback_id: 'quell_add_to_timeline',
        trigger_id: 'trigger-shortcut',
        team: { id: 'T0QUELL' },
        user: { id: 'U0ONCALL' },
        channel: { id: 'C0INC0001', name: 'inc' },
        message: {
          type: 'message',
          user: 'U0ALICE',
          ts: '1700000100.000200',
          text: 'Revoked the agent key at 14:10',
        },
        response_url: 'https://hooks.slack.com/actions/T0QUELL/2/def',
      }),
    );
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    expect(slack.responseUrlPosts[0]!.body.text).toBe('Added to the INC-1 timeline.');
    expect(slack.callsTo('chat.getPermalink')[0]!.params).toMatchObject({
      channel: 'C0INC0001',
      message_ts: '1700000100.000200',
    });
    const timeline = await quell.services.incidents.timeline('INC-1');
    expect(timeline.at(-1)).toMatchObject({
      kind: 'message_added',
      actor: 'U0ONCALL',
      data: {
        permalink: 'https://quell-test.slack.com/archives/C0INC0001/p1700000100000200',
        author: 'U0ALICE',
      },
    });
  });
});
