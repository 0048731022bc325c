import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiCall } from '../../src/local/emulator/emulator.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { tempEvidenceDir } from '../evidence/helpers.js';
import { startLocalSlack } from '../helpers/local-slack.js';

/**
 * Private incidents and announcements that follow the incident, end to end: Quell's runtime against
 * the local Slack (real Redis), every Web API call recorded by the emulator.
 */

const I = LOCAL_IDS;
/** How long a poll waits for Quell's work after the ack (a loaded machine is slow, never wrong). */
const POLL = { timeout: 5_000 };

describe('private incidents', () => {
  let local: Awaited<ReturnType<typeof startLocalSlack>> | undefined;
  let evidence: Awaited<ReturnType<typeof tempEvidenceDir>> | undefined;

  afterEach(async () => {
    await local?.stop();
    await evidence?.remove();
    local = undefined;
    evidence = undefined;
  });

  it('keeps title, agent and channel name inside the private channel; the evidence is complete; non-members see nothing', async () => {
    evidence = await tempEvidenceDir();
    local = await startLocalSlack({
      configYaml: `evidence:\n  storage:\n    directory: ${JSON.stringify(evidence.dir)}\n  archiveOnResolve: false`,
    });
    const slack = local.slack;
    const title = 'Agent exported payroll rows to a partner bucket';
    const agentName = 'PayrollSyncBot';
    const { incident, channel } = await local.declareIncident({
      title,
      severity: 'sev1',
      flags: '--private',
    });
    const privateChannel = slack.channel(channel)!;
    expect(privateChannel.is_private).toBe(true);
    expect(incident.private).toBe(true);
    expect(privateChannel.members.sort()).toEqual([I.alice, I.bob, I.bot, I.carmen].sort());

    // the channel's own work: an agent fact, a conversation with an edit, the archive
    await local.command(`agent name ${agentName}`, { channel });
    await slack.waitFor(() => JSON.stringify(slack.messages(channel)).includes(agentName));
    const said = slack.postAsUser({
      user: I.bob,
      channel,
      text: 'The export ran under the sync service account',
    });
    slack.editAsUser({
      user: I.bob,
      channel,
      ts: said.ts,
      text: 'The export ran under the payroll service account',
    });
    // the message_changed event (message.groups) reaches the revision log before the archive reads it
    await slack.waitFor(() => slack.deliveries.some((d) => d.kind === 'event:message' && d.status === 200));
    await new Promise((r) => setTimeout(r, 300));
    await local.command('archive', { channel });
    await expect
      .poll(
        async () =>
          (await local!.runtime.services.incidents.timeline(incident.id)).some(
            (e) => e.kind === 'evidence_archived',
          ),
        { timeout: 10_000 },
      )
      .toBe(true);

    // a corrective action, then a non-member opens the Home tab, asks for talking points and actions
    await local.command('action @bob tomorrow Rotate the payroll export keys', { channel });
    await expect
      .poll(async () => (await local!.runtime.services.resolution.actions.listOpen()).length, POLL)
      .toBe(1);
    await slack.openHome(I.dev);
    const devHome = await slack.waitFor(() => slack.home(I.dev));
    await local.command('talking-points', { command: '/comms', user: I.dev, channel: I.support });
    const devTalkingPoints = await slack.waitFor(() =>
      slack.ephemerals({ user: I.dev }).find((e) => e.text.length > 0),
    );
    await local.command('actions', { user: I.dev, channel: I.support });
    const devActions = await slack.waitFor(() => slack.ephemerals({ user: I.dev })[1]);
    expect(devActions.text).toBe('No open corrective actions.');
    await local.command('actions', { user: I.bob, channel: I.support });
    await slack.waitFor(() => slack.ephemerals({ user: I.bob }).find((e) => e.text.includes('1 open')));

    // every Web API call Quell made, except those inside the private channel
    const name = privateChannel.name;
    const inside = (call: ApiCall) =>
      call.params.channel === channel ||
      call.params.channel_id === channel ||
      (call.method === 'conversations.create' && call.params.name === name);
    const outside = slack.calls.filter((c) => !inside(c));
    expect(outside.length).toBeGreaterThan(0);
    for (const call of outside) {
      const params = JSON.stringify(call.params);
      for (const secret of [title, agentName, name, 'payroll'])
        expect(params.toLowerCase(), `${call.method} leaks "${secret}"`).not.toContain(secret.toLowerCase());
    }
    // the announcement: that one exists, its severity, who leads it
    const [announcement] = slack.messages(I.announcements);
    expect(announcement!.text).toBe(
      `:lock: A SEV1 incident (${incident.id}) is being handled privately. Commander <@${I.alice}>.`,
    );
    // Dev, not a member, sees no trace of it
    expect(JSON.stringify(devHome)).not.toContain(incident.id);
    expect(JSON.stringify(devTalkingPoints)).not.toContain(incident.id);

    // the evidence bundle is complete: history with the edit, the text before it, the timeline
    const event = (await local.runtime.services.incidents.timeline(incident.id)).find(
      (e) => e.kind === 'evidence_archived',
    )!;
    const location = String((event.data as { location: string }).location);
    const bundle = (file: string) => readFile(join(location, file), 'utf8');
    const manifest = JSON.parse(await bundle('manifest.json')) as { files: { path: string }[] };
    expect(manifest.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'raw/history.jsonl',
        'raw/message-revisions.jsonl',
        'transcript.md',
        'timeline.jsonl',
      ]),
    );
    expect(await bundle('raw/history.jsonl')).toContain('payroll service account');
    expect(await bundle('raw/message-revisions.jsonl')).toContain('sync service account');
    expect(await bundle('transcript.md')).toContain(agentName);

    // a member does see it
    await slack.openHome(I.bob);
    await slack.waitFor(() => JSON.stringify(slack.home(I.bob) ?? {}).includes(incident.id));
  }, 40_000);

  it('makes severities and categories private by default, and --public overrides', async () => {
    local = await startLocalSlack({
      configYaml: 'incidents:\n  privateByDefault:\n    severities: [sev1]\n    categories: [privacy]',
    });
    const sev1 = await local.declareIncident({ title: 'Agent mailed a customer list', severity: 'sev1' });
    expect(local.slack.channel(sev1.channel)!.is_private).toBe(true);
    const privacy = await local.declareIncident({
      title: 'Agent showed one tenant another tenant’s tickets',
      severity: 'sev3',
      flags: '--category privacy',
    });
    expect(local.slack.channel(privacy.channel)!.is_private).toBe(true);
    expect(privacy.incident.category).toBe('privacy');
    const open = await local.declareIncident({
      title: 'Agent looped on a webhook',
      severity: 'sev1',
      flags: '--public',
    });
    expect(local.slack.channel(open.channel)!.is_private).toBe(false);
  }, 30_000);

  it('offers a private follow-up channel instead of a conversion Slack does not allow', async () => {
    local = await startLocalSlack();
    const slack = local.slack;
    const title = 'Agent posted an API key in a public thread';
    const { incident, channel } = await local.declareIncident({ title, severity: 'sev2' });
    await local.command('private', { channel });
    const offer = await slack.waitFor(() =>
      slack
        .ephemerals({ user: I.alice, channel })
        .find((e) => e.text.includes('no way to make a live public channel private')),
    );
    await slack.clickAction({
      user: I.alice,
      container: { type: 'ephemeral', id: offer.id },
      actionId: 'quell_private_follow_up',
    });
    const current = () => local!.runtime.services.incidents.require(incident.id);
    await expect.poll(async () => (await current()).private, { timeout: 10_000 }).toBe(true);
    const moved = await current();
    expect(moved.channelId).not.toBe(channel);
    const privateChannel = slack.channel(moved.channelId!)!;
    expect(privateChannel.is_private).toBe(true);
    // the flag is saved before the new channel is set up (invites, topic, summary, pin)
    await expect.poll(() => slack.pins(privateChannel.id), { timeout: 10_000 }).toHaveLength(1);
    // the public channel is told whom to ask, not where it went, and no longer acts for the incident
    const notice = await slack.waitFor(() =>
      slack.messages(channel).find((m) => String(m.text).includes('continues in a private channel')),
    );
    expect(JSON.stringify(notice)).not.toContain(privateChannel.id);
    expect(await local.runtime.services.incidents.findForChannel(channel)).toBeUndefined();
    // the announcement now shows no details, and its thread says why
    const [announcement] = slack.messages(I.announcements);
    await slack.waitFor(() => String(slack.messages(I.announcements)[0]!.text).startsWith(':lock:'));
    expect(JSON.stringify(slack.messages(I.announcements))).not.toContain(title);
    const thread = slack.thread(I.announcements, String(announcement!.ts));
    expect(thread.at(-1)!.text).toContain('is now handled in a private channel');
    // asked again in the private channel: it already is
    await local.command('private', { channel: privateChannel.id });
    await slack.waitFor(() =>
      slack
        .ephemerals({ user: I.alice, channel: privateChannel.id })
        .find((e) => e.text.includes('is already private')),
    );
    // and the old button, pressed again, changes nothing
    await slack.clickAction({
      user: I.alice,
      container: { type: 'ephemeral', id: offer.id },
      actionId: 'quell_private_follow_up',
    });
    await slack.waitFor(() =>
      slack.ephemerals({ user: I.alice, channel }).find((e) => e.text.includes('is already private')),
    );
    expect(slack.channels().filter((c) => c.is_private && c.name.endsWith('-private'))).toHaveLength(1);
  }, 30_000);
});

