import { afterEach, beforeEach, describe, it } from 'vitest';
import { SlackEmulator } from '../../src/local/emulator/emulator.js';
import { SlackCreatedChannels } from '../../src/slack/created-channels.js';
import { expectGivenUpOnHang } from '../helpers/slack-hang.js';

// The id floor reads the channels Quell created before start-up goes on: a Slack that hangs must
// not hold start-up for the Web API client's default half hour of retries.
describe('the channels Quell created (conversations.list at start-up)', () => {
  let slack: SlackEmulator;
  beforeEach(async () => {
    slack = await SlackEmulator.start();
  });
  afterEach(async () => {
    await slack.close();
  });

  it('a hanging conversations.list is given up after three bounded tries', async () => {
    const channels = SlackCreatedChannels.create({
      token: slack.botToken,
      slackApiUrl: slack.apiUrl,
      timeoutMs: 200,
    });
    const readAll = async () => {
      for await (const _page of channels.pages()) {
        // reading every page is what is bounded
      }
    };
    await expectGivenUpOnHang(slack, 'conversations.list', readAll, {
      tries: 3,
      withinMs: 6_000,
      hangMs: 2_000,
    });
  });
});
