import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../helpers/redis.js';
import { collectOnce, tempDir } from './harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe('bullmq collector (real Redis)', () => {
  it('snapshots waiting, delayed and failed payloads (and whether the queue is paused) page by page, and changes nothing', async () => {
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue('refund-bot', { connection, prefix });
    try {
      for (let i = 0; i < 5; i++)
        await queue.add('refund', { order: `A-${i}`, prompt: 'refund jane@example.com' });
      await queue.add('refund', { order: 'later' }, { delay: 60_000 });
      const before = await queue.getJobCounts('wait', 'delayed', 'failed', 'prioritized');
      const { summary, file } = await collectOnce(
        dir,
        'bullmq',
        { queue: '{agent.name}', prefix, pageSize: 2 },
        { redisUrl: testRedisUrl() },
      );
      expect(summary.error).toBeUndefined();
      expect(summary.records).toBe(6);
      const counts = JSON.parse(await file('counts.json'));
      expect(counts).toMatchObject({ wait: 5, delayed: 1, paused: false });
      const page = (await file('waiting.page-0001.jsonl'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(page).toHaveLength(2);
      expect(JSON.parse(page[0].data)).toEqual({ order: 'A-0', prompt: 'refund jane@example.com' });
      expect(await file('waiting.page-0003.jsonl')).toContain('A-4');
      // read-only: the queue is exactly as it was
      expect(await queue.getJobCounts('wait', 'delayed', 'failed', 'prioritized')).toEqual(before);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });

  it('a Redis it cannot reach is reported as unavailable, with the run record kept', async () => {
    const { summary, file } = await collectOnce(
      dir,
      'bullmq',
      { queue: 'q' },
      { redisUrl: 'redis://127.0.0.1:1' },
    );
    expect(summary.error?.kind).toBe('unavailable');
    expect(JSON.parse(await file('run.json')).error.kind).toBe('unavailable');
  });
});

describe('agent-permissions collector', () => {
  const settings = {
    identities: [
      { action: 'block-key', adapter: 'litellm', settings: { baseUrl: 'https://llm.internal' } },
      {
        action: 'stop-workflow',
        adapter: 'github',
        settings: { owner: 'acme', repo: 'refund-bot', workflow: 'agent.yml' },
      },
      { action: 'flag-off', adapter: 'launchdarkly', settings: {} },
    ],
  };
  const secrets = {
    'block-key.masterKey': 'sk-master-0123456789',
    'block-key.agentKey': 'sk-agent-abcdef',
    'stop-workflow.token': 'github_pat_11AAAAAAAAAAAAAAAAAAAAAA',
  };

  it("records each identity's documented permissions, and names what it cannot read", async () => {
    // https://docs.litellm.ai/docs/proxy/virtual_keys: GET /key/info?key=<hashed token>
    nock('https://llm.internal')
      .get('/key/info')
      .query({ key: createHash('sha256').update('sk-agent-abcdef').digest('hex') })
      .matchHeader('authorization', 'Bearer sk-master-0123456789')
      .reply(200, {
        key: 'hashed',
        info: {
          models: ['gpt-4.1'],
          object_permission: { mcp_servers: ['payments'] },
          max_budget: 50,
          blocked: false,
        },
      });
    // https://docs.github.com/en/rest/repos/repos#get-a-repository: `permissions` of the caller
    nock('https://api.github.com')
      .get('/repos/acme/refund-bot')
      .matchHeader('x-github-api-version', '2022-11-28')
      .reply(200, { full_name: 'acme/refund-bot', permissions: { admin: false, push: true, pull: true } });
    const { summary, file } = await collectOnce(dir, 'agent-permissions', settings, secrets);
    expect(summary.error).toBeUndefined();
    expect(JSON.parse(await file('block-key.json')).answer.info.models).toEqual(['gpt-4.1']);
    expect(JSON.parse(await file('stop-workflow.json')).answer.permissions.push).toBe(true);
    expect(summary.gaps.map((g) => g.what)).toEqual([
      'permissions of flag-off (launchdarkly)',
      'AWS IAM role policies',
    ]);
    expect(await file('queries.jsonl')).not.toContain('sk-agent-abcdef');
  });

  it('one refused identity leaves the others collected', async () => {
    nock('https://llm.internal')
      .get('/key/info')
      .query(true)
      .reply(401, { error: { message: 'invalid master key' } });
    nock('https://api.github.com')
      .get('/repos/acme/refund-bot')
      .reply(200, { permissions: { pull: true } });
    const { summary, file } = await collectOnce(dir, 'agent-permissions', settings, secrets);
    expect(summary.gaps[0]).toMatchObject({ what: 'permissions of block-key (litellm)' });
    expect(summary.gaps[0]!.reason).toContain('HTTP 401');
    expect(JSON.parse(await file('stop-workflow.json')).answer.permissions.pull).toBe(true);
  });
});
