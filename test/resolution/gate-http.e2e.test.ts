import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Block } from '../../src/chat/port.js';
import type { Runtime } from '../../src/runtime.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { confirmToken } from '../containment/harness.js';
import { message, tempEvidenceDir } from '../evidence/helpers.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock, testConfig } from '../helpers/services.js';
import { deliverToQuell, interactionBody, slashCommandBody } from '../helpers/signed-request.js';

/**
 * The restart gate over Quell's real HTTP receiver: signed slash commands and block_actions as
 * Slack sends them (the message the person clicked included), real Redis, the Web API faked.
 */

const ALICE = 'U0ALICE0001'; // 11-character ids, as real workspaces have
const BOB = 'W0BOBBY0002';
const COMMANDER = 'U0CORA00003';

const config = (dir: string) => `
responders:
  users: [${ALICE}, ${BOB}]
resolution:
  gate:
    required:
      sev2: [contained, evidence-archived, tests-passed, guardrails]
  postmortem:
    onResolve: false
evidence:
  storage:
    directory: ${JSON.stringify(dir)}
containment:
  actions:
    revoke-agent-key:
      adapter: recording
      description: Revoke the agent's API key
    pause-outbox:
      adapter: recording
      description: Pause the outbound mail queue
      settings: { outcome: not-verified }
`;

interface PostedMessage {
  channel: string;
  ts: string;
  blocks: Block[];
}

