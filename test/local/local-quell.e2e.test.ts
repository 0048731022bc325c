import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { startLocalSlack } from '../helpers/local-slack.js';

/** Quell's real runtime against the local workspace: signed deliveries in, Web API calls out. */

const I = LOCAL_IDS;

describe('Quell in the local workspace', () => {
  let local: Awaited<ReturnType<typeof startLocalSlack>>;

  beforeEach(async () => {
    local = await startLocalSlack();
  });

  afterEach(async () => {
    await local.stop();
  });

  const summaryOf = (channel: string) => local.slack.pins(channel)[0] as { text: string; blocks: unknown[] };

  it('declares from a slash command: channel, responders, pinned summary, announcement, private confirmation', async () => {
    const ack = await local.command('declare sev1 Helpdesk agent refunded $4,200');
    expect(ack.json).toEqual({
      response_type: 'ephemeral',
      text: 'Declaring SEV1 incident: Helpdesk agent refunded $4,200…',
    });
    const channelId = await local.slack.waitFor(() => local.slack.channels().find((c) => c.pins.length)?.id);
    const channel = local.slack.channel(channelId)!;
    expect(channel.name).toMatch(/^inc-\d{8}-helpdesk-agent-refunded-/);
    expect(channel.members).toEqual([I.bot, I.alice, I.bob, I.carmen]);
    expect(summaryOf(channelId).text).toBe('INC-1 SEV1 investigating: Helpdesk agent refunded $4,200');
    await local.slack.waitFor(() =>
      local.slack.ephemerals({ user: I.alice }).find((e) => e.text === `INC-1 is open in <#${channelId}>.`),
    );
    expect(local.slack.ephemerals({ user: I.bob })).toEqual([]);
    await local.slack.waitFor(() => local.slack.messages(I.announcements).length === 1);
    expect(local.slack.messages(I.announcements)[0]!.text).toContain(`INC-1 declared in <#${channelId}>`);
  });

  it('answers bad input with Quell’s ephemeral usage error and changes nothing', async () => {
    await local.command('help'); // Bolt learns its identity (auth.test) on the first request
    local.slack.resetCalls();
    const unknown = await local.command('frobnicate now');
    expect(unknown.json).toMatchObject({ response_type: 'ephemeral' });
    expect(String(unknown.json!.text)).toContain('`/incident frobnicate` is not a command I know.');
    const malformed = await local.command('declare sev9 Something');
    expect(String(malformed.json!.text)).toContain('/incident declare [--drill] [--no-announce]');
    expect(local.slack.ephemerals({ user: I.alice }).map((e) => e.text.split('\n')[0])).toEqual([
      expect.stringContaining('Quell: incident response'),
      expect.stringContaining('is not a command I know'),
      expect.stringContaining('sev9'),
    ]);
    expect(local.slack.calls).toEqual([]);
    expect(local.slack.channels().filter((c) => c.name.startsWith('inc-'))).toEqual([]);
  });

  it('changes severity and roles: the pinned summary is updated in place and the channel told', async () => {
    const { incident, channel } = await local.declareIncident({
      title: 'Agent looped on refunds',
      severity: 'sev2',
    });
    expect(incident).toMatchObject({ id: 'INC-1', severity: 'sev2', channelId: channel });
    const pinnedTs = summaryOf(channel) as unknown as { ts: string };
    await local.command('sev sev1', { channel, user: I.bob });
    // Bob is a responder through the seeded user group: the permission model looks him up first
    await local.slack.waitFor(() =>
      local.slack.messages(channel).some((m) => String(m.text ?? '').includes('raised severity')),
    );
    await local.command('role scribe @carmen', { channel });
    await local.slack.waitFor(() => JSON.stringify(summaryOf(channel).blocks).includes('<@U0CARMEN>'));
    const summary = summaryOf(channel) as unknown as { ts: string; text: string; edited?: unknown };
    expect(summary.ts).toBe(pinnedTs.ts);
    expect(summary.text).toBe('INC-1 SEV1 investigating: Agent looped on refunds');
    expect(summary.edited).toMatchObject({ user: I.bot });
    const notices = () =>
      local.slack
        .messages(channel)
        .filter((m) => m.user === I.bot && !m.subtype)
        .map((m) => m.text)
        .slice(1);
    await local.slack.waitFor(() => notices().length === 2);
    expect(notices()).toEqual(['<@U0BOB> raised severity SEV2 → SEV1', '<@U0ALICE> made <@U0CARMEN> scribe']);
  });

  it('runs the declare form: required fields checked like Slack, then declared from the submission', async () => {
    await local.command('declare');
    const modal = await local.slack.waitFor(() => local.slack.modal(I.alice));
    expect(modal).toMatchObject({
      type: 'modal',
      callback_id: 'quell_declare',
      title: { text: 'Declare an incident' },
    });
    const empty = await local.slack.submitView({ user: I.alice });
    expect(empty).toMatchObject({ delivered: false, closed: false });
    expect(empty.errors).toEqual({
      declare_title: 'Please complete this required field.',
      declare_severity: 'Please complete this required field.',
    });
    const severity = { text: { type: 'plain_text', text: 'SEV3' }, value: 'sev3' };
    const submitted = await local.slack.submitView({
      user: I.alice,
      values: {
        declare_title: { title: { type: 'plain_text_input', value: 'Canary eval failed on refund tool' } },
        declare_severity: { severity: { type: 'static_select', selected_option: severity } },
      },
    });
    expect(submitted).toMatchObject({ delivered: true, closed: true });
    expect(local.slack.modal(I.alice)).toBeUndefined();
    const channel = await local.slack.waitFor(() => local.slack.channels().find((c) => c.pins.length));
    expect(summaryOf(channel.id).text).toBe('INC-1 SEV3 investigating: Canary eval failed on refund tool');
  });

  it('survives a rate-limited conversations.create: waits Retry-After and declares once', async () => {
    local.slack.rateLimit('conversations.create', { retryAfter: 1 });
    const started = Date.now();
    const { channel } = await local.declareIncident({
      title: 'Agent emailed customers in error',
      timeoutMs: 15_000,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(local.slack.calls.filter((c) => c.method === 'conversations.create').map((c) => c.status)).toEqual(
      [429, 200],
    );
    expect(
      local.slack
        .channels()
        .filter((c) => c.name.startsWith('inc-'))
        .map((c) => c.id),
    ).toEqual([channel]);
  });

  it('records a message through the message shortcut', async () => {
    const { channel } = await local.declareIncident({ title: 'Agent deleted a mailbox' });
    const message = local.slack.postAsUser({
      user: I.bob,
      channel,
      text: 'Mailbox restore started from backup',
    });
    const delivered = await local.slack.messageShortcut({
      user: I.bob,
      channel,
      ts: message.ts,
      callbackId: 'quell_add_to_timeline',
    });
    expect(delivered.status).toBe(200);
    await local.slack.waitFor(() =>
      local.slack.ephemerals({ user: I.bob, channel }).find((e) => e.text === 'Added to the INC-1 timeline.'),
    );
    const events = await local.runtime.services.incidents.timeline('INC-1');
    expect(events.at(-1)).toMatchObject({ actor: I.bob, data: { ts: message.ts } });
  });
});