describe('announcements follow the incident', () => {
  let local: Awaited<ReturnType<typeof startLocalSlack>> | undefined;
  afterEach(async () => {
    await local?.stop();
    local = undefined;
  });

  it('answers in the thread when severity, commander and status change and when it resolves; the text keeps up', async () => {
    local = await startLocalSlack({
      configYaml: 'resolution:\n  gate:\n    required: { sev1: [], sev2: [], sev3: [], sev4: [] }',
    });
    const slack = local.slack;
    const { incident, channel } = await local.declareIncident({
      title: 'Agent refunded orders twice',
      severity: 'sev3',
    });
    const announcement = await slack.waitFor(() => slack.messages(I.announcements)[0]);
    const ts = String(announcement.ts);
    const thread = () =>
      slack
        .thread(I.announcements, ts)
        .slice(1)
        .map((m) => String(m.text));
    const text = () => String(slack.messages(I.announcements)[0]!.text);
    expect(text()).toContain('SEV3 incident');

    await local.command('sev sev2', { channel });
    await slack.waitFor(() => thread().length === 1);
    expect(thread()[0]).toContain(`<@${I.alice}> raised the severity: SEV3 → *SEV2*`);
    await slack.waitFor(() => text().includes('SEV2 incident'));

    await local.command('role commander @bob', { channel });
    await slack.waitFor(() => thread().length === 2);
    expect(thread()[1]).toBe(`<@${I.bob}> now leads ${incident.id} (was <@${I.alice}>).`);
    await slack.waitFor(() =>
      JSON.stringify(slack.messages(I.announcements)[0]!.blocks).includes(`Commander: <@${I.bob}>`),
    );

    await local.command(
      'update impact: 40 customers refunded twice containment: refund tool disabled investigation: duplicate webhook deliveries',
      { channel },
    );
    await expect
      .poll(
        async () => (await local!.runtime.services.incidents.timeline(incident.id)).map((e) => e.kind),
        POLL,
      )
      .toContain('update');
    await local.command('status contained', { channel });
    await slack.waitFor(() => thread().length === 3);
    expect(thread()[2]).toContain('to *contained* (was investigating)');

    await local.command('status resolved', { channel });
    await slack.waitFor(() => thread().length === 4, 10_000);
    expect(thread()[3]).toContain(`*${incident.id} is resolved* after`);
    expect(thread()[3]).toContain('*Impact:* 40 customers refunded twice');
    await slack.waitFor(() => text().startsWith(':white_check_mark:'));
    expect(text()).toContain('(resolved)');
    // one announcement, edited in place (once per change): never a second one
    expect(slack.messages(I.announcements)).toHaveLength(1);
    const edits = () =>
      slack.calls.filter((c) => c.method === 'chat.update' && c.params.channel === I.announcements);
    await expect.poll(() => edits().length, POLL).toBe(4);
    expect(edits().every((c) => c.params.ts === ts)).toBe(true);
  }, 40_000);
});

