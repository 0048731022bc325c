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

describe('giving up', () => {
  it('tells the runtime’s hook once when a job without its own onGiveUp is given up', async () => {
    const told: { name: string; payload: unknown; permanent: boolean }[] = [];
    h = await jobsHarness(
      {},
      {
        onGiveUp: async (definition, payload, giveUp) => {
          told.push({ name: definition.name, payload, permanent: giveUp.permanent });
        },
      },
    );
    const def = defineJob({
      name: 'post-notice',
      lane: 'interactive',
      payload: z.object({ incidentId: z.string() }),
      jobId: (p) => jobIdOf('notice', p.incidentId),
      retry: RETRY.interactive,
      handle: async () => {
        throw new ChatError('chat.postMessage', 'is_archived');
      },
    });
    h.runtime.register(def);
    await h.runtime.startWorkers({ lanes: ['interactive'] });
    await h.runtime.enqueue(def, { incidentId: 'INC-9' });
    await eventually(() =>
      expect(told).toEqual([{ name: 'post-notice', payload: { incidentId: 'INC-9' }, permanent: true }]),
    );
    await sleep(200);
    expect(told).toHaveLength(1);
  });
});

describe('lanes', () => {
  it('interactive work never waits behind long work', async () => {
    h = await jobsHarness({ lanes: { long: { concurrency: 1 }, interactive: { concurrency: 2 } } });
    const finished: Record<string, number> = {};
    const archive = defineJob({
      name: 'slow-archive',
      lane: 'long',
      payload: keyed,
      jobId: (p) => jobIdOf('archive', p.key),
      retry: RETRY.once,
      handle: async (p) => {
        await sleep(2_000);
        finished[p.key] = Date.now();
      },
    });
    const declare = defineJob({
      name: 'declare',
      lane: 'interactive',
      payload: keyed,
      jobId: (p) => jobIdOf('declare', p.key),
      retry: RETRY.interactive,
      handle: async (p) => {
        finished[p.key] = Date.now();
      },
    });
    h.runtime.register(archive, declare);
    await h.runtime.startWorkers();
    const started = Date.now();
    for (let i = 0; i < 4; i++) await h.runtime.enqueue(archive, { key: `a${i}` });
    await sleep(100);
    await h.runtime.enqueue(declare, { key: 'sev1' });
    await eventually(() => expect(finished.sev1).toBeDefined());
    expect(finished.sev1! - started).toBeLessThan(1_000);
    // the long lane ran one at a time, as configured
    expect(finished.a0).toBeUndefined();
  });

  it('a run past its timeout fails and is retried; the handler sees its signal aborted', async () => {
    h = await jobsHarness();
    const attempts: number[] = [];
    let aborted = false;
    const stuck = defineJob({
      name: 'stuck-once',
      lane: 'background',
      payload: keyed,
      jobId: (p) => jobIdOf('stuck', p.key),
      retry: { attempts: 2, baseMs: 10, maxMs: 10 },
      timeoutMs: 300,
      handle: async (_p, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt === 1) {
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
          aborted = ctx.signal.aborted;
          await sleep(10_000); // ignores the signal: the runtime moves on anyway
        }
        return 'done';
      },
    });
    h.runtime.register(stuck);
    await h.runtime.startWorkers({ lanes: ['background'] });
    const id = await h.runtime.enqueue(stuck, { key: 'x' });
    await eventually(async () => expect((await h.runtime.job(stuck, id))?.returnvalue).toBe('done'), 5_000);
    expect(attempts).toEqual([1, 2]);
    expect(aborted).toBe(true);
  });

  it('keeps finished jobs for the configured dedupe window, failed ones at least a week', async () => {
    h = await jobsHarness({ dedupeWindow: '36h' });
    const def = defineJob({
      name: 'kept',
      lane: 'background',
      payload: keyed,
      jobId: (p) => jobIdOf('kept', p.key),
      retry: RETRY.slack,
      handle: async () => undefined,
    });
    h.runtime.register(def);
    const id = await h.runtime.enqueue(def, { key: 'k' }, { delayMs: 60_000 });
    const job = await h.runtime.job(def, id);
    expect(job?.opts.removeOnComplete).toEqual({ age: 36 * 3600 });
    expect(job?.opts.removeOnFail).toEqual({ age: 7 * 24 * 3600 });
    expect(job?.opts.attempts).toBe(30);
    // a second enqueue within the window is the same job, not a second one
    await h.runtime.enqueue(def, { key: 'k' }, { delayMs: 60_000 });
    expect(await h.runtime.queue('background').getJobCounts('delayed')).toEqual({ delayed: 1 });
  });

  it('puts each lane in its own hash-tagged queue under the key prefix', async () => {
    h = await jobsHarness();
    const def = defineJob({
      name: 'tagged',
      lane: 'long',
      payload: keyed,
      jobId: (p) => jobIdOf('tagged', p.key),
      retry: RETRY.once,
      handle: async () => undefined,
    });
    h.runtime.register(def);
    await h.runtime.enqueue(def, { key: 't' }, { delayMs: 60_000 });
    const keys = await h.redis.keys(`*${h.prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith(`{${h.prefix}:jobs-long}:jobs-long:`)).toBe(true);
  });
});

describe('shutdown', () => {
  it('lets running jobs finish within the drain time', async () => {
    h = await jobsHarness();
    const done: string[] = [];
    const def = defineJob({
      name: 'short-work',
      lane: 'interactive',
      payload: keyed,
      jobId: (p) => jobIdOf('short', p.key),
      retry: RETRY.once,
      handle: async (p) => {
        await sleep(500);
        done.push(p.key);
      },
    });
    h.runtime.register(def);
    await h.runtime.startWorkers({ lanes: ['interactive'] });
    await h.runtime.enqueue(def, { key: 'finishing' });
    await eventually(async () =>
      expect(await h.runtime.queue('interactive').getJobCounts('active')).toEqual({ active: 1 }),
    );
    await h.runtime.stop(5_000);
    expect(done).toEqual(['finishing']);
  });

  it('hands a job still running at the drain deadline back, and another replica runs it at once', async () => {
    h = await jobsHarness();
    const runs: string[] = [];
    const make = (who: string) =>
      defineJob({
        name: 'playbook-step',
        lane: 'long',
        payload: keyed,
        jobId: (p) => jobIdOf('step', p.key),
        retry: RETRY.long,
        handle: async (_p, ctx) => {
          runs.push(`${who}:${ctx.attempt}`);
          if (who === 'a') await sleep(30_000);
          return who;
        },
      });
    h.runtime.register(make('a'));
    await h.runtime.startWorkers({ lanes: ['long'] });
    const id = await h.runtime.enqueue(make('a') as never, { key: 'run' }).catch(() => undefined);
    expect(id).toBeUndefined(); // only the registered definition object may enqueue
    const registered = h.runtime.definition('playbook-step')!;
    await h.runtime.enqueue(registered, { key: 'run' });
    await eventually(() => expect(runs).toEqual(['a:1']));

    const other = h.replica();
    other.register(make('b'));
    await other.startWorkers({ lanes: ['long'] });
    const stoppedAt = Date.now();
    await h.runtime.stop(1_500);
    expect(Date.now() - stoppedAt).toBeLessThan(2_500);
    await eventually(() => expect(runs).toEqual(['a:1', 'b:1']), 3_000);
    await eventually(async () => expect((await other.job(registered, 'step-run'))?.returnvalue).toBe('b'));
  });
});
