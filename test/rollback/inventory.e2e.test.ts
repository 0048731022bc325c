import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Block } from '../../src/chat/port.js';
import type { Runtime } from '../../src/runtime.js';
import { ACTIONS, AFFECTED_FIELDS, VIEWS } from '../../src/slack/ids.js';
import { message, tempEvidenceDir } from '../evidence/helpers.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock, testConfig } from '../helpers/services.js';
import { deliverToQuell, interactionBody, slashCommandBody } from '../helpers/signed-request.js';

/**
 * The rollback inventory from the command to the restart gate to the postmortem and the evidence
 * bundle, over Quell's real HTTP receiver (signed requests), real Redis, the Web API faked.
 */

const TESS = 'U0TESSLEAD1';
const CORA = 'U0CORAMAND1';

const CONFIG = (dir: string) => `
responders:
  users: [${TESS}]
resolution:
  gate:
    required:
      sev2: [rollback]
  postmortem:
    onResolve: false
evidence:
  storage:
    directory: ${JSON.stringify(dir)}
`;

interface Entry {
  system: string;
  objectId: string;
  change: string;
  before?: string;
  after?: string;
  reversible: 'reversible' | 'irreversible';
  state: 'pending' | 'reversed' | 'accepted';
  note?: string;
  disclosure?: string;
}

