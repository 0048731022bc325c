import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { eventually, startHttpQuell, TEST_SIGNING_SECRET } from '../helpers/http-app.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';
import { deliverToQuell, interactionBody, slashCommandBody } from '../helpers/signed-request.js';

const CONFIG = `
containment:
  actions:
    block-agent-key: { adapter: recording, description: "Block the agent's key" }
`;

describe('/contain over HTTP with signed Slack requests', () => {
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

  it('command → ephemeral confirmation → button → result in the channel', async () => {
    const { incident } = await quell.services.incidents.declare({
      title: 'Agent loops on refunds',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'e2e-declare',
    });
    slack.calls.length = 0;
    const send = (body: string) => deliverToQuell(quell.url, body, { signingSecret: TEST_SIGNING_SECRET });

    const list = await send(
      slashCommandBody({ command: '/contain', text: '', channelId: incident.channelId }),
    );
    expect(list.status).toBe(200);
    expect(list.json()).toMatchObject({
      response_type: 'ephemeral',
      text: 'Containment: 1 action, 0 playbooks',
    });

    const ack = await send(
      slashCommandBody({
        command: '/contain',
        text: 'block-agent-key',
        userId: 'U0ALICE',
        channelId: incident.channelId,
      }),
    );
    expect(ack.status).toBe(200);
    expect(ack.body).toBe('');
    const prompt = await eventually(() => {
      expect(slack.responseUrlPosts).toHaveLength(1);
      return slack.responseUrlPosts[0]!.body as {
        response_type: string;
        blocks: { type: string; elements?: { value: string }[] }[];
      };
    });
    expect(prompt.response_type).toBe('ephemeral');
    const token = prompt.blocks.find((b) => b.type === 'actions')!.elements![0]!.value;

    const click = await send(
      interactionBody({
        type: 'block_actions',
        team: { id: 'T0QUELL' },
        user: { id: 'U0ALICE' },
        api_app_id: 'A0QUELL',
        channel: { id: incident.channelId },
        container: { type: 'message', is_ephemeral: true },
        response_url: 'https://hooks.slack.com/actions/T0QUELL/2/def',
        trigger_id: 'trigger-click',
        actions: [
          {
            type: 'button',
            action_id: 'quell_containment_confirm',
            block_id: 'containment_confirm',
            value: token,
            action_ts: '1700000001.000001',
          },
        ],
      }),
    );
    expect(click.status).toBe(200);
    await eventually(() => expect(slack.callsTo('chat.update')).toHaveLength(1));
    expect(slack.callsTo('chat.postMessage')[0]!.params.channel).toBe(incident.channelId);
    expect(slack.callsTo('chat.update')[0]!.params.text).toBe(
      'Containment Action block-agent-key: done, all verified',
    );
    await eventually(() =>
      expect(slack.responseUrlPosts.map((p) => p.body.text)).toContain(
        ':white_check_mark: Action block-agent-key: done; see the channel.',
      ),
    );
    const audit = await quell.services.containment.audit(incident.id);
    // (`started` is the durable run's record of intent, before the first request)
    expect(
      audit.filter((e) => e.event !== 'started').map((e) => `${e.event}:${e.outcome}:${e.actor}`),
    ).toEqual(['executed:ok:U0ALICE', 'verified:verified:U0ALICE']);
  });
});

describe('containment secrets at start-up', () => {
  it('`quell config check` stops, naming the action, slot and variable, when a secret variable is unset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quell-contain-'));
    const path = join(dir, 'quell.config.yml');
    writeFileSync(
      path,
      'containment:\n  actions:\n    block-key:\n      adapter: litellm\n      settings: { baseUrl: "https://llm.internal" }\n      secrets: { masterKey: LITELLM_MASTER_KEY }\n',
    );
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', 'check', path], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...env },
        timeout: 20_000,
      });
    const missing = run({});
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(
      'containment.actions.block-key.secrets.masterKey: environment variable LITELLM_MASTER_KEY is not set',
    );
    const present = run({ LITELLM_MASTER_KEY: 'sk-master-0123456789' });
    expect(present.status).toBe(0);
    expect(present.stdout).toContain('containment: 1 action, 0 playbooks, secrets present');
    expect(present.stdout + present.stderr).not.toContain('sk-master-0123456789');
  });
});
