import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../../helpers/fake-slack-api.js';

/** The nock fake refuses what Slack refuses too: the emulator's Block Kit validator answers first. */

const checklist = (description: string) => [
  {
    type: 'actions',
    elements: [
      {
        type: 'checkboxes',
        action_id: 'gate',
        options: [
          {
            text: { type: 'mrkdwn', text: 'Logs' },
            value: 'logs',
            description: { type: 'mrkdwn', text: description },
          },
        ],
      },
    ],
  },
];

describe('FakeSlackApi Block Kit refusals', () => {
  let fake: FakeSlackApi | undefined;
  afterEach(() => fake?.close());

  it('answers invalid_blocks for chat.* and invalid_arguments for views.* with Slack’s messages', async () => {
    fake = new FakeSlackApi();
    const client = new WebClient('xoxb-test', { retryConfig: { retries: 0 } });
    await client.chat.postMessage({ channel: 'C1', text: 'ok', blocks: checklist('d'.repeat(75)) as never });
    const refused = await client.chat
      .update({ channel: 'C1', ts: '1.2', text: 'no', blocks: checklist('d'.repeat(76)) as never })
      .catch((error: { data: Record<string, unknown> }) => error.data);
    expect(refused).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: {
        messages: [
          '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/description/text]',
        ],
      },
    });
    const view = await client.views
      .open({
        trigger_id: '1.2.3',
        view: { type: 'modal', title: { type: 'plain_text', text: 't'.repeat(25) }, blocks: [] },
      })
      .catch((error: { data: Record<string, unknown> }) => error.data);
    expect(view).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: {
        messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
      },
    });
  });
});