describe('restart gate over signed HTTP', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;
  let clock: TestClock;
  let incidentId: string;
  let channel: string;

  const send = (body: string) => deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET });

  beforeEach(async () => {
    env = await openTestRedis();
    storage = await tempEvidenceDir();
    slack = new FakeSlackApi({
      users: [
        { id: ALICE, name: 'Alice Archer' },
        { id: BOB, name: 'Bob Baker' },
        { id: COMMANDER, name: 'Cora Mander' },
      ],
    });
    clock = new TestClock(new Date('2026-11-21T14:00:00Z'));
    quell = await startHttpQuell(env.redis, testConfig(env.prefix, config(storage.dir)), clock);
    const { incident } = await quell.services.incidents.declare({
      title: 'Billing agent issues duplicate refunds',
      severity: 'sev2',
      declaredBy: COMMANDER,
      idempotencyKey: `declare-${env.prefix}`,
    });
    incidentId = incident.id;
    channel = incident.channelId!;
    slack.seedChannel(channel, [
      message(30, ALICE, 'refund worker paused; 212 duplicate refunds so far'),
      message(90, BOB, 'key revoked, checking the outbox'),
    ]);
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
    await storage.remove();
  });

  async function showGate(): Promise<PostedMessage> {
    const before = slack.callsTo('chat.postMessage').length;
    const response = await send(slashCommandBody({ text: 'resolve', channelId: channel, userId: ALICE }));
    expect(response.status).toBe(200);
    const post = await eventually(() => {
      const posts = slack.callsTo('chat.postMessage');
      expect(posts.length).toBeGreaterThan(before);
      return posts.at(-1)!;
    });
    return { channel, ts: '1795269600.000100', blocks: post.params.blocks as Block[] };
  }

  /** The gate message as the latest chat.update left it (or as posted). */
  function latestGate(): Block[] {
    const update = slack
      .callsTo('chat.update')
      .filter((c) => String(c.params.text).includes('Restart gate'))
      .at(-1);
    return (update ?? slack.callsTo('chat.postMessage').at(-1)!).params.blocks as Block[];
  }

  function checkboxBlock(blocks: Block[]) {
    return blocks.find(
      (b) =>
        b.type === 'actions' && String((b as { block_id?: string }).block_id).startsWith('gate_checklist'),
    ) as { block_id: string; elements: { options: { value: string; text: unknown }[] }[] };
  }

  /** A checkbox click exactly as Slack delivers it: the message the person saw, their selection. */
  function tickBody(user: string, message: PostedMessage, selected: string[], actionTs: string) {
    const block = checkboxBlock(message.blocks);
    const options = block.elements[0]!.options.filter((o) => selected.includes(o.value));
    return interactionBody({
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: 'T0QUELL' },
      api_app_id: 'A0QUELL',
      team: { id: 'T0QUELL', domain: 'quell-test' },
      container: { type: 'message', message_ts: message.ts, channel_id: channel, is_ephemeral: false },
      trigger_id: `trigger-${actionTs}`,
      channel: { id: channel, name: 'inc' },
      message: { type: 'message', ts: message.ts, text: 'Restart gate', blocks: message.blocks },
      response_url: `https://hooks.slack.com/actions/T0QUELL/${actionTs.replace('.', '')}/xyz`,
      actions: [
        {
          type: 'checkboxes',
          action_id: ACTIONS.gateChecklist,
          block_id: block.block_id,
          selected_options: options,
          action_ts: actionTs,
        },
      ],
    });
  }

  function buttonBody(user: string, actionId: string, value: string, actionTs: string) {
    return interactionBody({
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: 'T0QUELL' },
      api_app_id: 'A0QUELL',
      team: { id: 'T0QUELL', domain: 'quell-test' },
      container: {
        type: 'message',
        message_ts: '1700000000.000100',
        channel_id: channel,
        is_ephemeral: false,
      },
      trigger_id: `trigger-${actionTs}`,
      channel: { id: channel, name: 'inc' },
      message: { type: 'message', ts: '1700000000.000100', text: 'Restart gate', blocks: latestGate() },
      response_url: `https://hooks.slack.com/actions/T0QUELL/${actionTs.replace('.', '')}/xyz`,
      actions: [
        { type: 'button', action_id: actionId, block_id: 'gate_buttons', value, action_ts: actionTs },
      ],
    });
  }

  const replies = (actionTs: string) =>
    slack.responseUrlPosts.filter((p) => p.path === `/actions/T0QUELL/${actionTs.replace('.', '')}/xyz`);

  async function ticked() {
    const incident = await quell.services.store.require(incidentId);
    return quell.services.resolution.service.gate(incident);
  }

  it('two ticks 100 ms apart from the same message both stick; nobody unticks what they did not see', async () => {
    const message = await showGate();
    expect(checkboxBlock(message.blocks).block_id).toBe('gate_checklist~0');
    // Alice ticks "Tests passed"; 100 ms later Bob, still looking at the same message, ticks "Guardrails"
    const alice = send(tickBody(ALICE, message, ['tests-passed'], '1795269600.000101'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const bob = send(tickBody(BOB, message, ['guardrails'], '1795269600.100202'));
    expect((await alice).status).toBe(200);
    expect((await bob).status).toBe(200);

    await eventually(async () => {
      const state = await ticked();
      expect(state.ticks['tests-passed']?.by).toBe(ALICE);
      expect(state.ticks.guardrails?.by).toBe(BOB);
    });
    const events = await quell.services.incidents.timeline(incidentId);
    expect(events.filter((e) => e.kind === 'gate_ticked').map((e) => [e.actor, e.data.item])).toEqual([
      [ALICE, 'tests-passed'],
      [BOB, 'guardrails'],
    ]);
    expect(events.some((e) => e.kind === 'gate_unticked')).toBe(false);

    // the refreshed message carries both ticks; Bob unticking from it takes back only his own
    const refreshed = { channel, ts: message.ts, blocks: latestGate() };
    expect(checkboxBlock(refreshed.blocks).block_id).not.toBe('gate_checklist~0');
    await send(tickBody(BOB, refreshed, ['tests-passed'], '1795269601.000303'));
    await eventually(async () => expect((await ticked()).ticks.guardrails).toBeUndefined());
    expect((await ticked()).ticks['tests-passed']?.by).toBe(ALICE);
  });

  it('an item checked from the record cannot be ticked by hand, even in a forged payload', async () => {
    const message = await showGate();
    // the checkboxes offer only the manual items
    expect(checkboxBlock(message.blocks).elements[0]!.options.map((o) => o.value)).toEqual([
      'records-identified',
      'guardrails',
      'tests-passed',
      'approval',
    ]);
    const forged = interactionBody({
      ...JSON.parse(new URLSearchParams(tickBody(ALICE, message, [], '1795269602.000404')).get('payload')!),
    });
    const payload = JSON.parse(new URLSearchParams(forged).get('payload')!);
    payload.actions[0].selected_options = [
      { text: { type: 'mrkdwn', text: 'Contained' }, value: 'contained' },
    ];
    await send(interactionBody(payload));
    const reply = await eventually(() => {
      const posts = replies('1795269602.000404');
      expect(posts).toHaveLength(1);
      return posts[0]!.body;
    });
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(reply.text)).toContain(
      '"Contained: the agent can no longer act" is checked from the record and cannot be ticked by hand',
    );
    expect((await ticked()).ticks.contained).toBeUndefined();
    expect((await quell.services.incidents.timeline(incidentId)).some((e) => e.kind === 'gate_ticked')).toBe(
      false,
    );
  });

  it('refuses to resolve while no verified control is in force or no verified bundle exists; resolves once they do, without a tick', async () => {
    const message = await showGate();
    await send(tickBody(ALICE, message, ['tests-passed', 'guardrails'], '1795269603.000505'));
    await eventually(async () => expect((await ticked()).ticks.guardrails).toBeDefined());

    const resolveClick = async (actionTs: string) => {
      await send(buttonBody(COMMANDER, ACTIONS.gateResolve, incidentId, actionTs));
      return eventually(() => {
        const posts = replies(actionTs);
        expect(posts).toHaveLength(1);
        return String(posts[0]!.body.text);
      });
    };

    // nothing in the record yet
    const first = await resolveClick('1795269604.000606');
    expect(first).toContain(`${incidentId} cannot be resolved yet`);
    expect(first).toContain(
      '• Contained: the agent can no longer act (no control in force; stop the agent with `/contain`)',
    );
    expect(first).toContain('• Evidence archived (no evidence bundle yet;');

    // a control in force that the target does not confirm is not containment
    const incident = await quell.services.store.require(incidentId);
    const run = async (name: string) => {
      const confirmation = await quell.services.containment.requestRun({
        incident,
        user: ALICE,
        kind: 'action',
        name,
        args: {},
        dryRun: false,
      });
      await quell.services.containment.confirm(confirmToken(confirmation), ALICE);
    };
    await run('pause-outbox');
    const second = await resolveClick('1795269605.000707');
    expect(second).toContain('(r1 (pause-outbox) in force but not verified');
    // undone, it is no longer in force at all
    const undo = await quell.services.containment.requestUndo(incident, ALICE, 'r1');
    await quell.services.containment.confirm(confirmToken(undo), ALICE);
    await run('revoke-agent-key');
    // the checklist in the channel followed the record by itself: nobody clicked since
    expect(JSON.stringify(latestGate())).toContain(
      ':white_check_mark: *Contained: the agent can no longer act* (required): 1 control in force, all verified (r2)',
    );
    const gate = await ticked();
    expect(gate.items.find((i) => i.id === 'contained')!.check).toMatchObject({
      ok: true,
      reason: '1 control in force, all verified (r2)',
    });
    const third = await resolveClick('1795269606.000808');
    expect(third).not.toContain('Contained');
    expect(third).toContain('• Evidence archived (no evidence bundle yet;');
    expect((await quell.services.store.require(incidentId)).status).toBe('investigating');

    // `/incident archive` makes a bundle; its manifest is re-checked against the stored files
    clock.advance(120_000);
    await send(slashCommandBody({ text: 'archive', channelId: channel, userId: COMMANDER }));
    await eventually(async () =>
      expect(
        (await quell.services.incidents.timeline(incidentId)).some((e) => e.kind === 'evidence_archived'),
      ).toBe(true),
    );
    // the checklist re-checks the new bundle as soon as the archive is recorded
    await eventually(() =>
      expect(JSON.stringify(latestGate())).toContain(
        ':white_check_mark: *Evidence archived* (required): v1, manifest verified',
      ),
    );
    clock.advance(60_000);
    const evidence = (await ticked()).items.find((i) => i.id === 'evidence-archived')!;
    expect(evidence.check).toMatchObject({
      ok: true,
      reason: 'v1, manifest verified',
      // re-checked as soon as the archive was recorded (the checklist refresh), not when first asked
      asOf: '2026-11-21T14:02:00.000Z',
    });
    expect(evidence.check!.see).toBe(`${storage.dir}/${incidentId}/v1`);

    await send(buttonBody(COMMANDER, ACTIONS.gateResolve, incidentId, '1795269607.000909'));
    await eventually(async () =>
      expect((await quell.services.store.require(incidentId)).status).toBe('resolved'),
    );
    const events = await quell.services.incidents.timeline(incidentId);
    // contained and evidence came from the record: nobody ticked them
    expect(events.filter((e) => e.kind === 'gate_ticked').map((e) => e.data.item)).toEqual([
      'guardrails',
      'tests-passed',
    ]);
    const passed = events.find((e) => e.kind === 'gate_passed')!;
    expect(passed.actor).toBe(COMMANDER);
    expect(passed.data.evaluated).toMatchObject({
      contained: { ok: true, reason: '1 control in force, all verified (r2)' },
      'evidence-archived': { ok: true, reason: 'v1, manifest verified' },
    });
    // the checklist shows each evaluated item with its reason
    const shown = JSON.stringify(latestGate());
    expect(shown).toContain(
      ':white_check_mark: *Contained: the agent can no longer act* (required): 1 control in force, all verified (r2)',
    );
  });

  it('an evaluated item is accepted against the record only by someone allowed to override, with a reason that is recorded', async () => {
    await showGate();
    const shown = latestGate();
    const evidenceBlock = shown.find(
      (b) => (b as { block_id?: string }).block_id === 'gate_item_evidence-archived',
    ) as { accessory?: { action_id: string; value: string } };
    expect(evidenceBlock.accessory).toMatchObject({
      action_id: ACTIONS.gateItemOverride,
      value: 'evidence-archived',
    });

    // a responder who may tick may not override
    await send(buttonBody(ALICE, ACTIONS.gateItemOverride, 'evidence-archived', '1795269610.001010'));
    const refused = await eventually(() => {
      const posts = replies('1795269610.001010');
      expect(posts).toHaveLength(1);
      return String(posts[0]!.body.text);
    });
    // the permission model's refusal: who may, and it is on the timeline
    expect(refused).toContain(
      'You may not override the restart gate (accept a gate item against the record)',
    );
    expect(refused).toContain('Who may: the incident commander');
    expect(slack.callsTo('views.open')).toEqual([]);

    // the commander gets the reason form, naming what the record says
    await send(buttonBody(COMMANDER, ACTIONS.gateItemOverride, 'evidence-archived', '1795269611.001111'));
    const form = await eventually(() => {
      expect(slack.callsTo('views.open')).toHaveLength(1);
      return slack.callsTo('views.open')[0]!.params.view as { private_metadata: string; blocks: Block[] };
    });
    expect(JSON.stringify(form.blocks)).toContain(
      'accept *Evidence archived* although the record says: no evidence bundle yet',
    );
    const submit = (reason: string, viewId: string) =>
      send(
        interactionBody({
          type: 'view_submission',
          team: { id: 'T0QUELL', domain: 'quell-test' },
          user: { id: COMMANDER, username: 'cora', team_id: 'T0QUELL' },
          api_app_id: 'A0QUELL',
          trigger_id: `trigger-${viewId}`,
          view: {
            id: viewId,
            type: 'modal',
            callback_id: 'quell_gate_override',
            private_metadata: form.private_metadata,
            hash: '1.1',
            state: {
              values: { gate_override_reason: { reason: { type: 'plain_text_input', value: reason } } },
            },
          },
        }),
      );
    expect((await submit('ok', 'V0SHORT')).json()).toMatchObject({ response_action: 'errors' });
    await submit(
      'Transcript exported by legal into the case system; Quell storage is offline.',
      'V0OVERRIDE',
    );
    await eventually(async () =>
      expect((await ticked()).items.find((i) => i.id === 'evidence-archived')!.done).toBe(true),
    );
    const item = (await ticked()).items.find((i) => i.id === 'evidence-archived')!;
    expect(item.override).toMatchObject({
      by: COMMANDER,
      reason: 'Transcript exported by legal into the case system; Quell storage is offline.',
    });
    expect(item.check?.ok).toBe(false); // the record still says what it says
    const event = (await quell.services.incidents.timeline(incidentId)).find(
      (e) => e.kind === 'gate_item_overridden',
    )!;
    expect(event).toMatchObject({ actor: COMMANDER, data: { item: 'evidence-archived' } });
    expect(event.text).toContain(
      'accepted restart gate item "Evidence archived" against the record (no evidence bundle yet;',
    );
    expect(JSON.stringify(latestGate())).toContain(':large_yellow_circle: *Evidence archived* (required)');
  });
});
