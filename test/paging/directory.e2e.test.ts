import { readFileSync } from 'node:fs';
import { WebClient } from '@slack/web-api';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../../src/local/emulator/emulator.js';
import { parseManifest } from '../../src/local/emulator/manifest.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { PagerDutyOnCalls } from '../../src/paging/oncall.js';
import { SlackWebUserDirectory } from '../../src/slack/user-directory.js';
import { expectGivenUpOnHang } from '../helpers/slack-hang.js';

// "The on-call": PagerDuty names a person, users.lookupByEmail on the emulator (with Quell's own
// manifest, so users:read.email must be granted there) names the Slack user.
let slack: SlackEmulator;

beforeEach(async () => {
  slack = await SlackEmulator.start({ manifest: parseManifest(readFileSync('manifest.yml', 'utf8')) });
});
afterEach(async () => {
  await slack.close();
});

const directory = () => SlackWebUserDirectory.create({ token: slack.botToken, slackApiUrl: slack.apiUrl });

describe('the on-call mapped to Slack with users.lookupByEmail', () => {
  it("maps PagerDuty's on-call to the Slack user with that email", async () => {
    nock('https://api.pagerduty.com')
      .get('/oncalls?escalation_policy_ids%5B%5D=PT20YPA&earliest=true&include%5B%5D=users')
      .reply(200, {
        oncalls: [
          { escalation_level: 1, user: { id: 'PBOB', type: 'user', name: 'Bob', email: 'BOB@quell.local' } },
        ],
      });
    const onCalls = new PagerDutyOnCalls({
      apiToken: 'pd-token',
      url: 'https://api.pagerduty.com',
      timeoutMs: 2_000,
      directory: directory(),
    });
    expect(await onCalls.onCall({ escalationPolicy: 'PT20YPA' })).toEqual({
      user: LOCAL_IDS.bob,
      email: 'BOB@quell.local',
      name: 'Bob',
    });
    expect(slack.callCounts()['users.lookupByEmail']).toBe(1);
  });

  it('nobody with the email is nobody; a missing email is refused as Slack refuses it', async () => {
    expect(await directory().userIdByEmail('nobody@example.com')).toBeUndefined();
    const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const error = await client.users
      .lookupByEmail({ email: '' })
      .catch((e: { data: { error: string } }) => e);
    expect((error as { data: { error: string } }).data.error).toBe('invalid_arguments');
  });

  it('a hanging lookup fails after the timeout, sent once (the page job retries, not the client for half an hour)', async () => {
    const quick = SlackWebUserDirectory.create({
      token: slack.botToken,
      slackApiUrl: slack.apiUrl,
      timeoutMs: 300,
    });
    await expectGivenUpOnHang(slack, 'users.lookupByEmail', () => quick.userIdByEmail('bob@quell.local'), {
      tries: 1,
      withinMs: 2_500,
      hangMs: 3_000,
    });
  });

  it('a 429 is thrown at once with its Retry-After, not waited out inside the client', async () => {
    slack.rateLimit('users.lookupByEmail', { retryAfter: 30 });
    const started = Date.now();
    const error = await directory()
      .userIdByEmail('bob@quell.local')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slack.callCounts()['users.lookupByEmail']).toBe(1);
  });
});
