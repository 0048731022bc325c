import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { checkSlackSignature } from '../../src/slack/receiver/signature.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';
import {
  deliverToQuell,
  interactionBody,
  slackSignature,
  slashCommandBody,
} from '../helpers/signed-request.js';

/** Replays, clocks and foreign workspaces, over signed HTTP against a real Redis. */
const CONFIG = `
workspace:
  teamIds: [T0QUELL]
  appId: A0QUELL
`;

describe('request hygiene', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };

  beforeEach(async () => {
    env = await openTestRedis();
    slack = new FakeSlackApi();
    quell = await startHttpQuell(env.redis, testConfig(env.prefix, CONFIG));
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const incidents = () => env.redis.keys(`${env.prefix}:incident:{*}`);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

  it('drops an exact replay of a signed request (same timestamp and signature): one incident', async () => {
    const body = slashCommandBody({ text: 'declare sev2 Replayed declare', triggerId: 'trigger-replay' });
    const timestamp = now();
    const first = await deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET, timestamp });
    expect(first.status).toBe(200);
    await eventually(async () => expect(await incidents()).toHaveLength(1));
    // the captured request, sent again byte for byte (within the window)
    const replay = await deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET, timestamp });
    expect(replay.status).toBe(200);
    expect(replay.body).toBe('');
    await settle();
    expect(await incidents()).toHaveLength(1);
    expect(slack.callsTo('conversations.create')).toHaveLength(1);
  });

  it('two copies of one signed request at once: one runs', async () => {
    // help answers in the ack itself: the copy that runs has a body, the dropped one none
    const body = slashCommandBody({ text: 'help', triggerId: 'trigger-twice' });
    const timestamp = now();
    const [a, b] = await Promise.all([
      deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET, timestamp }),
      deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET, timestamp }),
    ]);
    expect([a.body === '', b.body === ''].sort()).toEqual([false, true]);
  });

  it('a Slack retry (new signature, X-Slack-Retry-Num) passes the replay check and meets the durable dedupe', async () => {
    const body = slashCommandBody({ text: 'declare sev2 Retried declare', triggerId: 'trigger-retry' });
    await deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET, timestamp: now() - 2 });
    await eventually(async () => expect(await incidents()).toHaveLength(1));
    const retry = await deliverToQuell(quell.url, body, {
      signingSecret: TEST_SIGNING_SECRET,
      timestamp: now(),
      retryNum: 1,
    });
    expect(retry.status).toBe(200);
    expect(retry.body).not.toBe(''); // handled (acked by Quell), not dropped as a replay
    await settle();
    expect(await incidents()).toHaveLength(1);
  });

  it('rejects a request timestamped 10 minutes in the future (and 6 in the past), changing nothing', async () => {
    for (const timestamp of [now() + 10 * 60, now() + 6 * 60, now() - 6 * 60]) {
      const response = await deliverToQuell(
        quell.url,
        slashCommandBody({ text: 'declare sev1 Time traveller', triggerId: `trigger-${timestamp}` }),
        { signingSecret: TEST_SIGNING_SECRET, timestamp },
      );
      expect(response.status).toBe(401);
    }
    await settle();
    expect(slack.calls).toEqual([]);
    expect(await incidents()).toEqual([]);
  });

  it('the window is 5 minutes both ways', () => {
    const rawBody = 'x=1';
    const at = (skew: number) => {
      const timestamp = String(1_800_000_000 + skew);
      return checkSlackSignature({
        signingSecret: 's',
        rawBody,
        timestamp,
        signature: slackSignature('s', timestamp, rawBody),
        nowMs: 1_800_000_000_000,
      }).ok;
    };
    expect([at(-300), at(300), at(-301), at(301)]).toEqual([true, true, false, false]);
  });

  it('refuses another team, another enterprise and another app; accepts its own', async () => {
    const foreignTeam = slashCommandBody({
      text: 'declare sev1 From elsewhere',
      triggerId: 'trigger-team',
    }).replace('team_id=T0QUELL', 'team_id=T0OTHER');
    const foreignApp = slashCommandBody({ text: 'declare sev1 Other app', triggerId: 'trigger-app' }).replace(
      'api_app_id=A0QUELL',
      'api_app_id=A0OTHER',
    );
    const foreignClick = interactionBody({
      type: 'block_actions',
      trigger_id: 'trigger-click',
      team: { id: 'T0OTHER' },
      enterprise: { id: 'E0OTHER' },
      user: { id: 'U0ALICE' },
      api_app_id: 'A0QUELL',
      actions: [{ action_id: 'quell_gate_resolve', value: 'INC-1', action_ts: '1.1', type: 'button' }],
      response_url: 'https://hooks.slack.com/actions/T0OTHER/1/x',
    });
    for (const body of [foreignTeam, foreignApp, foreignClick]) {
      const response = await deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET });
      expect(response.status).toBe(200); // acknowledged, so Slack does not retry, and nothing else
      expect(response.body).toBe('');
    }
    await settle();
    expect(slack.calls).toEqual([]);
    expect(slack.responseUrlPosts).toEqual([]);
    expect(await incidents()).toEqual([]);
    const own = await deliverToQuell(quell.url, slashCommandBody({ text: 'help' }), {
      signingSecret: TEST_SIGNING_SECRET,
    });
    expect(own.body).toContain('declare');
  });
});
