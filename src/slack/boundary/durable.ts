import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import {
  defineJob,
  type JobDefinition,
  type JobRuntime,
  jobIdOf,
  RETRY,
  RetryLaterError,
  withDeadline,
} from '../../jobs/index.js';
import type { Logger } from '../../logging/logger.js';
import type { ListenerDeps } from './deps.js';

/**
 * Slack requests whose work continues after the reply, as durable jobs. The boundary hands each one
 * here *before* it answers Slack: the request (what Slack sent, enough to run it again) goes into
 * Redis as a job whose id is the request's idempotency key, so
 * - a re-delivery or double submission with the same key maps to the same job: one effect;
 * - a crash of the process that replied loses nothing: the job is re-run on any replica (BullMQ's
 *   stall check), rebuilt from the stored request by its listener's `resume`.
 * In the accepting process the job runs the closure the boundary built (with the request's own
 * client and response_url), so nothing is parsed twice on the common path.
 */

/** What a listener stores to be run again elsewhere: Slack's payload parts, JSON only. */
export type StoredRequest = Record<string, unknown>;

/** A listener that can run a stored request without the original Bolt arguments. */
export interface Resumable {
  /** `${kind} ${id}`: which listener a stored request belongs to. */
  readonly key: string;
  resume(request: StoredRequest, deps: ListenerDeps, client: WebClient): Promise<void>;
}

const payloadSchema = z.object({
  listener: z.string().min(1),
  idempotencyKey: z.string().min(1),
  /** Tells this delivery from a re-delivery with the same key (which must add nothing). */
  delivery: z.string().min(1),
  request: z.record(z.string(), z.unknown()),
});
export type RequestJobPayload = z.output<typeof payloadSchema>;

/** Enqueueing waits at most this long: the ack must stay inside Slack's 3 s even with Redis slow. */
export const ENQUEUE_DEADLINE_MS = 1_500;

export type Accepted = 'queued' | 'duplicate';

/**
 * How long work accepted here waits for the listener's ack before it runs anyway (the ack normally
 * follows within a millisecond; this only bounds a listener that threw before acking).
 */
const ACK_WAIT_MS = 3_000;

/**
 * How long accepted work waits here for this process's worker. Past it (another replica ran the job,
 * or it is still queued) it is dropped: a job reaching this process later is rebuilt from Redis.
 */
const LOCAL_WORK_TTL_MS = 10 * 60_000;

export class DurableRequests {
  readonly job: JobDefinition<RequestJobPayload>;
  /** Work accepted by this process, by job id: run here when this process's worker gets the job. */
  private readonly local = new Map<string, () => Promise<void>>();
  private readonly idleWaiters = new Set<() => void>();
  private listeners?: { byKey: Map<string, Resumable>; deps: ListenerDeps; client: WebClient };

  constructor(private readonly deps: { jobs: JobRuntime; logger: Logger }) {
    this.job = defineJob({
      name: 'slack-request',
      lane: 'interactive',
      payload: payloadSchema,
      jobId: (p) => requestJobId(p.idempotencyKey),
      // the work tells the person its own failures (reply policy); a crash re-runs it (stall check)
      retry: RETRY.once,
      handle: (payload) => this.run(payload),
    });
  }

  /**
   * The listeners that can resume stored requests, with the deps and the bot's client to run them
   * (called by registerListeners once the Bolt app exists). Until then a job waits for it.
   */
  attach(listeners: readonly Resumable[], deps: ListenerDeps, client: WebClient): void {
    this.listeners = { byKey: new Map(listeners.map((l) => [l.key, l])), deps, client };
  }

