import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, sendSlashCommand, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';
import { deliverToQuell, interactionBody } from '../helpers/signed-request.js';

/**
 * Who may do what, over signed HTTP against a real Redis: for each operation, through the surface
 * that calls it, an unauthorized person is refused (told who may), nothing changes and the refusal
 * is on the timeline (or, outside an incident, in the audit log); an authorized person succeeds.
 */

const CONFIG = `
responders:
  users: [U0ONCALL]
`;
const COMMANDER = 'U0ALICE'; // declares, so commander by default
const MALLORY = 'U0MALLORY'; // an ordinary full member with no role
const GUEST = 'U0GUEST';
const CHANNEL = 'C0INC0001';

describe('permissions over signed HTTP', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let trigger = 0;

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi({
      users: [
        { id: COMMANDER, name: 'Alice Chen' },
        { id: MALLORY, name: 'Mallory' },
        { id: GUEST, name: 'Gina Guest', is_restricted: true },
        { id: 'U0ADMIN', name: 'Ada Admin', is_admin: true },
      ],
    });
    quell = await startHttpQuell(env.redis, testConfig(env.prefix, CONFIG));
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
  });

  /** A slash command; resolves with the replies sent to its response URL. */
  function command(text: string, user: string, channelId = CHANNEL, name = '/incident') {
    return sendSlashCommand(quell, slack, {
      text,
      userId: user,
      channelId,
      command: name,
      triggerId: `t-${++trigger}`,
    });
  }

  async function refused(text: string, user: string, operation: string, name = '/incident') {
    const before = await quell.services.store.require('INC-1');
    const timelineBefore = (await quell.services.incidents.timeline('INC-1')).length;
    const { replies } = await command(text, user, CHANNEL, name);
    await eventually(() => expect(replies().join('\n')).toMatch(/You may not .*Who may: /s));
    const after = await quell.services.store.require('INC-1');
    // nothing changed but the recorded refusal
    const { version: _v, updatedAt: _u, ...unchanged } = before;
    expect(after).toMatchObject(unchanged);
    const timeline = await quell.services.incidents.timeline('INC-1');
    expect(timeline.slice(timelineBefore).map((e) => [e.kind, e.actor, e.data.operation])).toEqual([
      ['permission_refused', user, operation],
    ]);
    return replies();
  }

  async function declared() {
    const { replies } = await command('declare sev2 Agent mailed customers', COMMANDER, 'C0GENERAL');
    await eventually(() => expect(replies()).toContain(`INC-1 is open in <#${CHANNEL}>.`));
  }

  it('declare: a guest is refused into the audit log (no incident yet); a member declares', async () => {
    const { replies } = await command('declare sev1 Guest declares', GUEST, 'C0GENERAL');
    await eventually(() =>
      expect(replies().join()).toMatch(/You may not declare an incident \(guests may not/),
    );
    expect(await env.redis.keys(`${env.prefix}:incident:*`)).toEqual([]);
    const audit = await quell.services.refusals.outsideIncidents();
    expect(audit).toMatchObject([
      { actor: GUEST, operation: 'declare', incidentId: null, who: 'any full member of the workspace' },
    ]);
    await declared();
  });

  it('a failed users.info refuses the declare (fail closed), with the reason', async () => {
    slack.failNext('users.info', 'ratelimited');
    const { replies } = await command('declare sev1 Lookup fails', 'U0NEWBIE', 'C0GENERAL');
    await eventually(() => expect(replies().join()).toMatch(/could not look up <@U0NEWBIE>: .*ratelimited/));
    expect(await env.redis.keys(`${env.prefix}:incident:*`)).toEqual([]);
  });

  describe('in an incident', () => {
    beforeEach(declared);

    it('severity up and down, status, resolve: refused for a member, done by the commander', async () => {
      await refused('sev sev1', MALLORY, 'severity.raise');
      await refused('sev sev3', MALLORY, 'severity.lower');
      await refused('status contained', MALLORY, 'status');
      await refused('status resolved', MALLORY, 'resolve');
      await command('sev sev1', COMMANDER);
      await eventually(async () =>
        expect((await quell.services.store.require('INC-1')).severity).toBe('sev1'),
      );
      await command('status contained', COMMANDER);
      await eventually(async () =>
        expect((await quell.services.store.require('INC-1')).status).toBe('contained'),
      );
    });

    it('self-promotion to commander is refused; the commander hands the role on; a responder may take it', async () => {
      const replies = await refused(`role commander <@${MALLORY}>`, MALLORY, 'role.commander');
      expect(replies.join()).toContain(
        'Who may: the incident commander (<@U0ALICE>), a configured responder or a workspace admin or owner',
      );
      await refused(`role tech-lead <@${MALLORY}>`, MALLORY, 'role.tech-lead');
      await refused(`role scribe <@${MALLORY}>`, MALLORY, 'role.scribe');
      await refused(`role comms <@${MALLORY}>`, MALLORY, 'role.comms');
      await command('role commander <@U0ONCALL>', 'U0ONCALL');
      await eventually(async () =>
        expect((await quell.services.store.require('INC-1')).roles.commander).toBe('U0ONCALL'),
      );
    });

    it('a guest cannot be given a role', async () => {
      const { replies } = await command(`role scribe <@${GUEST}>`, COMMANDER);
      await eventually(() => expect(replies().join()).toMatch(/cannot hold a role: guests may not/));
      expect((await quell.services.store.require('INC-1')).roles.scribe).toBeUndefined();
    });

    it('agent facts, notes and corrective actions: refused for a member, done by the commander', async () => {
      await refused('agent name mailbot', MALLORY, 'agent.facts');
      await refused('note I was here', MALLORY, 'note');
      await refused(`action <@${MALLORY}> 3d rotate keys`, MALLORY, 'actions');
      await command('agent name mailbot', COMMANDER);
      await eventually(async () =>
        expect((await quell.services.store.require('INC-1')).agent.name).toBe('mailbot'),
      );
    });

    it('postmortem and comms drafts: refused for a member', async () => {
      await refused('postmortem', MALLORY, 'postmortem');
      await refused('draft engineering', MALLORY, 'comms.draft', '/comms');
    });

    it('comms approve button: refused for a member (recorded), the commander may decide', async () => {
      await command('draft engineering', COMMANDER, CHANNEL, '/comms');
      await eventually(async () =>
        expect((await quell.services.comms.history('INC-1')).drafts).toHaveLength(1),
      );
      const [draft] = (await quell.services.comms.history('INC-1')).drafts;
      const click = (user: string, n: number) =>
        deliverToQuell(
          quell.url,
          interactionBody({
            type: 'block_actions',
            trigger_id: `trigger-approve-${n}`,
            team: { id: 'T0QUELL' },
            user: { id: user },
            channel: { id: CHANNEL },
            container: { type: 'message', channel_id: CHANNEL, message_ts: '1700000000.000009' },
            actions: [
              {
                action_id: 'quell_comms_approve',
                value: JSON.stringify({ i: 'INC-1', d: draft!.id, v: 1 }),
                action_ts: `170000000${n}.000001`,
                type: 'button',
              },
            ],
            response_url: `https://hooks.slack.com/actions/T0QUELL/${n}/approve`,
          }),
          { signingSecret: TEST_SIGNING_SECRET },
        );
      const timelineBefore = (await quell.services.incidents.timeline('INC-1')).length;
      await click(MALLORY, 1);
      await eventually(async () =>
        expect(
          (await quell.services.incidents.timeline('INC-1'))
            .slice(timelineBefore)
            .map((e) => [e.kind, e.data.operation]),
        ).toEqual([['permission_refused', 'comms.approve']]),
      );
      expect((await quell.services.comms.history('INC-1')).drafts[0]!.status).toBe('open');
      // the commander may decide: what stops this draft now is its lint (unfilled fields), not who clicked
      const posts = slack.responseUrlPosts.length;
      await click(COMMANDER, 2);
      await eventually(() => expect(slack.responseUrlPosts.length).toBeGreaterThan(posts));
      const answer = slack.responseUrlPosts
        .slice(posts)
        .map((p) => String(p.body.text))
        .join();
      expect(answer).toMatch(/cannot be approved until its lint errors are fixed/);
      expect(answer).not.toMatch(/You may not/);
    });

    it('the update form, archive and the gate checklist: refused for a member, recorded', async () => {
      const kindsSince = async (n: number) =>
        (await quell.services.incidents.timeline('INC-1')).slice(n).map((e) => [e.kind, e.data.operation]);
      let n = (await quell.services.incidents.timeline('INC-1')).length;
      const text = (id: string, value: string) => ({ [id]: { type: 'plain_text_input', value } });
      await deliverToQuell(
        quell.url,
        interactionBody({
          type: 'view_submission',
          team: { id: 'T0QUELL' },
          user: { id: MALLORY },
          api_app_id: 'A0QUELL',
          trigger_id: 'trigger-update',
          view: {
            id: 'V0UPDATEMALLORY',
            callback_id: 'quell_update',
            private_metadata: JSON.stringify({ incidentId: 'INC-1', channelId: CHANNEL }),
            state: {
              values: {
                update_impact: text('impact', 'none'),
                update_containment: text('containment', 'none'),
                update_investigation: text('investigation', 'none'),
                update_next: { next_update: { type: 'datetimepicker', selected_date_time: null } },
              },
            },
          },
        }),
        { signingSecret: TEST_SIGNING_SECRET },
      );
      await eventually(async () => expect(await kindsSince(n)).toEqual([['permission_refused', 'update']]));
      expect((await quell.services.incidents.timeline('INC-1')).some((e) => e.kind === 'update')).toBe(false);
      n += 1;
      await refused('archive', MALLORY, 'archive');
      n += 1;
      await deliverToQuell(
        quell.url,
        interactionBody({
          type: 'block_actions',
          trigger_id: 'trigger-tick',
          team: { id: 'T0QUELL' },
          user: { id: MALLORY },
          channel: { id: CHANNEL },
          container: { type: 'message', channel_id: CHANNEL, message_ts: '1700000000.000005' },
          actions: [
            {
              action_id: 'quell_gate_checklist',
              block_id: 'gate_checklist~0',
              type: 'checkboxes',
              selected_options: [{ value: 'records-identified' }],
              action_ts: '1700000002.000001',
            },
          ],
          response_url: 'https://hooks.slack.com/actions/T0QUELL/4/tick',
        }),
        { signingSecret: TEST_SIGNING_SECRET },
      );
      await eventually(async () =>
        expect(await kindsSince(n)).toEqual([['permission_refused', 'gate.tick']]),
      );
    });

    it('reopen: refused for a member, done by the commander', async () => {
      await command('declare sev4 Odd answer once', COMMANDER, 'C0GENERAL');
      await eventually(async () =>
        expect((await quell.services.store.get('INC-2'))?.summaryTs).toBeDefined(),
      );
      const channel = (await quell.services.store.require('INC-2')).channelId!;
      await command('status resolved', COMMANDER, channel);
      await eventually(async () =>
        expect((await quell.services.store.require('INC-2')).status).toBe('resolved'),
      );
      const { replies } = await command('status investigating', MALLORY, channel);
      await eventually(() => expect(replies().join()).toMatch(/You may not reopen the incident/));
      expect((await quell.services.store.require('INC-2')).status).toBe('resolved');
      // (what resolving set off, the archive and its events, may come after it)
      const refusals = (await quell.services.incidents.timeline('INC-2')).filter(
        (e) => e.kind === 'permission_refused',
      );
      expect(refusals.map((e) => [e.actor, e.data.operation])).toEqual([[MALLORY, 'reopen']]);
      await command('status investigating', COMMANDER, channel);
      await eventually(async () =>
        expect((await quell.services.store.require('INC-2')).status).toBe('investigating'),
      );
    });

    it('the message shortcut (add to timeline) refuses a member and records it', async () => {
      const timelineBefore = (await quell.services.incidents.timeline('INC-1')).length;
      await deliverToQuell(
        quell.url,
        interactionBody({
          type: 'message_action',
          callback_id: 'quell_add_to_timeline',
          trigger_id: 'trigger-shortcut',
          team: { id: 'T0QUELL' },
          user: { id: MALLORY },
          channel: { id: CHANNEL, name: 'inc' },
          message: { type: 'message', user: COMMANDER, ts: '1700000100.000200', text: 'hi' },
          response_url: 'https://hooks.slack.com/actions/T0QUELL/2/def',
        }),
        { signingSecret: TEST_SIGNING_SECRET },
      );
      await eventually(async () =>
        expect(
          (await quell.services.incidents.timeline('INC-1')).slice(timelineBefore).map((e) => e.kind),
        ).toEqual(['permission_refused']),
      );
    });

    it('a crafted gate button naming another incident is refused and changes nothing', async () => {
      await command('declare sev3 Second incident', COMMANDER, 'C0GENERAL');
      await eventually(async () =>
        expect((await quell.services.store.get('INC-2'))?.summaryTs).toBeDefined(),
      );
      await eventually(() =>
        expect(slack.responseUrlPosts.map((p) => String(p.body.text))).toContain(
          'INC-2 is open in <#C0INC0002>.',
        ),
      );
      const before = await quell.services.store.require('INC-2');
      await deliverToQuell(
        quell.url,
        interactionBody({
          type: 'block_actions',
          trigger_id: 'trigger-crafted',
          team: { id: 'T0QUELL' },
          user: { id: MALLORY },
          channel: { id: CHANNEL },
          container: { type: 'message', channel_id: CHANNEL, message_ts: '1700000000.000001' },
          actions: [
            {
              action_id: 'quell_gate_resolve',
              value: 'INC-2',
              action_ts: '1700000001.000001',
              type: 'button',
            },
          ],
          response_url: 'https://hooks.slack.com/actions/T0QUELL/3/ghi',
        }),
        { signingSecret: TEST_SIGNING_SECRET },
      );
      await eventually(() =>
        expect(slack.responseUrlPosts.map((p) => String(p.body.text)).join()).toMatch(
          /This belongs to INC-2/,
        ),
      );
      expect(await quell.services.store.require('INC-2')).toEqual(before);
    });
  });
});
