import { createServer } from 'node:http';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../../../src/local/emulator/emulator.js';
import { parseManifest } from '../../../src/local/emulator/manifest.js';
import { LOCAL_IDS as I } from '../../../src/local/seed.js';

/** The strict validator and Slack's membership rules, seen through Slack's own Web API client. */

const MANIFEST = parseManifest(`
features:
  bot_user: { display_name: Quell }
oauth_config:
  scopes:
    bot: [chat:write, chat:write.public, channels:read, channels:join]
`);

const plain = (text: string) => ({ type: 'plain_text' as const, text });

function errorOf(promise: Promise<unknown>): Promise<{ data: Record<string, unknown> }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: { data: Record<string, unknown> }) => error,
  );
}

describe('a strict Slack emulator', () => {
  let slack: SlackEmulator;
  let client: WebClient;

  beforeEach(async () => {
    slack = await SlackEmulator.start({ manifest: MANIFEST });
    client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  });

  afterEach(async () => {
    await slack.close();
  });

  it('refuses chat.postMessage with a 76-character option description: invalid_blocks and its pointer', async () => {
    const checklist = (description: string) => [
      {
        type: 'actions',
        elements: [
          {
            type: 'checkboxes',
            action_id: 'gate',
            options: [
              {
                text: plain('Logs reviewed'),
                value: 'logs',
                description: { type: 'mrkdwn', text: description },
              },
            ],
          },
        ],
      },
    ];
    await client.chat.postMessage({
      channel: I.support,
      text: 'ok',
      blocks: checklist('d'.repeat(75)) as never,
    });
    const refused = await errorOf(
      client.chat.postMessage({ channel: I.support, text: 'no', blocks: checklist('d'.repeat(76)) as never }),
    );
    expect(refused.data).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: {
        messages: [
          '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/description/text]',
        ],
      },
    });
    expect(slack.messages(I.support).at(-1)?.text).toBe('ok');
  });

  it('refuses views.publish with a confirmation dialog over its limits: invalid_arguments and pointers', async () => {
    const view = {
      type: 'home' as const,
      blocks: [
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'undo',
              text: plain('Undo'),
              confirm: {
                title: plain('t'.repeat(101)),
                text: plain('x'),
                confirm: plain('c'.repeat(31)),
                deny: plain('No'),
              },
            },
          ],
        },
      ],
    };
    const refused = await errorOf(client.views.publish({ user_id: I.alice, view: view as never }));
    expect(refused.data).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: {
        messages: [
          '[ERROR] must be less than 101 characters [json-pointer:/view/blocks/0/elements/0/confirm/title/text]',
          '[ERROR] must be less than 31 characters [json-pointer:/view/blocks/0/elements/0/confirm/confirm/text]',
        ],
      },
    });
  });

  it('refuses an ephemeral into a channel the app is not in with not_in_channel, even with chat:write.public', async () => {
    const ephemeral = () => client.chat.postEphemeral({ channel: I.general, user: I.alice, text: 'psst' });
    expect((await errorOf(ephemeral())).data.error).toBe('not_in_channel');
    // chat:write.public lets chat.postMessage reach a public channel without joining (docs scopes/chat:write.public)
    await client.chat.postMessage({ channel: I.general, text: 'public post' });
    await client.conversations.join({ channel: I.general });
    expect(await ephemeral()).toMatchObject({ ok: true });
  });

  it('delivers a datetimepicker choice as selected_date_time and refuses invalid blocks at the response_url', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      slack.setRequestUrl(`http://127.0.0.1:${(server.address() as { port: number }).port}/slack/events`);
      const posted = await client.chat.postMessage({
        channel: I.support,
        text: 'when?',
        blocks: [{ type: 'actions', elements: [{ type: 'datetimepicker', action_id: 'next' }] }] as never,
      });
      await slack.clickAction({
        user: I.alice,
        container: { type: 'message', channel: I.support, ts: posted.ts! },
        actionId: 'next',
        selectedDateTime: 1_780_000_000,
      });
      const payload = JSON.parse(new URLSearchParams(bodies[0]).get('payload')!) as {
        actions: { selected_date_time: number }[];
        response_url: string;
      };
      expect(payload.actions[0]!.selected_date_time).toBe(1_780_000_000);
      const answer = await fetch(payload.response_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'x', blocks: [{ type: 'header', text: plain('h'.repeat(151)) }] }),
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toEqual({
        ok: false,
        error: 'invalid_blocks',
        response_metadata: {
          messages: ['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]'],
        },
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
