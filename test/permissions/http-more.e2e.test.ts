import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, sendSlashCommand, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';
import { deliverToQuell, interactionBody } from '../helpers/signed-request.js';

/**
 * More of who may do what over signed HTTP against a real Redis (see http.e2e.test.ts): containment
 * run and undo, the reactivation plan, comms publish and the comms Edit button. Each: an
 * unauthorized person is refused (told who may), nothing changes, the refusal is recorded; an
 * authorized person succeeds.
 */

const CONFIG = `
responders:
  users: [U0ONCALL]
containment:
  actions:
    block-agent-key: { adapter: recording, description: "Block the agent's key" }
permissions:
  operations:
    # publishing narrowed to the commander: the comms lead may approve but not publish
    comms.publish: { roles: [commander] }
`;
const COMMANDER = 'U0ALICE'; // declares, so commander by default
const MALLORY = 'U0MALLORY'; // an ordinary full member with no role
const COMMS_LEAD = 'U0CARLACOMM'; // 11 characters
const CHANNEL = 'C0INC0001';

describe('more permissions over signed HTTP', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let n = 0;

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi({
      users: [
        { id: COMMANDER, name: 'Alice Chen' },
        { id: MALLORY, name: 'Mallory' },
        { id: COMMS_LEAD, name: 'Carla Comms' },
      ],
    });
    quell = await startHttpQuell(env.redis, testConfig(env.prefix, CONFIG));
    const { replies } = await command('declare sev2 Agent mailed customers', COMMANDER, 'C0GENERAL');
    await eventually(() => expect(replies()).toContain(`INC-1 is open in <#${CHANNEL}>.`));
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
  });

  /** A slash command; resolves with the replies (the ack's and those sent to the response URL). */
  function command(text: string, user: string, channelId = CHANNEL, name = '/incident') {
    return sendSlashCommand(quell, slack, {
      text,
      userId: user,
      channelId,
      command: name,
      triggerId: `t-${++n}`,
    });
  }

  /** A button click in the incident channel; resolves with the replies sent to its response URL. */
  async function click(actionId: string, value: string, user: string) {
    const before = slack.responseUrlPosts.length;
    const id = ++n;
    const response = await deliverToQuell(
      quell.url,
      interactionBody({
        type: 'block_actions',
        trigger_id: `trigger-${id}`,
        team: { id: 'T0QUELL' },
        user: { id: user },
        api_app_id: 'A0QUELL',
        channel: { id: CHANNEL },
        container: { type: 'message', channel_id: CHANNEL, message_ts: '1700000000.000009' },
        actions: [{ action_id: actionId, value, action_ts: `17000000${10 + id}.000001`, type: 'button' }],
        response_url: `https://hooks.slack.com/actions/T0QUELL/${id}/click`,
      }),
      { signingSecret: TEST_SIGNING_SECRET },
    );
    expect(response.status).toBe(200);
    return { replies: () => slack.responseUrlPosts.slice(before).map((p) => String(p.body.text)) };
  }

  const timelineLength = async () => (await quell.services.incidents.timeline('INC-1')).length;
  const timelineSince = async (from: number) =>
    (await quell.services.incidents.timeline('INC-1'))
      .slice(from)
      .map((e) => [e.kind, e.actor, e.data.operation]);

  /** `/contain …` as `user`: returns the confirm button's token from the ephemeral prompt. */
  async function containPrompt(text: string, user: string): Promise<string> {
    const { posts } = await command(text, user, CHANNEL, '/contain');
    const prompt = await eventually(() => {
      expect(posts()).toHaveLength(1);
      return posts()[0]!.body as { blocks: { type: string; elements?: { value: string }[] }[] };
    });
    return prompt.blocks.find((b) => b.type === 'actions')!.elements![0]!.value;
  }

  /** `/contain …` as someone not authorized: refused, in the audit and on the timeline, nothing run. */
  async function containRefused(text: string, what: string) {
    const audit = (await quell.services.containment.audit('INC-1')).length;
    const runs = await quell.services.containment.runs('INC-1');
    const from = await timelineLength();
    const { replies } = await command(text, MALLORY, CHANNEL, '/contain');
    await eventually(() =>
      expect(replies().join('\n')).toMatch(
        /You are not authorized to run `block-agent-key`.*It may be run by /s,
      ),
    );
    expect(replies().join('\n')).toContain(what);
    expect((await quell.services.containment.audit('INC-1')).slice(audit)).toMatchObject([
      { event: 'refused', outcome: 'refused', actor: MALLORY, action: 'block-agent-key', requests: [] },
    ]);
    expect(await timelineSince(from)).toEqual([['containment_refused', MALLORY, undefined]]);
    expect(await quell.services.containment.runs('INC-1')).toEqual(runs);
  }

  it('/contain <action> and /contain undo: refused for a member (audit + timeline), done by the commander', async () => {
    await containRefused('block-agent-key', 'Ask one of them');
    expect(
      slack.callsTo('chat.postMessage').filter((c) => String(c.params.text).includes('Containment')),
    ).toEqual([]);

    const token = await containPrompt('block-agent-key', COMMANDER);
    await click('quell_containment_confirm', token, COMMANDER);
    await eventually(async () =>
      expect((await quell.services.containment.runs('INC-1')).map((r) => [r.action, r.status])).toEqual([
        ['block-agent-key', 'in_force'],
      ]),
    );
    const [run] = await quell.services.containment.runs('INC-1');

    await containRefused(`undo ${run!.id}`, `needed for undo ${run!.id}`);
    expect((await quell.services.containment.runs('INC-1'))[0]!.status).toBe('in_force');

    const undo = await containPrompt(`undo ${run!.id}`, COMMANDER);
    await click('quell_containment_confirm', undo, COMMANDER);
    await eventually(async () =>
      expect((await quell.services.containment.runs('INC-1')).map((r) => r.status)).toContain('undone'),
    );
  });

  it('/incident reactivate-plan: refused for a member (nothing recorded but the refusal), done by the commander', async () => {
    const plan = `reactivate-plan shadow: <@${COMMANDER}> 2 days of shadow runs limited: <@${COMMANDER}> 10% of tickets full: <@${COMMANDER}> after a clean week`;
    const before = await quell.services.store.require('INC-1');
    const from = await timelineLength();
    const { replies } = await command(plan, MALLORY);
    await eventually(() =>
      expect(replies().join('\n')).toMatch(/You may not record the reactivation plan.*Who may: /s),
    );
    expect((await quell.services.store.require('INC-1')).reactivationPlan).toEqual(before.reactivationPlan);
    expect(await timelineSince(from)).toEqual([['permission_refused', MALLORY, 'reactivation-plan']]);

    await command(plan, COMMANDER);
    await eventually(async () =>
      expect(
        (await quell.services.store.require('INC-1')).reactivationPlan?.steps.map((s) => s.stage),
      ).toEqual(['shadow', 'limited', 'full']),
    );
  });

  /** A drafted engineering message whose latest version is lint-clean; returns its id and version. */
  async function cleanDraft() {
    await command('draft engineering', COMMANDER, CHANNEL, '/comms');
    await eventually(async () =>
      expect((await quell.services.comms.history('INC-1')).drafts).toHaveLength(1),
    );
    const [draft] = (await quell.services.comms.history('INC-1')).drafts;
    const { version } = await quell.services.comms.edit({
      incidentId: 'INC-1',
      draftId: draft!.id,
      baseVersion: 1,
      actor: COMMANDER,
      text: 'The support agent sent some customers an email it should not have. We stopped it and are checking who received it.',
    });
    expect(version.findings.filter((f) => f.level === 'error')).toEqual([]);
    return { id: draft!.id, version: version.number };
  }

  it('comms publish: the comms lead may approve but not publish (refused, recorded, nothing sent); the commander publishes', async () => {
    await command(`role comms <@${COMMS_LEAD}>`, COMMANDER);
    await eventually(async () =>
      expect((await quell.services.store.require('INC-1')).roles.comms).toBe(COMMS_LEAD),
    );
    const { id, version } = await cleanDraft();
    const value = JSON.stringify({ i: 'INC-1', d: id, v: version });
    const posted = slack.callsTo('chat.postMessage').length;

    let from = await timelineLength();
    const lead = await click('quell_comms_approve', value, COMMS_LEAD);
    await eventually(async () =>
      expect(await timelineSince(from)).toEqual([['permission_refused', COMMS_LEAD, 'comms.publish']]),
    );
    await eventually(() =>
      expect(lead.replies().join('\n')).toMatch(/You may not publish comms.*Who may: /s),
    );
    expect((await quell.services.comms.history('INC-1')).drafts[0]!.status).toBe('open');
    expect(slack.callsTo('chat.postMessage').length).toBe(posted);

    from = await timelineLength();
    const mallory = await click('quell_comms_approve', value, MALLORY);
    await eventually(async () =>
      expect(await timelineSince(from)).toEqual([['permission_refused', MALLORY, 'comms.approve']]),
    );
    await eventually(() => expect(mallory.replies().join('\n')).toMatch(/You may not .*Who may: /s));
    expect((await quell.services.comms.history('INC-1')).drafts[0]!.status).toBe('open');

    await click('quell_comms_approve', value, COMMANDER);
    await eventually(async () =>
      expect((await quell.services.comms.history('INC-1')).drafts[0]!.status).toBe('approved'),
    );
    await eventually(async () =>
      expect((await quell.services.incidents.timeline('INC-1')).map((e) => e.kind)).toContain(
        'comms_published',
      ),
    );
  });

  it('the comms Edit button: refused for a member before any form opens (told who may, recorded); the commander gets the form', async () => {
    await command('draft engineering', COMMANDER, CHANNEL, '/comms');
    await eventually(async () =>
      expect((await quell.services.comms.history('INC-1')).drafts).toHaveLength(1),
    );
    const [draft] = (await quell.services.comms.history('INC-1')).drafts;
    const value = JSON.stringify({ i: 'INC-1', d: draft!.id, v: 1 });

    const from = await timelineLength();
    const refused = await click('quell_comms_edit', value, MALLORY);
    await eventually(() =>
      expect(refused.replies().join('\n')).toMatch(/You may not edit a comms draft.*Who may: /s),
    );
    expect(await timelineSince(from)).toEqual([['permission_refused', MALLORY, 'comms.edit']]);
    expect(slack.callsTo('views.open')).toEqual([]);
    expect((await quell.services.comms.history('INC-1')).drafts[0]!.versions).toHaveLength(1);

    await click('quell_comms_edit', value, COMMANDER);
    await eventually(() => expect(slack.callsTo('views.open')).toHaveLength(1));
    expect(slack.callsTo('views.open')[0]!.params.trigger_id).toMatch(/^trigger-/);
  });
});
