import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import {
  defineAdapter,
  type PlanContext,
  type PlannedRequest,
  type RunContext,
  TargetError,
} from '../contract.js';

/**
 * `bullmq`: pause / resume the agent's own BullMQ queue on the agent's Redis, so its workers stop
 * fetching new jobs (jobs already running finish). Not HTTP: it talks Redis through BullMQ itself.
 * Docs: https://docs.bullmq.io/guide/workers/pausing-queues (`await queue.pause()` pauses the queue
 * globally: no worker picks up new jobs, busy workers finish their current job; `queue.resume()`
 * undoes it; `queue.isPaused()` reads it back). The Redis URL is a secret (it may carry a
 * password), the queue name and prefix are settings.
 */
const settingsSchema = z.strictObject({
  queue: z.string().min(1),
  /** The agent's BullMQ prefix (BullMQ's default is `bull`). */
  prefix: z.string().min(1).default('bull'),
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

type Command = 'pause' | 'resume' | 'isPaused';

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
  const connection = new Redis(url, {
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

export const bullmqAdapter = defineAdapter<Settings, Args>({
  id: 'bullmq',
  summary: "Pause the agent's BullMQ queue so workers take no new jobs",
  settingsSchema,
  argsSchema,
  secrets: { required: ['redisUrl'] },
  irreversible: () => false,
  describe: (ctx) => `Pause BullMQ queue ${ctx.settings.queue}`,
  plan: (phase, ctx) => [
    planned(ctx, phase === 'execute' ? 'pause' : phase === 'undo' ? 'resume' : 'isPaused'),
  ],
  async execute(ctx) {
    await withQueue(ctx, (queue) => queue.pause());
    return { detail: 'queue paused' };
  },
  async verify(ctx, _state, after) {
    const paused = await withQueue(ctx, (queue) => queue.isPaused());
    return { verified: after === 'execute' ? paused : !paused, observed: `paused: ${paused}` };
  },
  async undo(ctx) {
    await withQueue(ctx, (queue) => queue.resume());
    return { detail: 'queue resumed' };
  },
});
