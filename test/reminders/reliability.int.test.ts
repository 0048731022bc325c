import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatPort, ChatUnavailableError } from '../../src/chat/port.js';
import { RetryLaterError } from '../../src/jobs/index.js';
import { promptJobId } from '../../src/reminders/jobs.js';
import type { Services } from '../../src/services.js';
import {
  backgroundChat,
  eventually,
  FAST_CADENCES,
  PROMPTER_LEASE_MS,
  promptsIn,
  type ReminderHarness,
  reminderHarness,
  sleep,
  startBackgroundWorker,
} from './harness.js';

async function declare(services: Services, key: string, severity: 'sev1' | 'sev2' = 'sev1') {
  const { incident } = await services.incidents.declare({
    title: `Agent misbehaves ${key}`,
    severity,
    declaredBy: 'U0ALICE',
    idempotencyKey: key,
  });
  return incident;
}

/** Breaks a queue's connection for good, as a Redis outage on the request path would. */
async function breakQueue(services: Services): Promise<void> {
  void services.reminders.queue.bull; // opened on first use
  for (const connection of services.connections.named('jobs-background')) connection.disconnect();
}

describe('exactly once, across replicas and restarts', () => {
  let h: ReminderHarness;

  beforeEach(async () => {
    h = await reminderHarness();
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('two workers sharing one Redis post every prompt once', async () => {
    await h.startWorker('replica-a');
    await startBackgroundWorker(h.replica(), 'replica-b');
    const incidents = [];
    for (let i = 0; i < 8; i++) incidents.push(await declare(h.services, `two-${i}`));
    await eventually(() => expect(promptsIn(h.slack)).toHaveLength(8));
    await sleep(1_000);
    const channels = promptsIn(h.slack).map((c) => c.params.channel);
    expect(channels.sort()).toEqual(incidents.map((i) => i.channelId).sort());
  });

  it('a redelivered job running alongside the first posts nothing (the post guard)', async () => {
    const incident = await declare(h.services, 'guard');
    const payload = {
      incidentId: incident.id,
      dueAt: incident.nextUpdateDueAt!,
      overdueSince: incident.nextUpdateDueAt!,
      reason: 'declared' as const,
    };
    const [first, second] = await Promise.allSettled([
      h.prompter().sendPrompt(payload),
      h.prompter().sendPrompt(payload),
    ]);
    const outcomes = [first, second].map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
    expect(outcomes).toContain('posted');
    const other = outcomes.find((o) => o !== 'posted');
    expect(other === 'already-posted' || other instanceof RetryLaterError).toBe(true);
    expect(await h.prompter().sendPrompt(payload)).toBe('already-posted');
    expect(promptsIn(h.slack)).toHaveLength(1);
  });

  it('a post whose fate is unknown (timeout) is looked for in the channel before posting again', async () => {
    const incident = await declare(h.services, 'timeout');
    const payload = {
      incidentId: incident.id,
      dueAt: incident.nextUpdateDueAt!,
      overdueSince: incident.nextUpdateDueAt!,
      reason: 'declared' as const,
    };
    // Slack takes the message but the answer is lost on the way back
    const real = backgroundChat();
    let posted: { ts: string; blocks: unknown } | undefined;
    const lossy = Object.create(real) as ChatPort;
    lossy.postMessage = async (channel, message) => {
      const { ts } = await real.postMessage(channel, message);
      posted = { ts, blocks: message.blocks };
      throw new ChatUnavailableError('chat.postMessage', 'unreachable');
    };
    await expect(h.prompter(lossy).sendPrompt(payload)).rejects.toBeInstanceOf(RetryLaterError);
    expect(promptsIn(h.slack)).toHaveLength(1);

    // a retry at once waits: Slack may still be storing the message it answered too late
    await expect(h.prompter().sendPrompt(payload)).rejects.toBeInstanceOf(RetryLaterError);
    expect(h.slack.callsTo('conversations.history')).toHaveLength(0);
    await sleep(PROMPTER_LEASE_MS);
    // the retry after the lease finds it among the channel's latest messages and posts nothing
    h.slack.queue('conversations.history', (params) => {
      expect(params).toMatchObject({ channel: incident.channelId, limit: '200' });
      return {
        ok: true,
        messages: [{ type: 'message', ts: posted!.ts, blocks: posted!.blocks }],
        has_more: false,
      };
    });
    expect(await h.prompter().sendPrompt(payload)).toBe('already-posted');
    expect(await h.prompter().sendPrompt(payload)).toBe('already-posted');
    expect(promptsIn(h.slack)).toHaveLength(1);
    expect(h.slack.callsTo('conversations.history')).toHaveLength(1);
  });

  it('a post whose fate is unknown and that never arrived is posted by the retry', async () => {
    const incident = await declare(h.services, 'lost-post');
    const payload = {
      incidentId: incident.id,
      dueAt: incident.nextUpdateDueAt!,
      overdueSince: incident.nextUpdateDueAt!,
      reason: 'declared' as const,
    };
    const dead = Object.create(backgroundChat()) as ChatPort;
    dead.postMessage = async () => {
      throw new ChatUnavailableError('chat.postMessage', 'unreachable');
    };
    await expect(h.prompter(dead).sendPrompt(payload)).rejects.toBeInstanceOf(RetryLaterError);
    await sleep(PROMPTER_LEASE_MS);
    h.slack.queue('conversations.history', () => ({ ok: true, messages: [], has_more: false }));
    expect(await h.prompter().sendPrompt(payload)).toBe('posted');
    expect(promptsIn(h.slack)).toHaveLength(1);
  });

  it('a prompt that fell due while no worker ran is posted once when one starts, marked late', async () => {
    const first = h.replica();
    await startBackgroundWorker(first);
    const incident = await declare(h.services, 'restart');
    await first.jobs.stop();
    await sleep(Date.parse(incident.nextUpdateDueAt!) - Date.now() + 1_500);
    expect(promptsIn(h.slack)).toHaveLength(0);

    const restarted = h.replica();
    const startedAt = Date.now();
    await startBackgroundWorker(restarted);
    const [prompt] = await eventually(() => {
      const prompts = promptsIn(h.slack);
      expect(prompts).toHaveLength(1);
      return prompts;
    });
    expect(Date.now() - startedAt).toBeLessThan(1_500);
    expect(String(prompt!.params.text)).toContain('(late: Quell was not running when it fell due)');
    expect(JSON.stringify(prompt!.params.blocks)).toContain(':hourglass: This reminder is late');
    await sleep(1_000);
    expect(promptsIn(h.slack)).toHaveLength(1);
  });

  it('reconciliation at worker start restores a prompt whose scheduling failed', async () => {
    await breakQueue(h.services);
    const incident = await declare(h.services, 'lost');
    const jobId = promptJobId({ incidentId: incident.id, dueAt: incident.nextUpdateDueAt! });
    const other = h.replica();
    expect(await other.reminders.queue.bull.getJob(jobId)).toBeUndefined();

    await startBackgroundWorker(other);
    expect(await (await other.reminders.queue.bull.getJob(jobId))?.getState()).toBe('delayed');
    await eventually(() => expect(promptsIn(h.slack)).toHaveLength(1));
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(incident.nextUpdateDueAt!));
  });
});

describe('periodic reconciliation', () => {
  it('a running worker restores a lost prompt within reminders.reconcileEvery', async () => {
    const h =
      await reminderHarness(`${FAST_CADENCES.replace('sev2: { cadence: 3s }', 'sev2: { cadence: 4s }')}
  reconcileEvery: 1s
`);
    try {
      const requests = h.replica();
      await h.startWorker();
      await breakQueue(requests);
      const incident = await declare(requests, 'periodic', 'sev2');
      const jobId = promptJobId({ incidentId: incident.id, dueAt: incident.nextUpdateDueAt! });
      await eventually(
        async () => expect(await h.services.reminders.queue.bull.getJob(jobId)).toBeDefined(),
        2_500,
      );
      await eventually(() => expect(promptsIn(h.slack)).toHaveLength(1));
    } finally {
      await h.cleanup();
    }
  });
});

describe('failed Slack posts', () => {
  let h: ReminderHarness;

  beforeEach(async () => {
    h = await reminderHarness();
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('a 429 is retried no sooner than its Retry-After, then posted once', async () => {
    await h.startWorker();
    const incident = await declare(h.services, 'ratelimited');
    const attempts: number[] = [];
    h.slack
      .queue('chat.postMessage', () => {
        attempts.push(Date.now());
        return { status: 429, headers: { 'retry-after': '2' }, body: { ok: false, error: 'ratelimited' } };
      })
      .queue('chat.postMessage', (params) => {
        attempts.push(Date.now());
        return { ok: true, channel: params.channel, ts: '1700000099.000001' };
      });
    await eventually(() => expect(attempts).toHaveLength(2), 10_000);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(2_000);
    expect(attempts[0]!).toBeGreaterThanOrEqual(Date.parse(incident.nextUpdateDueAt!));
    await sleep(1_500);
    expect(promptsIn(h.slack)).toHaveLength(2); // the refused attempt and the one that went through
  });

  it('a 5xx is retried with backoff; a permanent refusal is not retried and lands on the timeline', async () => {
    await h.startWorker();
    const flaky = await declare(h.services, 'flaky');
    h.slack.queue('chat.postMessage', () => ({
      status: 503,
      body: { ok: false, error: 'service_unavailable' },
    }));
    await eventually(() => expect(promptsIn(h.slack)).toHaveLength(2));
    expect(promptsIn(h.slack).map((c) => c.params.channel)).toEqual([flaky.channelId, flaky.channelId]);

    const gone = await declare(h.services, 'gone');
    h.slack.failNext('chat.postMessage', 'channel_not_found');
    const events = await eventually(async () => {
      const timeline = await h.services.incidents.timeline(gone.id);
      expect(timeline.map((e) => e.kind)).toContain('reminder_failed');
      return timeline;
    });
    expect(events.find((e) => e.kind === 'reminder_failed')?.data).toMatchObject({
      what: 'update prompt',
      dueAt: gone.nextUpdateDueAt,
      reason: 'chat.postMessage failed: channel_not_found',
    });
    await sleep(1_500);
    expect(promptsIn(h.slack).filter((c) => c.params.channel === gone.channelId)).toHaveLength(1);
  });
});
