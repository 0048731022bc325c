import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../../src/local/emulator/emulator.js';
import { SlackCreatedChannels } from '../../src/slack/created-channels.js';

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
    slack.hang('conversations.list', { ms: 800, times: 10 });
    const channels = SlackCreatedChannels.create({
      token: slack.botToken,
      slackApiUrl: slack.apiUrl,
      timeoutMs: 200,
    });
    const started = Date.now();
    const read = async () => {
      for await (const _page of channels.pages()) {
        // reading is what is timed
      }
    };
    await expect(read()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(4_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(slack.callCounts()['conversations.list']).toBe(3);
  });
});