describe('the declare form', () => {
  let local: Awaited<ReturnType<typeof startLocalSlack>> | undefined;
  afterEach(async () => {
    await local?.stop();
    local = undefined;
  });

  it('declares a private incident from its Private choice, and records the category', async () => {
    local = await startLocalSlack();
    const slack = local.slack;
    await local.command('declare --private');
    const modal = await slack.waitFor(() => slack.modal(I.alice));
    const options = (
      modal.blocks as { block_id?: string; element?: { initial_options?: { value: string }[] } }[]
    ).find((b) => b.block_id === 'declare_options');
    expect(options?.element?.initial_options?.map((o) => o.value)).toEqual(['private']);
    const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
    await slack.submitView({
      user: I.alice,
      values: {
        declare_title: { title: { type: 'plain_text_input', value: 'Agent leaked a session token' } },
        declare_severity: { severity: { type: 'static_select', selected_option: option('sev2') } },
        declare_category: { category: { type: 'static_select', selected_option: option('security') } },
        declare_options: { options: { type: 'checkboxes', selected_options: [option('private')] } },
      },
    });
    const channel = await slack.waitFor(() => slack.channels().find((c) => c.pins.length));
    expect(channel.is_private).toBe(true);
    const incident = await local.runtime.services.incidents.findForChannel(channel.id);
    expect(incident).toMatchObject({ private: true, category: 'security' });
    await slack.waitFor(() => slack.messages(I.announcements).length === 1);
    expect(JSON.stringify(slack.messages(I.announcements))).not.toContain('session token');
  });
});