  /**
   * Puts the request into Redis (before the caller replies) and remembers `work` to run here. A
   * request whose key is already stored adds nothing and `work` is dropped: `'duplicate'`.
   * Throws when Redis cannot take it within ENQUEUE_DEADLINE_MS: the caller must not promise work.
   * `acked`: the caller's ack to Slack. This process's worker can take the job before the caller
   * has acked (the add wakes it, while the caller still awaits the read-back and the replica
   * confirmation), so the work here waits for it: the person never sees the outcome before the ack.
   */
  async accept(
    listener: string,
    idempotencyKey: string,
    request: StoredRequest,
    work: () => Promise<void>,
    acked?: Promise<unknown>,
  ): Promise<Accepted> {
    const delivery = randomUUID();
    const jobId = requestJobId(idempotencyKey);
    // registered before the add: this process's worker may take the job at once
    const fresh = !this.local.has(jobId);
    if (fresh) {
      const runHere = acked ? afterAck(acked, work) : work;
      this.local.set(jobId, runHere);
      // another replica's worker may take the job: then this closure is never run here
      setTimeout(() => this.forget(jobId, runHere), LOCAL_WORK_TTL_MS).unref();
    }
    try {
      await withDeadline(
        this.deps.jobs.enqueue(this.job, { listener, idempotencyKey, delivery, request }),
        ENQUEUE_DEADLINE_MS,
      );
      const stored = await withDeadline(this.deps.jobs.job(this.job, jobId), ENQUEUE_DEADLINE_MS);
      // a failover must not lose what the person is about to be told is under way
      await this.deps.jobs.confirmReplicated(this.job.lane);
      if (stored?.data?.delivery === delivery) return 'queued';
    } catch (error) {
      if (fresh) this.forget(jobId);
      throw error;
    }
    // the key was stored by an earlier delivery: that job does (or did) the work
    if (fresh) this.forget(jobId);
    return 'duplicate';
  }

  /** Resolves once every request this process accepted has run (tests, shutdown). */
  async drain(timeoutMs = 30_000): Promise<void> {
    if (this.local.size === 0) return;
    await withDeadline(new Promise<void>((resolve) => this.idleWaiters.add(resolve)), timeoutMs);
  }

  private async run(payload: RequestJobPayload): Promise<void> {
    const jobId = requestJobId(payload.idempotencyKey);
    const work = this.local.get(jobId);
    if (work) {
      try {
        await work();
      } finally {
        this.forget(jobId);
      }
      return;
    }
    // accepted by another process (which crashed, or whose worker is busy): rebuild it from Redis
    const listeners = this.listeners ?? (await this.attached());
    const listener = listeners.byKey.get(payload.listener);
    if (!listener) {
      this.deps.logger.error({ listener: payload.listener }, 'stored Slack request for an unknown listener');
      return;
    }
    this.deps.logger.info(
      { listener: payload.listener, idempotencyKey: payload.idempotencyKey },
      'resuming a Slack request accepted by another process',
    );
    await listener.resume(payload.request, listeners.deps, listeners.client);
  }

  /** Workers may start before the Bolt app registers its listeners: a resumed job waits for them. */
  private async attached(timeoutMs = 30_000): Promise<NonNullable<DurableRequests['listeners']>> {
    const deadline = Date.now() + timeoutMs;
    while (!this.listeners) {
      if (Date.now() > deadline)
        throw new RetryLaterError('Slack listeners were never registered in this process');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.listeners;
  }

  /** Drops the accepted work of a job (only `work`, when given: not a later acceptance's). */
  private forget(jobId: string, work?: () => Promise<void>): void {
    if (work && this.local.get(jobId) !== work) return;
    this.local.delete(jobId);
    if (this.local.size > 0) return;
    for (const resolve of this.idleWaiters) resolve();
    this.idleWaiters.clear();
  }
}

/** `work`, started once `acked` settles (or ACK_WAIT_MS has passed). */
function afterAck(acked: Promise<unknown>, work: () => Promise<void>): () => Promise<void> {
  return async () => {
    await withDeadline(acked, ACK_WAIT_MS).catch(() => undefined);
    await work();
  };
}

/** The job id of a request: its idempotency key, made BullMQ-safe. */
export function requestJobId(idempotencyKey: string): string {
  return jobIdOf('slack', idempotencyKey);
}
