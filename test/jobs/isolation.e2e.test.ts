import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { startLocalSlack } from '../helpers/local-slack.js';

/**
 * The job runtime's promise, end to end against the local Slack: one stalled Web API method and one
 * rate-limited channel slow down only what uses them. Before lanes, timeouts and per-channel pacing,
 * a hung chat.update or a channel at its posting limit held every post-ack task (a queue of 4) and a
 * 429 paused the whole Web API client, so an unrelated SEV1 took minutes to get its channel.
 */
describe('an unrelated SEV1 is not held up by a stalled method or a busy channel', () => {
  let local: Awaited<ReturnType<typeof startLocalSlack>> | undefined;
  afterEach(async () => {
    local?.slack.clearFaults();
    await local?.stop();
  });

  it('declares and opens its channel within 5 s while chat.update hangs and one channel is rate limited', async () => {
    // a short drain: stopping must not wait out the stalled calls this test leaves behind
    local = await startLocalSlack({ configYaml: 'jobs:\n  drainTimeout: 3s\n' });
    const { slack } = local;
    const busy = await local.declareIncident({ title: 'Agent floods the refunds queue', severity: 'sev2' });

    // the busy channel is at its posting limit: its change notices are refused with 429s
    slack.rateLimit('chat.postMessage', { times: 100, retryAfter: 30, channel: busy.channel });
    for (const text of ['sev sev3', 'sev sev2'])
      expect((await local.command(text, { channel: busy.channel })).error).toBeUndefined();
    const refusedIn = () =>
      slack.calls.filter(
        (c) => c.method === 'chat.postMessage' && c.status === 429 && c.params.channel === busy.channel,
      );
    // one 429 is enough: the shared pacer then holds the channel back without asking Slack again
    await slack.waitFor(() => refusedIn().length >= 1, 5_000);
    // then every summary edit and history read stalls (no answer for a minute), with more work queued
    slack.hang('chat.update', { times: 100, ms: 60_000 });
    slack.hang('conversations.history', { times: 100, ms: 60_000 });
    for (const text of ['sev sev3', 'sev sev2', 'sev sev3', 'sev sev2', 'archive'])
      expect((await local.command(text, { channel: busy.channel })).error).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 300)); // that work is now stuck on Slack

    const before = new Set(slack.channels().map((c) => c.id));
    const startedAt = Date.now();
    const ack = await local.command('declare sev1 Support agent emails customers their neighbours’ orders');
    expect(ack.error).toBeUndefined();
    const opened = await slack.waitFor(
      () => slack.channels().find((c) => !before.has(c.id) && c.name.startsWith('inc-') && c.pins.length > 0),
      5_000,
    );
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(opened.members).toContain(LOCAL_IDS.alice);
    expect(opened.id).not.toBe(busy.channel);
    // the busy incident's summary edits had reached Slack and were still stalled while the SEV1 opened
    expect(slack.faults.get('chat.update')!.length).toBeLessThan(100);
    expect(slack.calls.filter((c) => c.method === 'chat.update' && c.at >= startedAt)).toEqual([]);
  }, 30_000);
});
