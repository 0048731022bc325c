import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bullmqAdapter } from '../../src/containment/adapters/bullmq.js';
import { TargetError } from '../../src/containment/contract.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient } from '../../src/http/client.js';
import { redactor } from '../../src/http/redact.js';
import { freePort } from '../../src/redis/private-server.js';
import { eventually } from '../helpers/eventually.js';
import { testRedisUrl } from '../helpers/redis.js';
import { COMMANDER, confirmToken, containmentHarness } from './harness.js';

/** The bullmq adapter against the real private Redis: pausing is observed by BullMQ itself. */
describe('bullmq adapter on a real Redis', () => {
  let queueName: string;
  let prefix: string;
  let observer: Queue;
  let connection: Redis;

  beforeEach(async () => {
    queueName = `agent-jobs-${randomUUID().slice(0, 8)}`;
    prefix = `{agent-${randomUUID().slice(0, 8)}}`;
    connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    observer = new Queue(queueName, { connection, prefix });
    await observer.add('send-email', { to: 'customer@example.com' });
  });

  afterEach(async () => {
    await observer.obliterate({ force: true });
    await observer.close();
    connection.disconnect();
  });

  function ctx(redisUrl = testRedisUrl()) {
    const secrets = { redisUrl };
    return {
      settings: bullmqAdapter.settingsSchema.parse({ queue: queueName, prefix }),
      args: {},
      secrets,
      idempotencyKey: 'quell-INC-1-r1',
      now: new Date(),
      incidentId: 'INC-1',
      actionName: 'pause-agent-queue',
      timeoutMs: 2_000,
      http: new HttpClient({ ...DEFAULT_HTTP_OPTIONS, redact: redactor(secrets) }),
    };
  }

  it('a plan (dry run) touches nothing; execute records the prior state and pauses, verify reads it back, undo resumes', async () => {
    const command = (c: string) => ({
      method: 'REDIS',
      url: testRedisUrl(),
      body: { command: `Queue#${c}`, queue: queueName, prefix },
    });
    expect(bullmqAdapter.plan('execute', ctx())).toEqual([command('isPaused'), command('pause')]);
    expect(bullmqAdapter.plan('verify', ctx())).toEqual([command('isPaused'), command('getActive')]);
    expect(await observer.isPaused()).toBe(false);

    const executed = await bullmqAdapter.execute(ctx());
    expect(executed.state?.prior).toEqual({ known: true, summary: 'running', value: { paused: false } });
    expect(await observer.isPaused()).toBe(true);
    // the waiting job stays put while paused
    expect(await observer.getJobCounts('wait', 'active')).toEqual({ wait: 1, active: 0 });
    expect(await bullmqAdapter.verify(ctx(), executed.state!, 'execute')).toEqual({
      verified: true,
      observed: 'paused: true',
    });

    expect(bullmqAdapter.plan('undo', ctx(), executed.state)).toEqual([command('resume')]);
    await bullmqAdapter.undo!(ctx(), executed.state!);
    expect(await observer.isPaused()).toBe(false);
    expect(await bullmqAdapter.verify(ctx(), executed.state!, 'undo')).toEqual({
      verified: true,
      observed: 'paused: false',
    });
    expect(await bullmqAdapter.verify(ctx(), executed.state!, 'execute')).toMatchObject({ verified: false });
  });

  it('a queue that was paused already stays paused after undo', async () => {
    await observer.pause();
    const executed = await bullmqAdapter.execute(ctx());
    expect(executed.detail).toBe('queue was already paused; kept paused');
    expect(bullmqAdapter.plan('undo', ctx(), executed.state)).toEqual([]);
    const undone = await bullmqAdapter.undo!(ctx(), executed.state!);
    expect(undone.detail).toBe('queue was paused before containment: left paused');
    expect(await observer.isPaused()).toBe(true);
    expect(await bullmqAdapter.verify(ctx(), executed.state!, 'undo')).toMatchObject({ verified: true });
    await observer.resume();
  });

  it('lists the jobs still running (BullMQ cannot stop them from outside)', async () => {
    const worker = new Worker(queueName, () => new Promise((resolve) => setTimeout(resolve, 800)), {
      connection: new Redis(testRedisUrl(), { maxRetriesPerRequest: null }),
      prefix,
    });
    try {
      await eventually(async () => expect(await observer.getActiveCount()).toBe(1));
      const executed = await bullmqAdapter.execute(ctx());
      const verified = await bullmqAdapter.verify(ctx(), executed.state!, 'execute');
      expect(verified.verified).toBe(true);
      expect(verified.inFlight).toHaveLength(1);
      expect(verified.observed).toMatch(/1 job\(s\) still running/);
    } finally {
      await worker.close();
      await observer.resume();
    }
  });

  it('an unreachable Redis is a retryable target error', async () => {
    const port = await freePort();
    const error = await bullmqAdapter
      .execute(ctx(`redis://:agent-s3cret-pw@127.0.0.1:${port}`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).details.retryable).toBe(true);
    expect((error as TargetError).message).not.toContain('agent-s3cret-pw');
  });

  it('through the service: paused, verified, audited without the Redis URL, and undone', async () => {
    // the private Redis has no password: the URL with one is only used by a dry run, to prove redaction
    const redisUrl = testRedisUrl().replace('redis://', 'redis://default:agent-queue-pw@');
    const harness = await containmentHarness({
      containment: {
        actions: {
          'pause-agent-queue': {
            adapter: 'bullmq',
            description: "Pause the support agent's job queue",
            settings: { queue: queueName, prefix },
            secrets: { redisUrl: 'AGENT_REDIS_URL' },
          },
          'pause-agent-queue-drill': {
            adapter: 'bullmq',
            settings: { queue: queueName, prefix },
            secrets: { redisUrl: 'AGENT_REDIS_URL_WITH_PASSWORD' },
          },
        },
      },
      env: { AGENT_REDIS_URL: testRedisUrl(), AGENT_REDIS_URL_WITH_PASSWORD: redisUrl },
    });
    try {
      const { services, incident } = harness;
      const run = async (name: string, dryRun = false) =>
        services.containment.confirm(
          confirmToken(
            await services.containment.requestRun({
              incident,
              user: COMMANDER,
              kind: 'action',
              name,
              args: {},
              dryRun,
            }),
          ),
          COMMANDER,
        );
      const dry = await run('pause-agent-queue-drill', true);
      expect(dry.groups[0]![0]!.state).toBe('dry_run');
      expect(await observer.isPaused()).toBe(false);

      const report = await run('pause-agent-queue');
      expect(report.groups[0]![0]).toMatchObject({
        state: 'ok',
        runId: 'r2',
        verify: { outcome: 'verified', observed: 'paused: true' },
      });
      expect(await observer.isPaused()).toBe(true);
      expect((await services.containment.status(incident.id)).map((r) => r.id)).toEqual(['r2']);

      const undo = await services.containment.confirm(
        confirmToken(await services.containment.requestUndo(incident, COMMANDER, 'r2')),
        COMMANDER,
      );
      expect(undo.groups[0]![0]).toMatchObject({ state: 'ok', verify: { outcome: 'verified' } });
      expect(await observer.isPaused()).toBe(false);
      expect(await services.containment.status(incident.id)).toEqual([]);

      const audit = JSON.stringify(await services.containment.audit(incident.id));
      expect(audit).not.toContain('agent-queue-pw');
      expect(audit).not.toContain(testRedisUrl());
      expect(audit).toContain('[secret:redisUrl]');
    } finally {
      await harness.close();
    }
  });
});
