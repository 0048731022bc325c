import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';
import { deliverToQuell, interactionBody, slashCommandBody } from '../helpers/signed-request.js';
import { HOSTILE_TEXT, LIVE } from './fixtures.js';

/**
 * Mention and link injection, end to end: `<!channel>`, `<!here>`, `<!subteam^S1|x>`, `<@U123>`,
 * `<https://x.example|y>` and Liquid braces typed into every field a person can type, over signed
 * HTTP. No message, topic, ephemeral or response Quell sends may carry a live mention or masked
 * link built from them; Quell's own role mentions still render.
 */

const CONFIG = `
channels:
  announcement: C0ANNOUNCE
responders:
  users: [U0ONCALL]
`;
const ALICE = 'U0ALICE';
const CHANNEL = 'C0INC0001';

describe('people’s text never pings or hides a link', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let n = 0;

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi({
      users: [
        { id: ALICE, name: 'Alice Ward' },
        { id: 'U123', name: 'Alice Chen' },
      ],
    });
    quell = await startHttpQuell(env.redis, testConfig(env.prefix, CONFIG));
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
  });

  const send = (body: string) => deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET });
  const command = (text: string, name = '/incident', channelId = CHANNEL) =>
    send(slashCommandBody({ text, command: name, channelId, userId: ALICE, triggerId: `t-${++n}` }));
  const timelineLength = async () => (await quell.services.incidents.timeline('INC-1')).length;

  /** Everything Quell sent: Web API calls (text, blocks, topics, views) and response-URL answers. */
  const outgoing = () => [
    ...slack.calls.map((c) => JSON.stringify(c.params)),
    ...slack.responseUrlPosts.map((p) => JSON.stringify(p.body)),
  ];

  it('through the declare form, agent facts, notes, updates, actions, root cause, comms and the timeline', async () => {
    const text = (id: string, value: string) => ({ [id]: { type: 'plain_text_input', value } });
    await send(
      interactionBody({
        type: 'view_submission',
        team: { id: 'T0QUELL' },
        user: { id: ALICE },
        api_app_id: 'A0QUELL',
        trigger_id: 'trigger-submit',
        view: {
          id: 'V0DECLARE',
          callback_id: 'quell_declare',
          private_metadata: '{"channelId":"C0GENERAL"}',
          state: {
            values: {
              declare_title: text('title', HOSTILE_TEXT),
              declare_severity: { severity: { type: 'static_select', selected_option: { value: 'sev2' } } },
              declare_description: text('description', HOSTILE_TEXT),
              declare_agent_name: text('agent_name', HOSTILE_TEXT),
              declare_agent_version: text('agent_version', '1.0 {{ x }}'),
              declare_agent_model: text('agent_model', HOSTILE_TEXT),
              declare_environment: text('environment', HOSTILE_TEXT),
              declare_options: { options: { type: 'checkboxes', selected_options: [] } },
            },
          },
        },
      }),
    );
    await eventually(() => expect(slack.callsTo('pins.add')).toHaveLength(1));
    await eventually(() => expect(slack.callsTo('chat.postMessage').length).toBeGreaterThanOrEqual(2));

    let events = await timelineLength();
    const step = async (run: () => Promise<unknown>) => {
      await run();
      await eventually(async () => expect(await timelineLength()).toBeGreaterThan(events));
      events = await timelineLength();
    };
    await step(() => command(`agent tools ${HOSTILE_TEXT}`));
    await step(() => command(`note ${HOSTILE_TEXT}`));
    await step(() => command(`action <@${ALICE}> 3d ${HOSTILE_TEXT}`));
    await step(() => command(`root-cause ${HOSTILE_TEXT}`, '/comms'));
    await step(() =>
      send(
        interactionBody({
          type: 'view_submission',
          team: { id: 'T0QUELL' },
          user: { id: ALICE },
          api_app_id: 'A0QUELL',
          trigger_id: 'trigger-update',
          view: {
            id: 'V0UPDATE',
            callback_id: 'quell_update',
            private_metadata: JSON.stringify({ incidentId: 'INC-1', channelId: CHANNEL }),
            state: {
              values: {
                update_impact: text('impact', HOSTILE_TEXT),
                update_containment: text('containment', HOSTILE_TEXT),
                update_investigation: text('investigation', HOSTILE_TEXT),
                update_next: { next_update: { type: 'datetimepicker', selected_date_time: null } },
              },
            },
          },
        }),
      ),
    );
    await step(() => command('draft engineering', '/comms'));
    await command('timeline');
    await eventually(() =>
      expect(slack.responseUrlPosts.some((p) => String(p.body.text).startsWith('Timeline'))).toBe(true),
    );

    const sent = outgoing();
    const live = sent.filter((s) => LIVE.test(s));
    expect(live.map((s) => s.match(new RegExp(`.{0,80}${LIVE.source}.{0,40}`))?.[0])).toEqual([]);
    // what people typed is still there, as words: the person's name, the URL behind the label
    const all = sent.join('\n');
    expect(all).toContain('@Alice Chen');
    expect(all).toContain('y (https://x.example)');
    expect(all).toContain('@channel');
    expect(all).toContain('{{ incident.title }}');
    // Quell's own mentions still render: the commander in the pinned summary, the announcement
    const summary = JSON.stringify(slack.callsTo('chat.postMessage')[0]!.params.blocks);
    expect(summary).toContain(`<@${ALICE}>`);
    expect(slack.callsTo('conversations.setTopic')[0]!.params.topic).not.toMatch(LIVE);
    // braces are text, never a lint error; nothing people typed is a live-markup finding
    const [draft] = (await quell.services.comms.history('INC-1')).drafts;
    const rules = draft!.versions[0]!.findings.map((f) => f.rule);
    expect(rules).not.toContain('live-markup');
    expect(draft!.versions[0]!.findings.map((f) => f.message).join()).not.toMatch(/template syntax/);
  });
});
