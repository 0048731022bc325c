import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatError, ChatUnavailableError } from '../../src/chat/port.js';
import { defineJob, jobIdOf, RETRY } from '../../src/jobs/index.js';
import { eventually } from '../helpers/eventually.js';
import { jobsHarness, sleep } from './harness.js';

let h: Awaited<ReturnType<typeof jobsHarness>>;
afterEach(async () => h?.cleanup());

const keyed = z.object({ key: z.string() });

describe('job runtime', () => {
  it('runs a job once per job id, and a resend within the dedupe window maps to the same job', async () => {
    h = await jobsHarness();
    const runs: string[] = [];
    const note = defineJob({
      name: 'record-note',
      lane: 'interactive',
      payload: keyed,
      jobId: (p) => jobIdOf('note', p.key),
      retry: RETRY.interactive,
      handle: async (p) => {
        runs.push(p.key);
        return 'recorded';
      },
    });
    h.runtime.register(note);
    await h.runtime.startWorkers();
    // a Slack trigger id as idempotency key: dots and ':' must never reach BullMQ
    const first = await h.runtime.enqueue(note, { key: '1234.5678:W0123456789' });
    expect(first).toBe('note-1234_5678_W0123456789');
    await eventually(async () => expect(await (await h.runtime.job(note, first))?.isCompleted()).toBe(true));
    const again = await h.runtime.enqueue(note, { key: '1234.5678:W0123456789' });
    expect(again).toBe(first);
    await sleep(300);
    expect(runs).toEqual(['1234.5678:W0123456789']);
    const job = await h.runtime.job(note, first);
    expect(job?.opts.removeOnComplete).toEqual({ age: 24 * 3600 });
  });

  it('refuses a bad payload and an unregistered definition, queueing nothing', async () => {
    h = await jobsHarness();
    const def = defineJob({
      name: 'strict',
      lane: 'background',
      payload: keyed,
      jobId: (p) => jobIdOf('strict', p.key),
      retry: RETRY.once,
      handle: async () => undefined,
    });
    await expect(h.runtime.enqueue(def, { key: 'x' })).rejects.toThrow(/not registered/);
    h.runtime.register(def);
    await expect(h.runtime.enqueue(def, { key: 42 } as never)).rejects.toThrow(/invalid strict payload/);
    expect(await h.runtime.queue('background').getJobCounts('waiting', 'delayed')).toEqual({
      waiting: 0,
      delayed: 0,
    });
  });

  it('retries a transient Slack failure after its Retry-After and gives a permanent one up at once', async () => {
    h = await jobsHarness();
    const attempts: Record<string, number[]> = { transient: [], permanent: [] };
    const givenUp: { key: string; permanent: boolean; attempts: number }[] = [];
    const flaky = defineJob({
      name: 'flaky-post',
      lane: 'background',
      payload: keyed,
      jobId: (p) => jobIdOf('flaky', p.key),
      retry: { attempts: 3, baseMs: 10, maxMs: 20 },
      handle: async (p) => {
        attempts[p.key]!.push(Date.now());
        if (p.key === 'permanent') throw new ChatError('chat.postMessage', 'channel_not_found');
        if (attempts[p.key]!.length === 1)
          throw new ChatUnavailableError('chat.postMessage', 'ratelimited', 600);
        return 'posted';
      },
      onGiveUp: async (p, giveUp) => {
        givenUp.push({ key: p.key, permanent: giveUp.permanent, attempts: giveUp.attempts });
      },
    });
    h.runtime.register(flaky);
    await h.runtime.startWorkers();
    const t = await h.runtime.enqueue(flaky, { key: 'transient' });
    await h.runtime.enqueue(flaky, { key: 'permanent' });
    await eventually(async () => expect(await (await h.runtime.job(flaky, t))?.isCompleted()).toBe(true));
    const [a, b] = attempts.transient as [number, number];
    expect(b - a).toBeGreaterThanOrEqual(590);
    await eventually(() => expect(givenUp).toEqual([{ key: 'permanent', permanent: true, attempts: 1 }]));
    expect(attempts.permanent).toHaveLength(1);
  });
});
