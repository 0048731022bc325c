import { Queue } from 'bullmq';
import { z } from 'zod';
import { createRedisClient } from '../../redis/client.js';
import { singleNode } from '../../redis/topology.js';
import {
  defineAdapter,
  knownPrior,
  type PlanContext,
  type PlannedRequest,
  type RunContext,
  type RunState,
  TargetError,
} from '../contract.js';
import { knownState } from './common.js';

/**
 * `bullmq`: pause / resume the agent's own BullMQ queue on the agent's Redis, so its workers stop
 * fetching new jobs (jobs already running finish). Not HTTP: it talks Redis through BullMQ itself.
 * Docs: https://docs.bullmq.io/guide/workers/pausing-queues (`await queue.pause()` pauses the queue
 * globally: no worker picks up new jobs, busy workers finish their current job; `queue.resume()`
 * undoes it; `queue.isPaused()` reads it back; `queue.getActive()` lists the jobs still running).
 * Whether the queue was paused already is read first, so undo resumes only a queue Quell paused.
 * BullMQ cannot stop a running job from outside its worker: verify lists them as still in progress.
 * The Redis URL is a secret (it may carry a password), the queue name and prefix are settings.
 * Least privilege: a Redis ACL user limited to the queue's keys (`~<prefix>:<queue>:*`) and the
 * commands BullMQ's scripts use (EVALSHA/EVAL, HGET, HSET, LRANGE, ZRANGE...).
 */
const settingsSchema = z.strictObject({
  queue: z.string().min(1),
  /** The agent's BullMQ prefix (BullMQ's default is `bull`). */
  prefix: z.string().min(1).default('bull'),
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

type Command = 'pause' | 'resume' | 'isPaused' | 'getActive';

function planned(ctx: PlanContext<Settings, Args>, command: Command): PlannedRequest {
  return {
    method: 'REDIS',
    url: ctx.secrets.redisUrl ?? 'redis://',
    body: { command: `Queue#${command}`, queue: ctx.settings.queue, prefix: ctx.settings.prefix },
  };
}

/** Opens a short-lived connection, runs one queue command, closes; failures are retryable TargetErrors. */
async function withQueue<T>(ctx: RunContext<Settings, Args>, run: (queue: Queue) => Promise<T>): Promise<T> {
  const url = ctx.secrets.redisUrl ?? '';
  // through Quell's one connection factory (READONLY after a failover reconnects to the master)
  const connection = createRedisClient(singleNode(url), {
    lazyConnect: true,
    connectTimeout: ctx.timeoutMs,
    commandTimeout: ctx.timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  connection.on('error', () => {
    // surfaced through the command that fails
  });
  const started = performance.now();
  const record = { method: 'REDIS', url, durationMs: 0 } as {
    method: string;
    url: string;
    durationMs: number;
    error?: string;
  };
  ctx.http.attempts.push(record);
  try {
    await connection.connect();
    const queue = new Queue(ctx.settings.queue, { connection, prefix: ctx.settings.prefix });
    try {
      return await run(queue);
    } finally {
      await queue.close().catch(() => undefined);
    }
  } catch (error) {
    record.error = (error as Error).message;
    throw new TargetError(`Redis queue ${ctx.settings.queue}: ${(error as Error).message}`, {
      retryable: true,
      attempts: 1,
    });
  } finally {
    record.durationMs = Math.round(performance.now() - started);
    connection.disconnect();
  }
}

const wasPaused = (state?: RunState) => knownPrior(state)?.paused === true;

export const bullmqAdapter = defineAdapter<Settings, Args>({
  id: 'bullmq',
  summary: "Pause the agent's BullMQ queue so workers take no new jobs",
  settingsSchema,
  argsSchema,
  secrets: { required: ['redisUrl'] },
  irreversible: () => false,
  describe: (ctx) => `Pause BullMQ queue ${ctx.settings.queue}`,
  describeUndo: (_ctx, state) => {
    if (!knownPrior(state)) return 'resume the queue (whether it was paused before was not recorded)';
    return wasPaused(state)
      ? 'leave the queue paused (it was paused before containment)'
      : 'resume the queue';
  },
  plan: (phase, ctx, state) => {
    if (phase === 'execute') return [planned(ctx, 'isPaused'), planned(ctx, 'pause')];
    if (phase === 'verify') return [planned(ctx, 'isPaused'), planned(ctx, 'getActive')];
    return wasPaused(state) ? [] : [planned(ctx, 'resume')];
  },
  async execute(ctx) {
    const paused = await withQueue(ctx, async (queue) => {
      const before = await queue.isPaused();
      await queue.pause();
      return before;
    });
    return {
      detail: paused ? 'queue was already paused; kept paused' : 'queue paused',
      state: { prior: knownState(paused ? 'paused' : 'running', { paused }) },
    };
  },
  async verify(ctx, state, after) {
    const { paused, active } = await withQueue(ctx, async (queue) => ({
      paused: await queue.isPaused(),
      active: after === 'execute' ? (await queue.getActive(0, 99)).map((job) => String(job.id)) : [],
    }));
    const wanted = after === 'execute' ? true : wasPaused(state);
    return {
      verified: paused === wanted,
      observed: `paused: ${paused}${active.length ? `; ${active.length} job(s) still running (they finish; BullMQ cannot stop them from outside): ${active.join(', ')}` : ''}`,
      ...(active.length ? { inFlight: active } : {}),
    };
  },
  async undo(ctx, state) {
    if (wasPaused(state)) return { detail: 'queue was paused before containment: left paused' };
    await withQueue(ctx, (queue) => queue.resume());
    return { detail: 'queue resumed' };
  },
});
