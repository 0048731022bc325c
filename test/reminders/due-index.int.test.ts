import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatPort, ChatUnavailableError } from '../../src/chat/port.js';
import { type JobContext, RetryLaterError } from '../../src/jobs/index.js';
import { reminderMarkHorizonMs } from '../../src/reminders/horizon.js';
import { promptJobId } from '../../src/reminders/jobs.js';
import { reminderKeys } from '../../src/reminders/keys.js';
import { openTestRedis } from '../helpers/redis.js';
import { backgroundChat, eventually, promptsIn, type ReminderHarness, reminderHarness } from './harness.js';

/**
 * The due-time index behind incremental reconciliation, the post marks' horizon, and a re-run
 * whose mark is gone: it looks in the channel before posting.
 */
const YAML = `
severities:
  sev1: { cadence: 1h }
  sev2: { cadence: 2h }
reminders:
  overdueAfter: 1h
  reconcileEvery: 1m
`;

describe('due-time index and incremental reconcile', () => {
  let h: ReminderHarness;
  let redis: Awaited<ReturnType<typeof openTestRedis>>;
  beforeEach(async () => {
    h = await reminderHarness(YAML);
    redis = await openTestRedis();
  });
  afterEach(async () => {
    await redis.cleanup();
    await h.cleanup();
  });

  const declare = async (key: string) =>
    (
      await h.services.incidents.declare({
        title: `Agent misbehaves ${key}`,
        severity: 'sev1',
        declaredBy: 'U0ALICE',
        idempotencyKey: key,
      })
    ).incident;
  const indexKey = () => reminderKeys(h.config.redis.keyPrefix).dueIndex;
  const members = () => redis.redis.zrange(indexKey(), 0, -1, 'WITHSCORES');

  it('indexes each scheduled prompt under the global tag until it is due, and forgets it on resolve', async () => {
    expect(indexKey()).toBe(`{${h.config.redis.keyPrefix}}:reminders:due`);
    const incident = await declare('index');
    const dueMs = Date.parse(incident.nextUpdateDueAt!);
    // queued: nothing to check before its due time has passed by the grace (one reconcile period)
    expect(await members()).toEqual([`${incident.id}|${dueMs}`, String(dueMs + 60_000)]);
    await h.services.incidents.setSeverity(incident.id, 'U0ALICE', 'sev2');
    const moved = (await h.services.store.get(incident.id))!;
    expect(await members()).toEqual([
      `${incident.id}|${Date.parse(moved.nextUpdateDueAt!)}`,
      String(Date.parse(moved.nextUpdateDueAt!) + 60_000),
    ]);
    await h.services.resolution.service.forceResolve(incident.id, 'U0ALICE', 'not what this test is about');
    expect(await members()).toEqual([]);
  });

  it('reconcile reads only the entries whose check time has come, re-adds their jobs, and looks again later', async () => {
    const incidents = [await declare('r1'), await declare('r2'), await declare('r3')];
    const lost = incidents[1]!;
    const lostDueMs = Date.parse(lost.nextUpdateDueAt!);
    // the job is lost and its check time has come (a failed enqueue, or a prompt overdue and unposted)
    const bull = h.services.reminders.queue.bull;
    await bull.remove(promptJobId({ incidentId: lost.id, dueAt: lost.nextUpdateDueAt! }));
    await redis.redis.zadd(indexKey(), Date.now() - 1, `${lost.id}|${lostDueMs}`);

    expect(await h.services.reminders.reconcile()).toBe(1);
    const job = await bull.getJob(promptJobId({ incidentId: lost.id, dueAt: lost.nextUpdateDueAt! }));
    expect(await job?.getState()).toBe('delayed');
    // checked: next look five reconcile periods from now, so a stuck prompt costs one read per period
    const score = Number(await redis.redis.zscore(indexKey(), `${lost.id}|${lostDueMs}`));
    expect(score).toBeGreaterThanOrEqual(lostDueMs + 60_000);
    expect(await h.services.reminders.reconcile()).toBe(0);
  });

  it('a posted prompt leaves the index; its mark lives the cadence horizon, not 30 days', async () => {
    const incident = await h.services.incidents.declare({
      title: 'Agent misbehaves fast',
      severity: 'sev1',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'fast',
    });
    const payload = {
      incidentId: incident.incident.id,
      dueAt: incident.incident.nextUpdateDueAt!,
      overdueSince: incident.incident.nextUpdateDueAt!,
      reason: 'declared' as const,
    };
    // the job type as the runtime runs it: Reminders' own prompter and post guard
    const run = { jobId: 'j', attempt: 1, lastAttempt: false, lane: 'background' } as JobContext;
    expect(await h.services.reminders.jobs.updatePrompt.handle(payload, run)).toBe('posted');
    expect(await members()).toEqual([]);
    const mark = reminderKeys(h.config.redis.keyPrefix).postGuard(
      incident.incident.id,
      'prompt',
      Date.parse(payload.dueAt),
    );
    const horizon = reminderMarkHorizonMs(h.config);
    const ttl = await redis.redis.pttl(mark);
    // three cadences of the slowest severity (sev2, 2 h) beat the job's retries (about 2.5 h)
    expect(horizon).toBe(3 * 2 * 3_600_000);
    expect(ttl).toBeGreaterThan(horizon - 60_000);
    expect(ttl).toBeLessThanOrEqual(horizon);
  });

  it('a re-run whose mark is gone looks in the channel first; a first run does not', async () => {
    const incident = await declare('lost-mark');
    const payload = {
      incidentId: incident.id,
      dueAt: incident.nextUpdateDueAt!,
      overdueSince: incident.nextUpdateDueAt!,
      reason: 'declared' as const,
    };
    expect(await h.prompter().sendPrompt(payload)).toBe('posted');
    expect(h.slack.callsTo('conversations.history')).toHaveLength(0);
    const [prompt] = promptsIn(h.slack);
    // the mark is lost (expired, or gone with Redis data) and the job runs again (stalled)
    await redis.redis.del(
      reminderKeys(h.config.redis.keyPrefix).postGuard(incident.id, 'prompt', Date.parse(payload.dueAt)),
    );
    h.slack.queue('conversations.history', () => ({
      ok: true,
      messages: [
        {
          type: 'message',
          ts: `${Math.floor(Date.now() / 1000)}.000100`,
          blocks:
            typeof prompt!.params.blocks === 'string'
              ? JSON.parse(prompt!.params.blocks)
              : prompt!.params.blocks,
        },
      ],
      has_more: false,
    }));
    expect(await h.prompter().sendPrompt(payload, { startedBefore: true })).toBe('already-posted');
    expect(promptsIn(h.slack)).toHaveLength(1);
    expect(h.slack.callsTo('conversations.history')).toHaveLength(1);
    expect(h.slack.callsTo('conversations.history')[0]!.params).toMatchObject({
      channel: incident.channelId,
      limit: '200',
    });
    // and the look is remembered: the next re-run posts nothing and reads nothing
    expect(await h.prompter().sendPrompt(payload, { startedBefore: true })).toBe('already-posted');
    expect(h.slack.callsTo('conversations.history')).toHaveLength(1);
  });

  it('a run whose post timed out leaves a mark the next run waits out before it looks', async () => {
    const incident = await declare('timeout-wait');
    const payload = {
      incidentId: incident.id,
      dueAt: incident.nextUpdateDueAt!,
      overdueSince: incident.nextUpdateDueAt!,
      reason: 'declared' as const,
    };
    // the request times out: Slack may or may not have it
    const dead = Object.create(backgroundChat()) as ChatPort;
    dead.postMessage = async () => {
      throw new ChatUnavailableError('chat.postMessage', 'unreachable');
    };
    await expect(h.prompter(dead).sendPrompt(payload)).rejects.toBeInstanceOf(RetryLaterError);
    await expect(h.prompter().sendPrompt(payload, { startedBefore: true })).rejects.toBeInstanceOf(
      RetryLaterError,
    );
    expect(h.slack.callsTo('conversations.history')).toHaveLength(0);
    h.slack.queue('conversations.history', () => ({ ok: true, messages: [], has_more: false }));
    await eventually(
      async () => expect(await h.prompter().sendPrompt(payload, { startedBefore: true })).toBe('posted'),
      3_000,
    );
    expect(h.slack.callsTo('conversations.history').length).toBeGreaterThanOrEqual(1);
    expect(promptsIn(h.slack)).toHaveLength(1);
  });
});
