import { createServer, type IncomingMessage, type Server } from 'node:http';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signature } from '../../src/local/emulator/delivery.js';
import { SlackEmulator } from '../../src/local/emulator/emulator.js';
import { parseManifest } from '../../src/local/emulator/manifest.js';
import { LOCAL_IDS } from '../../src/local/seed.js';

/** The emulator through Slack's own Web API client and raw HTTP: Slack's shapes, errors and limits. */

const MANIFEST = parseManifest(`
features:
  bot_user: { display_name: Quell }
  slash_commands:
    - command: /incident
      description: Incidents
      should_escape: true
  shortcuts:
    - { name: Add to incident timeline, type: message, callback_id: quell_add_to_timeline, description: x }
oauth_config:
  scopes:
    bot: [commands, chat:write, channels:manage, channels:read, channels:history, channels:join, pins:write, users:read, usergroups:read, files:write]
settings:
  event_subscriptions:
    bot_events: [message.channels]
`);

const I = LOCAL_IDS;

function errorOf(promise: Promise<unknown>): Promise<{ code: string; data: Record<string, unknown> }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: { code: string; data: Record<string, unknown> }) => error,
  );
}

async function rawCall(
  slack: SlackEmulator,
  method: string,
  body: Record<string, string>,
  token = slack.botToken,
) {
  const response = await fetch(`${slack.apiUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` },
    body: new URLSearchParams(body).toString(),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** A stand-in for Quell's receiver that records what Slack sends and answers with `reply`. */
async function captureServer(
  reply: (req: IncomingMessage, body: string) => { status?: number; body?: string },
) {
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ headers: req.headers, body });
      const answer = reply(req, body);
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Slack Web API emulator', () => {
  let slack: SlackEmulator;
  let client: WebClient;

  beforeEach(async () => {
    slack = await SlackEmulator.start({ manifest: MANIFEST });
    client = new WebClient(slack.botToken, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  });

  afterEach(async () => {
    vi.useRealTimers();
    await slack.close();
  });

  it('authenticates by bearer token or token parameter, and refuses missing or unknown tokens', async () => {
    expect(await client.auth.test()).toMatchObject({
      ok: true,
      team_id: I.team,
      user_id: I.bot,
      bot_id: I.botId,
      url: 'https://quell-local.slack.com/',
    });
    const byParam = await fetch(`${slack.apiUrl}auth.test`, {
      method: 'POST',
      body: new URLSearchParams({ token: slack.botToken }),
    });
    expect(await byParam.json()).toMatchObject({ ok: true, user_id: I.bot });
    const none = await fetch(`${slack.apiUrl}auth.test`, { method: 'POST' });
    expect(await none.json()).toEqual({ ok: false, error: 'not_authed' });
    expect((await rawCall(slack, 'auth.test', {}, 'xoxb-forged')).body).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
  });

  it('applies Slack channel naming rules with its error codes', async () => {
    const cases: [string, string][] = [
      ['', 'invalid_name_required'],
      ['a'.repeat(81), 'invalid_name_maxlength'],
      ['Incident-Upper', 'invalid_name_specials'],
      ['inc 2026', 'invalid_name_specials'],
      ['inc.2026', 'invalid_name_specials'],
      ['---', 'invalid_name_punctuation'],
    ];
    for (const [name, code] of cases) {
      const error = await errorOf(client.conversations.create({ name }));
      expect(error.code).toBe(ErrorCode.PlatformError);
      expect(error.data, name).toMatchObject({ ok: false, error: code });
    }
    const longest = 'a'.repeat(80);
    const created = await client.conversations.create({ name: longest });
    expect(created.channel).toMatchObject({
      name: longest,
      is_channel: true,
      is_member: true,
      creator: I.bot,
    });
    const ok = await client.conversations.create({ name: 'inc-20261121_agent-loop' });
    expect(ok.channel?.id).toMatch(/^C[A-Z0-9]{10}$/);
    expect((await errorOf(client.conversations.create({ name: 'inc-20261121_agent-loop' }))).data.error).toBe(
      'name_taken',
    );
    expect((await errorOf(client.conversations.create({ name: 'support' }))).data.error).toBe('name_taken');
  });

  it('pages history newest first with cursors, 999 per page at most, and rejects a bad cursor', async () => {
    const seeded = slack.seedMessages(
      I.support,
      Array.from({ length: 2500 }, (_, n) => ({ user: I.dev, text: `message ${n}` })),
    );
    const pages: { count: number; hasMore: boolean; cursor: string | undefined }[] = [];
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.history({
        channel: I.support,
        limit: 5000,
        ...(cursor ? { cursor } : {}),
      });
      cursor = page.response_metadata?.next_cursor || undefined;
      pages.push({ count: page.messages!.length, hasMore: Boolean(page.has_more), cursor });
      seen.push(...page.messages!.map((m) => m.ts!));
    } while (cursor);
    expect(pages.map((p) => [p.count, p.hasMore])).toEqual([
      [999, true],
      [999, true],
      [506, false], // 2,500 seeded + the 4 messages #support starts with
    ]);
    expect(Buffer.from(pages[0]!.cursor!, 'base64').toString()).toMatch(/^next_ts:\d+\.\d{6}$/);
    expect(seen[0]).toBe(seeded.at(-1)!.ts);
    expect(new Set(seen).size).toBe(2504);
    expect([...seen].sort().reverse()).toEqual(seen);

    const windowed = await client.conversations.history({
      channel: I.support,
      oldest: seeded[10]!.ts,
      latest: seeded[20]!.ts,
      inclusive: true,
    });
    expect(windowed.messages!.map((m) => m.text)).toEqual(
      Array.from({ length: 11 }, (_, k) => `message ${20 - k}`),
    );

    const bad = await errorOf(client.conversations.history({ channel: I.support, cursor: 'bm9wZTox' }));
    expect(bad.data.error).toBe('invalid_cursor');

    // Slack's own client paginates over the emulator's cursors
    let total = 0;
    for await (const page of client.paginate('conversations.history', { channel: I.support, limit: 400 }))
      total += (page as unknown as { messages: unknown[] }).messages.length;
    expect(total).toBe(2504);
  });

  it('pages thread replies oldest first, parent first, at most 1000 per page', async () => {
    const [parent] = slack.seedMessages(I.support, [{ user: I.dev, text: 'parent' }]);
    slack.seedMessages(
      I.support,
      Array.from({ length: 1200 }, (_, n) => ({ user: I.erin, text: `reply ${n}`, thread_ts: parent!.ts })),
    );
    const first = await client.conversations.replies({ channel: I.support, ts: parent!.ts, limit: 2000 });
    expect(first.messages).toHaveLength(1000);
    expect(first.messages![0]).toMatchObject({ text: 'parent', reply_count: 1200, thread_ts: parent!.ts });
    expect(first.messages![1]).toMatchObject({
      text: 'reply 0',
      parent_user_id: I.dev,
      thread_ts: parent!.ts,
    });
    expect(first.has_more).toBe(true);
    const second = await client.conversations.replies({
      channel: I.support,
      ts: parent!.ts,
      cursor: first.response_metadata!.next_cursor!,
    });
    expect(second.messages).toHaveLength(201);
    expect(second.messages!.at(-1)!.text).toBe('reply 1199');
    expect(second.has_more).toBe(false);
    // replies stay out of the channel history, the parent carries the count
    const history = await client.conversations.history({ channel: I.support, limit: 1 });
    expect(history.messages![0]).toMatchObject({ text: 'parent', reply_count: 1200, reply_users: [I.erin] });
    expect(
      (await errorOf(client.conversations.replies({ channel: I.support, ts: '1.000001' }))).data.error,
    ).toBe('thread_not_found');
  });

  it('answers a rate-limited method with HTTP 429, Retry-After and ratelimited, then recovers', async () => {
    slack.rateLimit('chat.postMessage', { retryAfter: 7, times: 2 });
    const limited = await rawCall(slack, 'chat.postMessage', { channel: I.support, text: 'hello' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
    const error = await errorOf(client.chat.postMessage({ channel: I.support, text: 'hello' }));
    expect(error).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    const posted = await client.chat.postMessage({ channel: I.support, text: 'hello' });
    expect(posted).toMatchObject({
      ok: true,
      channel: I.support,
      message: { text: 'hello', bot_id: I.botId },
    });
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.status)).toEqual([
      429, 429, 200,
    ]);
    expect(slack.callCounts()['chat.postMessage']).toBe(3);
  });

  it('fails a method with a given error for the next N calls', async () => {
    slack.failNext('pins.add', 'internal_error', { times: 2 });
    const { ts } = await client.chat.postMessage({ channel: I.support, text: 'pin me' });
    for (let i = 0; i < 2; i++)
      expect((await errorOf(client.pins.add({ channel: I.support, timestamp: ts! }))).data.error).toBe(
        'internal_error',
      );
    await client.pins.add({ channel: I.support, timestamp: ts! });
    expect((await errorOf(client.pins.add({ channel: I.support, timestamp: ts! }))).data.error).toBe(
      'already_pinned',
    );
    expect(slack.pins(I.support).map((m) => m.text)).toEqual(['pin me']);
  });

  it('enforces message limits: 50 blocks, section text, text length, no text', async () => {
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    const fifty = Array.from({ length: 50 }, (_, n) => section(`block ${n}`));
    await client.chat.postMessage({ channel: I.support, text: 'fifty', blocks: fifty });
    const tooMany = await errorOf(
      client.chat.postMessage({ channel: I.support, text: 'x', blocks: [...fifty, section('one more')] }),
    );
    expect(tooMany.data).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: { messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'] },
    });
    const longSection = await errorOf(
      client.chat.postMessage({ channel: I.support, text: 'x', blocks: [section('y'.repeat(3001))] }),
    );
    expect(longSection.data.response_metadata).toMatchObject({
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    const header = await errorOf(
      client.chat.postMessage({
        channel: I.support,
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'bold' } } as never],
      }),
    );
    expect(header.data.error).toBe('invalid_blocks');
    const button = await errorOf(
      client.chat.postMessage({
        channel: I.support,
        text: 'x',
        blocks: [
          {
            type: 'actions',
            elements: [
              { type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'a' },
            ],
          },
        ],
      }),
    );
    expect(button.data.response_metadata).toMatchObject({
      messages: ['[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]'],
    });
    expect(
      (await errorOf(client.chat.postMessage({ channel: I.support, text: 'z'.repeat(40_001) }))).data.error,
    ).toBe('msg_too_long');
    expect((await errorOf(client.chat.postMessage({ channel: I.support, text: '' }))).data.error).toBe(
      'no_text',
    );
    expect(slack.messages(I.support).at(-1)!.text).toBe('fifty');
  });

  it('refuses posting where the bot is not a member and unknown channels', async () => {
    expect((await errorOf(client.chat.postMessage({ channel: I.general, text: 'hi' }))).data.error).toBe(
      'not_in_channel',
    );
    expect((await errorOf(client.chat.postMessage({ channel: 'C0NOPE', text: 'hi' }))).data.error).toBe(
      'channel_not_found',
    );
    expect((await errorOf(client.conversations.history({ channel: I.general }))).data.error).toBe(
      'not_in_channel',
    );
    await client.conversations.join({ channel: I.general });
    await client.chat.postMessage({ channel: I.general, text: 'hi' });
    expect(
      (await errorOf(client.chat.postEphemeral({ channel: I.support, user: I.carmen, text: 'psst' }))).data
        .error,
    ).toBe('user_not_in_channel');
  });

  it('invites with force, listing refusals, and refuses the whole call without force', async () => {
    const { channel } = await client.conversations.create({ name: 'inc-invite' });
    const strict = await errorOf(
      client.conversations.invite({ channel: channel!.id!, users: `${I.alice},U0NOBODY` }),
    );
    expect(strict.data).toMatchObject({
      error: 'user_not_found',
      errors: [{ user: 'U0NOBODY', ok: false, error: 'user_not_found' }],
    });
    expect(slack.channel(channel!.id!)!.members).toEqual([I.bot]);
    const forced = await client.conversations.invite({
      channel: channel!.id!,
      users: `${I.alice},U0NOBODY,${I.bot}`,
      force: true,
    });
    expect((forced as { errors?: unknown }).errors).toEqual([
      { user: 'U0NOBODY', ok: false, error: 'user_not_found' },
      { user: I.bot, ok: false, error: 'cant_invite_self' },
    ]);
    expect(slack.channel(channel!.id!)!.members).toEqual([I.bot, I.alice]);
    expect(
      (await errorOf(client.conversations.invite({ channel: channel!.id!, users: I.alice }))).data.error,
    ).toBe('already_in_channel');
    expect(slack.messages(channel!.id!).map((m) => [m.subtype, m.user])).toEqual([['channel_join', I.alice]]);
  });

  it('opens modals only with a fresh, unused trigger id of at most 100 blocks and a 24-character title', async () => {
    const quell = await captureServer(() => ({ body: '' }));
    try {
      slack.setRequestUrl(quell.url);
      await slack.sendCommand({ user: I.alice, channel: I.support, text: 'declare' });
      const triggerId = new URLSearchParams(quell.received[0]!.body).get('trigger_id')!;
      const view = (title: string, blocks = 1) => ({
        type: 'modal' as const,
        title: { type: 'plain_text' as const, text: title },
        blocks: Array.from({ length: blocks }, () => ({ type: 'divider' })),
      });
      expect(
        (await errorOf(client.views.open({ trigger_id: '123.456.abc', view: view('x') }))).data.error,
      ).toBe('invalid_trigger_id');
      const tooMany = await errorOf(client.views.open({ trigger_id: triggerId, view: view('x', 101) }));
      expect(tooMany.data).toMatchObject({
        error: 'invalid_arguments',
        response_metadata: {
          messages: ['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]'],
        },
      });
      const longTitle = await errorOf(
        client.views.open({ trigger_id: triggerId, view: view('t'.repeat(25)) }),
      );
      expect(longTitle.data.response_metadata).toMatchObject({
        messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
      });
      const opened = await client.views.open({
        trigger_id: triggerId,
        view: view('Declare an incident', 100),
      });
      expect(opened.view).toMatchObject({
        type: 'modal',
        state: { values: {} },
        root_view_id: opened.view!.id,
      });
      expect(slack.modal(I.alice)).toMatchObject({ id: opened.view!.id });
      expect(
        (await errorOf(client.views.open({ trigger_id: triggerId, view: view('Again') }))).data.error,
      ).toBe('exchanged_trigger_id');

      await slack.sendCommand({ user: I.alice, channel: I.support, text: 'declare' });
      const later = new URLSearchParams(quell.received[1]!.body).get('trigger_id')!;
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 3_100);
      expect((await errorOf(client.views.open({ trigger_id: later, view: view('Late') }))).data.error).toBe(
        'expired_trigger_id',
      );
      vi.useRealTimers();

      const updated = await client.views.update({
        view_id: opened.view!.id!,
        hash: opened.view!.hash!,
        view: view('Updated'),
      });
      expect(updated.view!.hash).not.toBe(opened.view!.hash);
      expect(
        (
          await errorOf(
            client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: view('Stale') }),
          )
        ).data.error,
      ).toBe('hash_conflict');
    } finally {
      await quell.close();
    }
  });

  it('delivers a slash command signed and form-encoded, and shows the ack as an ephemeral only to its user', async () => {
    const quell = await captureServer(() => ({
      body: JSON.stringify({ response_type: 'ephemeral', text: 'Only you see this' }),
    }));
    try {
      slack.setRequestUrl(quell.url);
      const ack = await slack.sendCommand({
        user: I.alice,
        channel: I.support,
        text: 'role scribe @bob <now>',
      });
      expect(ack).toMatchObject({ status: 200, json: { text: 'Only you see this' } });
      const [request] = quell.received;
      const timestamp = Number(request!.headers['x-slack-request-timestamp']);
      expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
      expect(request!.headers['x-slack-signature']).toBe(
        signature(slack.signingSecret, timestamp, request!.body),
      );
      expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const form = Object.fromEntries(new URLSearchParams(request!.body));
      expect(form).toMatchObject({
        team_id: I.team,
        team_domain: 'quell-local',
        channel_id: I.support,
        channel_name: 'support',
        user_id: I.alice,
        user_name: 'alice',
        command: '/incident',
        text: 'role scribe <@U0BOB|bob> &lt;now&gt;',
        api_app_id: I.app,
        is_enterprise_install: 'false',
      });
      expect(form.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
      expect(form.response_url).toMatch(new RegExp(`^${slack.url}/response/`));
      expect(slack.ephemerals({ user: I.alice, channel: I.support }).map((e) => e.text)).toEqual([
        'Only you see this',
      ]);
      expect(slack.ephemerals({ user: I.bob })).toEqual([]);
      expect(slack.messages(I.support).map((m) => m.text)).not.toContain('Only you see this');

      // response_url: in_channel posts the command and the answer; five uses at most
      const post = (body: unknown) =>
        fetch(form.response_url!, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post({ response_type: 'in_channel', text: 'Everyone sees this' })).status).toBe(200);
      expect(
        slack
          .messages(I.support)
          .slice(-2)
          .map((m) => [m.user, m.text]),
      ).toEqual([
        [I.alice, '/incident role scribe @bob <now>'],
        [I.bot, 'Everyone sees this'],
      ]);
      for (let i = 0; i < 4; i++) expect((await post({ text: `again ${i}` })).status).toBe(200);
      expect((await post({ text: 'sixth' })).status).toBe(404);
    } finally {
      await quell.close();
    }
  });

  it('says so like Slack when the app does not answer, or the command does not exist', async () => {
    slack.setRequestUrl('http://127.0.0.1:9/slack/events');
    const failed = await slack.sendCommand({ user: I.alice, channel: I.support, text: 'help' });
    expect(failed.error).toBe('dispatch_failed');
    const unknown = await slack.sendCommand({
      user: I.alice,
      channel: I.support,
      text: 'x',
      command: '/nope',
    });
    expect(unknown.known).toBe(false);
    expect(slack.ephemerals({ user: I.alice }).map((e) => [e.from, e.text.split('\n')[0]])).toEqual([
      ['slackbot', '/incident failed with the error "dispatch_failed"'],
      [
        'slackbot',
        '`/nope` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.',
      ],
    ]);
  });

  it('keeps edits and deletions as message events and delivers them signed to the app', async () => {
    const quell = await captureServer(() => ({ body: '' }));
    try {
      slack.setRequestUrl(quell.url);
      const message = slack.postAsUser({
        user: I.erin,
        channel: I.support,
        text: 'The agent emailed @dev a refund',
      });
      expect(message.text).toBe('The agent emailed <@U0DEV> a refund');
      slack.editAsUser({
        user: I.erin,
        channel: I.support,
        ts: message.ts,
        text: 'The agent emailed a refund',
      });
      slack.deleteAsUser({ user: I.erin, channel: I.support, ts: message.ts });
      expect(slack.events.map((e) => e.event.subtype)).toEqual(['message_changed', 'message_deleted']);
      expect(slack.events[0]!.event).toMatchObject({
        channel: I.support,
        message: { text: 'The agent emailed a refund', edited: { user: I.erin } },
        previous_message: { text: 'The agent emailed <@U0DEV> a refund' },
      });
      expect(slack.events[1]!.event).toMatchObject({
        deleted_ts: message.ts,
        previous_message: { text: 'The agent emailed a refund' },
      });
      await slack.waitFor(() => quell.received.length >= 3);
      const envelopes = quell.received.map(
        (r) => JSON.parse(r.body) as { type: string; event: { subtype?: string } },
      );
      expect(envelopes.map((e) => [e.type, e.event.subtype])).toEqual([
        ['event_callback', undefined],
        ['event_callback', 'message_changed'],
        ['event_callback', 'message_deleted'],
      ]);
      const request = quell.received[1]!;
      const timestamp = Number(request.headers['x-slack-request-timestamp']);
      expect(request.headers['x-slack-signature']).toBe(
        signature(slack.signingSecret, timestamp, request.body),
      );
      expect(request.headers['content-type']).toBe('application/json');
      expect(slack.messages(I.support).map((m) => m.ts)).not.toContain(message.ts);
    } finally {
      await quell.close();
    }
  });

  it('runs the files upload v2 flow of Slack’s client into a channel message', async () => {
    const content = Buffer.from('{"bundle":"evidence"}');
    await client.filesUploadV2({
      channel_id: I.support,
      file: content,
      filename: 'INC-1-evidence.json',
      title: 'Evidence bundle',
      initial_comment: 'Archive of INC-1',
    });
    const message = slack.messages(I.support).at(-1)!;
    expect(message).toMatchObject({ text: 'Archive of INC-1', user: I.bot });
    const [file] = message.files as {
      id: string;
      title: string;
      size: number;
      url_private_download: string;
    }[];
    expect(file).toMatchObject({ title: 'Evidence bundle', size: content.length });
    const download = await fetch(file!.url_private_download);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(content);
    expect(slack.callCounts()).toMatchObject({
      'files.getUploadURLExternal': 1,
      'files.completeUploadExternal': 1,
    });
    expect(
      (await errorOf(client.files.completeUploadExternal({ files: [{ id: 'F0NOPE' }] }))).data.error,
    ).toBe('file_not_found');
  });

  it('refuses a method whose scope the manifest does not grant', async () => {
    const error = await errorOf(client.users.lookupByEmail({ email: 'alice@quell.local' }));
    expect(error.data).toMatchObject({ error: 'missing_scope', needed: 'users:read.email' });
  });
});

describe('Slack emulator persistence', () => {
  it('keeps channels and messages in a JSON file across restarts', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'quell-emulator-'));
    const path = join(dir, 'state.json');
    try {
      const first = await SlackEmulator.start({ manifest: MANIFEST, persistPath: path });
      const client = new WebClient(first.botToken, {
        slackApiUrl: first.apiUrl,
        retryConfig: { retries: 0 },
      });
      const { channel } = await client.conversations.create({ name: 'inc-kept' });
      const { ts } = await client.chat.postMessage({ channel: channel!.id!, text: 'still here' });
      await client.pins.add({ channel: channel!.id!, timestamp: ts! });
      await first.close();
      const second = await SlackEmulator.start({ manifest: MANIFEST, persistPath: path });
      expect(second.channel('inc-kept')!.id).toBe(channel!.id);
      expect(second.pins(channel!.id!).map((m) => m.text)).toEqual(['still here']);
      expect(second.messages(I.support)).toHaveLength(4);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
