import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SlackEmulator } from '../../../src/local/emulator/emulator.js';

/** The emulator's Socket Mode server against a bare WebSocket client: Slack's wire rules, one by one. */

const ACK_TIMEOUT_MS = 150;

interface Client {
  ws: WebSocket;
  received: Record<string, unknown>[];
  next(): Promise<Record<string, unknown>>;
  ack(envelopeId: string, payload?: Record<string, unknown>): void;
}

function connect(link: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(link);
    const received: Record<string, unknown>[] = [];
    const waiting: ((m: Record<string, unknown>) => void)[] = [];
    let read = 0;
    ws.on('message', (data) => {
      received.push(JSON.parse(String(data)) as Record<string, unknown>);
      waiting.shift()?.(received[read++]!);
    });
    const client: Client = {
      ws,
      received,
      next: () =>
        read < received.length ? Promise.resolve(received[read++]!) : new Promise((r) => waiting.push(r)),
      ack: (envelope_id, payload) =>
        ws.send(JSON.stringify({ envelope_id, ...(payload ? { payload } : {}) })),
    };
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

describe('emulator Socket Mode server', () => {
  let slack: SlackEmulator;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients) c.ws.terminate();
    clients.length = 0;
    await slack.close();
  });
  const open = async () => {
    const client = await connect(slack.socket.openLink());
    clients.push(client);
    expect(await client.next()).toMatchObject({ type: 'hello' });
    return client;
  };

  it('answers with the ack’s payload, and treats an empty payload as an empty answer', async () => {
    slack = await SlackEmulator.start({ transport: 'socket', ackTimeoutMs: ACK_TIMEOUT_MS });
    const client = await open();
    const answered = slack.socket.deliver('slash_commands', { command: '/incident', text: 'help' });
    const envelope = await client.next();
    expect(envelope).toMatchObject({
      type: 'slash_commands',
      accepts_response_payload: true,
      retry_attempt: 0,
    });
    client.ack(String(envelope.envelope_id), { response_type: 'ephemeral', text: 'hi' });
    expect(await answered).toEqual({
      status: 200,
      body: '{"response_type":"ephemeral","text":"hi"}',
      json: { response_type: 'ephemeral', text: 'hi' },
    });
    const bare = slack.socket.deliver('events_api', { type: 'event_callback', event_id: 'Ev1' });
    const event = await client.next();
    expect(event).toMatchObject({ accepts_response_payload: false });
    client.ack(String(event.envelope_id), {});
    expect(await bare).toEqual({ status: 200, body: '' });
    expect(slack.socket.unacknowledged).toBe(0);
  });

  it('redelivers an unacknowledged envelope three times, then gives up; the person saw operation_timeout', async () => {
    slack = await SlackEmulator.start({ transport: 'socket', ackTimeoutMs: ACK_TIMEOUT_MS });
    const client = await open();
    const result = await slack.socket.deliver('interactive', { type: 'block_actions', trigger_id: 't1' });
    expect(result).toMatchObject({ status: 0, error: 'operation_timeout' });
    const attempts = [await client.next(), await client.next(), await client.next(), await client.next()];
    expect(attempts.map((a) => [a.retry_attempt, a.retry_reason])).toEqual([
      [0, ''],
      [1, 'timeout'],
      [2, 'timeout'],
      [3, 'timeout'],
    ]);
    expect(new Set(attempts.map((a) => a.envelope_id)).size).toBe(1);
    await new Promise((r) => setTimeout(r, ACK_TIMEOUT_MS * 2));
    expect(slack.socket.unacknowledged).toBe(0);
    expect(client.received).toHaveLength(5); // hello + four attempts, no fifth
  });

  it('sends an envelope in flight on a closed connection again on the next one', async () => {
    slack = await SlackEmulator.start({ transport: 'socket', ackTimeoutMs: 2_000 });
    const first = await open();
    void slack.socket.deliver('events_api', { type: 'event_callback', event_id: 'Ev2' });
    const envelope = await first.next();
    first.ws.terminate();
    await new Promise((r) => setTimeout(r, 50));
    const second = await open();
    const again = await second.next();
    expect(again).toMatchObject({
      envelope_id: envelope.envelope_id,
      retry_attempt: 1,
      retry_reason: 'connection_closed',
    });
  });

  it('sends disconnect (refresh_requested), and what comes meanwhile waits for the next hello', async () => {
    slack = await SlackEmulator.start({ transport: 'socket', ackTimeoutMs: 2_000 });
    const first = await open();
    slack.socket.requestRefresh();
    expect(await first.next()).toEqual({
      type: 'disconnect',
      reason: 'refresh_requested',
      debug_info: { host: 'applink-local' },
    });
    expect(slack.socket.liveConnections).toBe(0);
    const answered = slack.socket.deliver('slash_commands', { command: '/incident', text: 'note x' });
    const second = await open();
    const envelope = await second.next();
    expect(envelope).toMatchObject({ type: 'slash_commands', retry_attempt: 0 });
    second.ack(String(envelope.envelope_id));
    expect(await answered).toMatchObject({ status: 200 });
    expect(first.received).toHaveLength(2); // hello, disconnect: nothing after
  });

  it('refuses a link used twice or never issued', async () => {
    slack = await SlackEmulator.start({ transport: 'socket' });
    const link = slack.socket.openLink();
    clients.push(await connect(link));
    await expect(connect(link)).rejects.toThrow('Unexpected server response: 401');
    await expect(connect(link.replace(/ticket=[^&]+/, 'ticket=forged'))).rejects.toThrow('401');
  });
});
