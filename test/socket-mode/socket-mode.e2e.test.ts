import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Envelope } from '../../src/local/emulator/socket-mode/index.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { startSocketModeSlack } from './helpers.js';

/**
 * Quell's real runtime connected to the local Slack over Socket Mode: apps.connections.open with the
 * app-level token, the emulator's WebSocket, envelopes acked by envelope_id, real Redis.
 */

const I = LOCAL_IDS;
/** Short enough to keep the suite quick, long enough that Quell's millisecond acks never miss it. */
const ACK_TIMEOUT_MS = 2_500;
/** How long a poll waits for Quell's work after the ack (a loaded machine is slow, never wrong). */
const POLL = { timeout: 5_000 };

/** Opens a link with a plain WebSocket client, returns the first message, closes. */
function connectOnce(link: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(link);
    ws.once('message', (data) => {
      ws.close();
      resolve(JSON.parse(String(data)) as Record<string, unknown>);
    });
    ws.once('error', reject);
  });
}

describe('Socket Mode end to end', () => {
  let local: Awaited<ReturnType<typeof startSocketModeSlack>>;

  beforeEach(async () => {
    local = await startSocketModeSlack({ emulator: { ackTimeoutMs: ACK_TIMEOUT_MS } });
  });

  afterEach(async () => {
    await local.stop();
  });

  const sent = (type: string) => local.slack.socket.envelopesSent().filter((e) => e.type === type);
  const acksFor = (envelope: Envelope) =>
    local.slack.socket.frames.filter(
      (f) => f.direction === 'from_app' && f.data.envelope_id === envelope.envelope_id,
    );
  const notes = async (incidentId: string) =>
    (await local.runtime.services.incidents.timeline(incidentId))
      .filter((e) => e.kind === 'note')
      .map((e) => e.text);

  it('connects as Slack documents: app token, one-use link, hello first', async () => {
    const opens = local.slack.calls.filter((c) => c.method === 'apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(local.slack.socket.frames[0]).toMatchObject({
      direction: 'to_app',
      data: {
        type: 'hello',
        num_connections: 1,
        connection_info: { app_id: local.slack.workspace.team.appId },
      },
    });
    // the bot token cannot open a link, and a link works once
    const refused = await fetch(`${local.slack.apiUrl}apps.connections.open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.slack.botToken}` },
    }).then((r) => r.json());
    expect(refused).toEqual({ ok: false, error: 'not_allowed_token_type' });
    const link = local.slack.socket.openLink();
    expect(link).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]{36}&app_id=A0QUELL$/);
    const hello = await connectOnce(link);
    expect(hello).toMatchObject({ type: 'hello', num_connections: 2 });
    await expect(connectOnce(link)).rejects.toThrow('Unexpected server response: 401');
  });

  it('runs a declare, a button, a form submission and Events API events over the WebSocket', async () => {
    // declare: a slash_commands envelope, answered in the ack's payload
    const { incident, channel } = await local.declareIncident({
      title: 'Agent closed tickets',
      severity: 'sev4',
    });
    const [declare] = sent('slash_commands');
    expect(declare).toMatchObject({
      type: 'slash_commands',
      accepts_response_payload: true,
      retry_attempt: 0,
      retry_reason: '',
      payload: { command: '/incident', text: 'declare sev4 Agent closed tickets', user_id: I.alice },
    });
    expect(acksFor(declare!)).toEqual([
      expect.objectContaining({
        data: {
          envelope_id: declare!.envelope_id,
          payload: { response_type: 'ephemeral', text: 'Declaring SEV4 incident: Agent closed tickets…' },
        },
      }),
    ]);

    // a form: /incident update opens it (views.open inside the trigger's 3 s), the submission is an envelope
    await local.command('update', { channel });
    await local.slack.waitFor(() => local.slack.modal(I.alice));
    const text = (value: string) => ({ type: 'plain_text_input', value });
    const submitted = await local.slack.submitView({
      user: I.alice,
      values: {
        update_impact: { impact: text('Twelve tickets closed without reply') },
        update_containment: { containment: text('Ticket tool disabled') },
        update_investigation: { investigation: text('Prompt change suspected') },
      },
    });
    expect(submitted).toMatchObject({ delivered: true, closed: true });
    const submission = sent('interactive').find((e) => e.payload.type === 'view_submission');
    expect(submission).toMatchObject({ accepts_response_payload: true, retry_attempt: 0 });
    await expect
      .poll(
        async () => (await local.runtime.services.incidents.timeline(incident.id)).map((e) => e.kind),
        POLL,
      )
      .toContain('update');

    // a button: the restart gate's Resolve (SEV4 requires no item)
    await local.command('resolve', { channel });
    const checklist = await local.slack.waitFor(() =>
      local.slack
        .messages(channel)
        .find((m) => JSON.stringify(m.blocks ?? []).includes('quell_gate_resolve')),
    );
    await local.slack.clickAction({
      user: I.alice,
      container: { type: 'message', channel, ts: String(checklist.ts) },
      actionId: 'quell_gate_resolve',
    });
    expect(sent('interactive').find((e) => e.payload.type === 'block_actions')).toMatchObject({
      accepts_response_payload: false,
      payload: { actions: [expect.objectContaining({ action_id: 'quell_gate_resolve' })] },
    });
    await expect
      .poll(async () => (await local.runtime.services.incidents.require(incident.id)).status, POLL)
      .toBe('resolved');

    // Events API: app_home_opened publishes the Home tab; a message edit reaches the revision log
    await local.slack.openHome(I.bob);
    await local.slack.waitFor(() => local.slack.home(I.bob));
    const events = sent('events_api');
    expect(events[0]).toMatchObject({
      accepts_response_payload: false,
      retry_attempt: 0,
      payload: { type: 'event_callback', event: { type: expect.any(String) } },
    });
    expect(events.some((e) => (e.payload.event as { type: string }).type === 'app_home_opened')).toBe(true);
    // every envelope is acked: events still arriving from the resolve (archive, edits) included
    await expect
      .poll(
        () => local!.slack.socket.envelopesSent().filter((envelope) => acksFor(envelope).length === 0),
        POLL,
      )
      .toEqual([]);
  });

  it('records a redelivered note once: the lost ack brings the envelope again, Quell acks it and does nothing', async () => {
    const { incident, channel } = await local.declareIncident({ title: 'Agent refunded twice' });
    local.slack.socket.dropAcks(1, (e) => e.type === 'slash_commands');
    await local.command('note Refund tool called with a stale order id', { channel });
    await expect
      .poll(
        () =>
          sent('slash_commands').filter(
            (e) => e.payload.text === 'note Refund tool called with a stale order id',
          ).length,
        { timeout: 8_000 },
      )
      .toBe(2);
    const [first, second] = sent('slash_commands').filter((e) => String(e.payload.text).startsWith('note '));
    expect(second).toMatchObject({
      envelope_id: first!.envelope_id,
      retry_attempt: 1,
      retry_reason: 'timeout',
    });
    expect(second!.payload).toEqual(first!.payload);
    await expect.poll(() => acksFor(first!).filter((f) => !f.dropped).length, POLL).toBe(1);
    expect(local.slack.socket.unacknowledged).toBe(0);
    await expect.poll(() => notes(incident.id), POLL).toEqual(['Refund tool called with a stale order id']);
    await new Promise((r) => setTimeout(r, 500)); // the repeat had every chance to record a second
    expect(await notes(incident.id)).toEqual(['Refund tool called with a stale order id']);
    const confirmations = local.slack
      .ephemerals({ user: I.alice, channel })
      .filter((e) => e.text === `Noted on the ${incident.id} timeline.`);
    expect(confirmations).toHaveLength(1);
  });

  it('a redelivered declare opens one channel', async () => {
    local.slack.socket.dropAcks(1, (e) => e.type === 'slash_commands');
    const before = local.slack.channels().length;
    await local.command('declare sev2 Agent exported a customer list');
    await expect.poll(() => sent('slash_commands').length, { timeout: 8_000 }).toBe(2);
    await local.slack.waitFor(() => local.slack.channels().find((c) => c.pins.length));
    await new Promise((r) => setTimeout(r, 500));
    expect(local.slack.channels().filter((c) => c.name.includes('exported-a-customer-list'))).toHaveLength(1);
    expect(local.slack.channels().length).toBe(before + 1);
  });

  it('survives a disconnect: reconnects with a new link and loses no envelope sent meanwhile', async () => {
    const { incident, channel } = await local.declareIncident({ title: 'Agent emailed a partner' });
    local.slack.socket.requestRefresh();
    expect(local.slack.socket.frames.at(-1)).toMatchObject({
      direction: 'to_app',
      data: { type: 'disconnect', reason: 'refresh_requested' },
    });
    // sent while Quell is between connections: it waits for the next hello
    void local.command('note Sent while reconnecting', { channel });
    await local.slack.socket.waitForConnections(1, 15_000);
    await expect.poll(() => notes(incident.id), { timeout: 10_000 }).toEqual(['Sent while reconnecting']);
    expect(local.slack.calls.filter((c) => c.method === 'apps.connections.open')).toHaveLength(2);
    const note = sent('slash_commands').find((e) => e.payload.text === 'note Sent while reconnecting')!;
    const deliveredOn = local.slack.socket.frames.find(
      (f) => f.direction === 'to_app' && f.data.envelope_id === note.envelope_id,
    )!.connection;
    expect(deliveredOn).toBe(2);
    // and the new connection carries the next command like the first did
    await local.command('note After the reconnect', { channel });
    await expect
      .poll(() => notes(incident.id), POLL)
      .toEqual(['Sent while reconnecting', 'After the reconnect']);
  }, 30_000);
});
