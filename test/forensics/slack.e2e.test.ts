import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/incidents/model.js';
import type { Runtime } from '../../src/runtime.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock, testConfig } from '../helpers/services.js';
import { deliverToQuell, interactionBody, slashCommandBody } from '../helpers/signed-request.js';
import { litellmFixture } from './fixtures.js';
import { tempDir } from './harness.js';

const COMMANDER = 'W0COMMANDR1';
const MEMBER = 'U0MEMBER001';

/** `/incident collect`, `/incident agent-timeline` and the Mark button over signed HTTP. */
describe('forensics in Slack', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let quell: Runtime & { url: string };
  let staging: Awaited<ReturnType<typeof tempDir>>;
  let incident: Incident;
  const send = (body: string) => deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET });

  beforeEach(async () => {
    env = await openTestRedis();
    staging = await tempDir();
    slack = new FakeSlackApi({
      users: [
        { id: COMMANDER, name: 'Casey Commander' },
        { id: MEMBER, name: 'Mo Member' },
      ],
    });
    const config = testConfig(
      env.prefix,
      `forensics:
  staging: ${JSON.stringify(staging.dir)}
  collectors:
    gateway:
      collector: litellm
      settings: ${JSON.stringify(litellmFixture.settings)}
      secrets: { masterKey: QUELL_TEST_LITELLM_KEY }
      auto: []
`,
    );
    quell = await startHttpQuell(env.redis, config, new TestClock(new Date('2026-11-21T14:00:00Z')), {
      QUELL_TEST_LITELLM_KEY: litellmFixture.secrets.masterKey,
    });
    ({ incident } = await quell.services.incidents.declare({
      title: 'Refund agent',
      severity: 'sev1',
      agent: { name: 'refund-bot' },
      startedAt: new Date('2026-11-21T13:00:00Z'),
      declaredBy: COMMANDER,
      idempotencyKey: 'declare-slack-forensics',
    }));
  });

  afterEach(async () => {
    await quell.stop();
    slack.close();
    await env.cleanup();
    await staging.cleanup();
  });

  it('collects on demand, shows the last calls masked, and records the marked first unauthorized action', async () => {
    litellmFixture.happy(nock(litellmFixture.base));
    await send(
      slashCommandBody({ text: 'collect gateway', channelId: incident.channelId!, userId: COMMANDER }),
    );
    await eventually(async () => {
      const kinds = (await quell.services.incidents.timeline(incident.id)).map((e) => e.kind);
      expect(kinds).toContain('forensics_collected');
    }, 15_000);
    expect(slack.responseUrlPosts[0]!.body.text).toContain('Collecting gateway for');

    await send(
      slashCommandBody({ text: 'agent-timeline', channelId: incident.channelId!, userId: COMMANDER }),
    );
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(2));
    const reply = slack.responseUrlPosts[1]!.body as {
      blocks: { accessory?: { action_id: string; value: string } }[];
    };
    const blocks = JSON.stringify(reply.blocks);
    expect(blocks).toContain('issue_refund');
    expect(blocks).not.toContain('jane.doe@example.com');
    expect(blocks).not.toContain('sk_live_51HxAbCdEfGhIjKlMnOpQr');
    const button = reply.blocks.find(
      (b) => b.accessory?.action_id === ACTIONS.forensicsMarkFirst && b.accessory.value,
    )!;

    const click = (user: string, ts: string) =>
      send(
        interactionBody({
          type: 'block_actions',
          user: { id: user, username: 'x', team_id: 'T0QUELL' },
          api_app_id: 'A0QUELL',
          team: { id: 'T0QUELL', domain: 'quell-test' },
          container: {
            type: 'message',
            message_ts: '1700000000.000009',
            channel_id: incident.channelId,
            is_ephemeral: true,
          },
          trigger_id: `trigger-${ts}`,
          channel: { id: incident.channelId, name: 'inc' },
          response_url: 'https://hooks.slack.com/actions/T0QUELL/1/xyz',
          actions: [
            {
              type: 'button',
              action_id: ACTIONS.forensicsMarkFirst,
              block_id: 'b',
              value: button.accessory!.value,
              action_ts: ts,
            },
          ],
        }),
      );
    // a member may not mark it: refused and recorded
    await click(MEMBER, '1700000001.0001');
    await eventually(async () => {
      const kinds = (await quell.services.incidents.timeline(incident.id)).map((e) => e.kind);
      expect(kinds).toContain('permission_refused');
    });
    await click(COMMANDER, '1700000002.0001');
    await eventually(async () => {
      const marked = (await quell.services.incidents.timeline(incident.id)).filter(
        (e) => e.kind === 'first_unauthorized_action',
      );
      expect(marked).toHaveLength(1);
      expect(marked[0]!.actor).toBe(COMMANDER);
    });
  }, 30_000);

  it('an unknown collector is refused in the ack and nothing is queued', async () => {
    const response = await send(
      slashCommandBody({ text: 'collect splunk', channelId: incident.channelId!, userId: COMMANDER }),
    );
    expect(response.status).toBe(200);
    await eventually(() => expect(slack.responseUrlPosts).toHaveLength(1));
    expect(slack.responseUrlPosts[0]!.body.text).toContain(
      'There is no collector "splunk"; configured: gateway.',
    );
    const kinds = (await quell.services.incidents.timeline(incident.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k.startsWith('forensics_'))).toEqual([]);
  });
});