describe('rollback inventory: /incident affected → gate → postmortem and evidence', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;
  let incidentId: string;
  let channel: string;

  const send = (body: string) => deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET });

  beforeEach(async () => {
    env = await openTestRedis();
    storage = await tempEvidenceDir();
    slack = new FakeSlackApi({
      users: [
        { id: TESS, name: 'Tess Lead' },
        { id: CORA, name: 'Cora Mander' },
      ],
    });
    quell = await startHttpQuell(
      env.redis,
      testConfig(env.prefix, CONFIG(storage.dir)),
      new TestClock(new Date('2026-11-21T14:00:00Z')),
    );
    const { incident } = await quell.services.incidents.declare({
      title: 'CRM agent rewrote customer tiers',
      severity: 'sev2',
      declaredBy: CORA,
      idempotencyKey: `declare-${env.prefix}`,
    });
    incidentId = incident.id;
    channel = incident.channelId!;
    slack.seedChannel(channel, [message(30, TESS, 'tiers rewritten for 3 accounts')]);
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
    await storage.remove();
  });

  function submission(viewId: string, metadata: string, entry: Entry) {
    const text = (value: string | undefined) => ({ type: 'plain_text_input', value: value ?? null });
    const radio = (value: string) => ({ type: 'radio_buttons', selected_option: { value } });
    const F = AFFECTED_FIELDS;
    return interactionBody({
      type: 'view_submission',
      team: { id: 'T0QUELL', domain: 'quell-test' },
      user: { id: TESS, username: 'tess', team_id: 'T0QUELL' },
      api_app_id: 'A0QUELL',
      trigger_id: `trigger-${viewId}`,
      view: {
        id: viewId,
        type: 'modal',
        callback_id: VIEWS.affected,
        private_metadata: metadata,
        hash: '1.1',
        state: {
          values: {
            [F.system.block]: { [F.system.action]: text(entry.system) },
            [F.objectId.block]: { [F.objectId.action]: text(entry.objectId) },
            [F.change.block]: { [F.change.action]: text(entry.change) },
            [F.before.block]: { [F.before.action]: text(entry.before) },
            [F.after.block]: { [F.after.action]: text(entry.after) },
            [F.reversible.block]: { [F.reversible.action]: radio(entry.reversible) },
            [F.state.block]: { [F.state.action]: radio(entry.state) },
            [F.note.block]: { [F.note.action]: text(entry.note) },
            [F.disclosure.block]: { [F.disclosure.action]: text(entry.disclosure) },
          },
        },
      },
    });
  }

  async function openForm(): Promise<{ metadata: string; blocks: Block[] }> {
    const before = slack.callsTo('views.open').length;
    const ack = await send(slashCommandBody({ text: 'affected', channelId: channel, userId: TESS }));
    expect(ack.status).toBe(200);
    expect(ack.body).toBe('');
    const open = await eventually(() => {
      expect(slack.callsTo('views.open').length).toBe(before + 1);
      return slack.callsTo('views.open').at(-1)!;
    });
    const view = open.params.view as { callback_id: string; private_metadata: string; blocks: Block[] };
    expect(view.callback_id).toBe(VIEWS.affected);
    return { metadata: view.private_metadata, blocks: view.blocks };
  }

  async function record(viewId: string, entry: Entry) {
    const { metadata } = await openForm();
    const response = await send(submission(viewId, metadata, entry));
    expect(response.status).toBe(200);
    return response;
  }

  const gate = async () =>
    quell.services.resolution.service.gate(await quell.services.store.require(incidentId));
  const rollback = async () => (await gate()).items.find((i) => i.id === 'rollback')!;

  it('records objects from the form, shows them in the channel, gates the restart on them, and puts them in the postmortem and the bundle', async () => {
    expect((await rollback()).check).toMatchObject({
      ok: false,
      reason: 'the rollback inventory is empty: record what the agent changed with `/incident affected`',
    });

    // a form that contradicts itself is answered on the form, and nothing is recorded
    const { metadata } = await openForm();
    const refused = await send(
      submission('V0BAD', metadata, {
        system: 'mail',
        objectId: 'msg-991',
        change: 'sent a tier-change email',
        reversible: 'irreversible',
        state: 'reversed',
      }),
    );
    expect(refused.json()).toEqual({
      response_action: 'errors',
      errors: {
        [AFFECTED_FIELDS.state.block]:
          'An irreversible change cannot be reversed: choose "accepted" and say how it was disclosed.',
        [AFFECTED_FIELDS.note.block]: 'Say how it was reversed.',
      },
    });
    expect(await quell.services.resolution.service.affected(incidentId)).toEqual([]);

    await record('V0ONE', {
      system: 'crm',
      objectId: 'account 10443',
      change: 'tier changed from Enterprise to Free',
      before: 'tier=enterprise',
      after: 'tier=free',
      reversible: 'reversible',
      state: 'pending',
    });
    await record('V0TWO', {
      system: 'mail',
      objectId: 'msg-991',
      change: 'sent a "your plan was downgraded" email to the account owner',
      reversible: 'irreversible',
      state: 'pending',
    });
    await eventually(async () =>
      expect(await quell.services.resolution.service.affected(incidentId)).toHaveLength(2),
    );

    // the summary in the channel: posted once, then edited
    const summaryPost = slack
      .callsTo('chat.postMessage')
      .filter((c) => String(c.params.text).includes('Rollback inventory'));
    expect(summaryPost).toHaveLength(1);
    expect(summaryPost[0]!.params.channel).toBe(channel);
    const summaryText = () =>
      JSON.stringify(
        slack
          .callsTo('chat.update')
          .filter((c) => String(c.params.text).includes('Rollback inventory'))
          .at(-1)!.params.blocks,
      );
    expect(summaryText()).toContain(
      '2 affected objects: 0 reversed, 0 accepted (irreversible), 2 still open.',
    );
    expect(summaryText()).toContain(':x: *crm/account 10443* · reversible, not dealt with yet');
    expect(summaryText()).toContain(ACTIONS.affectedAdd);
    // its "Record an affected object" button opens the same form
    const opened = slack.callsTo('views.open').length;
    await send(
      interactionBody({
        type: 'block_actions',
        user: { id: TESS, username: 'tess', team_id: 'T0QUELL' },
        api_app_id: 'A0QUELL',
        team: { id: 'T0QUELL', domain: 'quell-test' },
        container: {
          type: 'message',
          message_ts: '1795269600.000200',
          channel_id: channel,
          is_ephemeral: false,
        },
        trigger_id: 'trigger-affected-button',
        channel: { id: channel, name: 'inc' },
        message: { type: 'message', ts: '1795269600.000200', text: 'Rollback inventory' },
        response_url: 'https://hooks.slack.com/actions/T0QUELL/77/xyz',
        actions: [
          { type: 'button', action_id: ACTIONS.affectedAdd, value: incidentId, action_ts: '1795269700.0001' },
        ],
      }),
    );
    await eventually(() => expect(slack.callsTo('views.open')).toHaveLength(opened + 1));
    expect(slack.callsTo('views.open').at(-1)!.params).toMatchObject({
      trigger_id: 'trigger-affected-button',
      view: { callback_id: VIEWS.affected },
    });

    expect((await rollback()).check).toMatchObject({
      ok: false,
      reason:
        '2 of 2 not settled: crm/account 10443 (not reversed yet), mail/msg-991 (irreversible, not accepted with a disclosure)',
    });
    await expect(quell.services.resolution.service.resolve(incidentId, CORA)).rejects.toMatchObject({
      missing: ['rollback'],
    });

    // the same system and object id again updates the entry
    await record('V0THREE', {
      system: 'crm',
      objectId: 'account 10443',
      change: 'tier changed from Enterprise to Free',
      before: 'tier=enterprise',
      after: 'tier=free',
      reversible: 'reversible',
      state: 'reversed',
      note: 'tier restored from the 13:55 audit log snapshot',
    });
    await record('V0FOUR', {
      system: 'mail',
      objectId: 'msg-991',
      change: 'sent a "your plan was downgraded" email to the account owner',
      reversible: 'irreversible',
      state: 'accepted',
      note: 'an email cannot be recalled',
      disclosure: 'support emailed the owner a correction at 14:40 UTC (ticket 55812)',
    });
    await eventually(async () => expect((await rollback()).check?.ok).toBe(true));
    expect((await rollback()).check!.reason).toBe(
      '2 objects: 1 reversed, 1 irreversible, accepted and disclosed',
    );
    const objects = await quell.services.resolution.service.affected(incidentId);
    expect(objects).toHaveLength(2);
    expect(objects[0]).toMatchObject({ recordedBy: TESS, updatedBy: TESS, state: 'reversed' });
    const events = (await quell.services.incidents.timeline(incidentId)).filter(
      (e) => e.kind === 'affected_recorded',
    );
    expect(events.map((e) => e.text)).toEqual([
      'recorded affected object crm/account 10443 (reversible, pending): tier changed from Enterprise to Free',
      'recorded affected object mail/msg-991 (irreversible, pending): sent a "your plan was downgraded" email to the account owner',
      'updated affected object crm/account 10443 (reversible, reversed): tier changed from Enterprise to Free',
      'updated affected object mail/msg-991 (irreversible, accepted): sent a "your plan was downgraded" email to the account owner',
    ]);

    // /incident affected list answers privately with the same summary
    await send(slashCommandBody({ text: 'affected list', channelId: channel, userId: TESS }));
    const listed = await eventually(() => {
      const post = slack.responseUrlPosts.find((p) => String(p.body.text).includes('Rollback inventory'));
      expect(post).toBeDefined();
      return post!.body;
    });
    expect(listed.response_type).toBe('ephemeral');
    expect(JSON.stringify(listed.blocks)).toContain(
      '2 affected objects: 1 reversed, 1 accepted (irreversible), 0 still open.',
    );

    // the evidence bundle carries the inventory
    const archive = await quell.services.evidence.archive({ incidentId, actor: CORA, trigger: 'command' });
    const jsonl = await readFile(join(archive.reservation.location, 'rollback-inventory.jsonl'), 'utf8');
    expect(
      jsonl
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).objectId),
    ).toEqual(['account 10443', 'msg-991']);
    expect(archive.manifest.files.map((f) => f.path)).toContain('rollback-inventory.jsonl');

    // resolved on the inventory; the postmortem lists it
    await quell.services.resolution.service.resolve(incidentId, CORA);
    const { markdown } = await quell.services.resolution.service.renderPostmortem(incidentId);
    expect(markdown).toContain('2 affected objects: 1 reversed, 1 accepted as irreversible, 0 still open.');
    expect(markdown).toContain(
      '| crm/account 10443 | tier changed from Enterprise to Free | tier=enterprise → tier=free | yes | reversed | tier restored from the 13:55 audit log snapshot |  |',
    );
    expect(markdown).toContain(
      '| mail/msg-991 | sent a "your plan was downgraded" email to the account owner | ? → ? | no | accepted | an email cannot be recalled | support emailed the owner a correction at 14:40 UTC (ticket 55812) |',
    );
    expect(markdown).toContain(
      '- [x] Rollback complete, or explicitly accepted (required) · checked from the record: 2 objects: 1 reversed, 1 irreversible, accepted and disclosed',
    );
  });

  it('outside an incident channel the command opens nothing and says why', async () => {
    const ack = await send(slashCommandBody({ text: 'affected', channelId: 'C0GENERAL', userId: TESS }));
    expect(ack.body).toBe('');
    const reply = await eventually(() => {
      expect(slack.responseUrlPosts).toHaveLength(1);
      return slack.responseUrlPosts[0]!.body;
    });
    expect(String(reply.text)).toContain('`/incident affected` works inside an incident channel');
    expect(slack.callsTo('views.open')).toEqual([]);
  });
});
