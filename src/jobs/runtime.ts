import { type Job, type JobsOptions, Queue } from 'bullmq';
import type { Logger } from '../logging/logger.js';
import type { RedisConnections } from '../redis/connection.js';
import { queuePrefix } from '../redis/keys.js';
import { confirmReplicated, NO_REPLICA_ACKS, type ReplicaAcks } from '../redis/replication.js';
import type { JobsConfig } from './config.js';
import { assertJobId, type GiveUp, type JobDefinition, LANES, type LaneName } from './define.js';
import { LaneWorker } from './lane-worker.js';

export interface JobRuntimeDeps {
  connections: RedisConnections;
  /** `redis.keyPrefix` of the config: every queue's keys live under it, hash-tagged per queue. */
  keyPrefix: string;
  config: JobsConfig;
  logger: Logger;
  /** "now" for `at:` enqueues (tests use a settable clock). */
  now?: () => number;
  /**
   * For job types without their own `onGiveUp`: told once when such a job is given up, so the
   * failure still reaches a person (services.ts writes it on the incident's timeline).
   */
  onGiveUp?: (definition: JobDefinition, payload: unknown, giveUp: GiveUp) => Promise<void>;
  /** `redis.replicaAcks`, resolved: what `confirmReplicated` waits for (default: nothing). */
  replicaAcks?: ReplicaAcks;
}

export interface EnqueueOptions {
  /** Run no earlier than this (a timer). */
  at?: Date;
  /** Run after this many milliseconds. */
  delayMs?: number;
}

export interface WorkerOptions {
  /** Lanes this process works on (default all). A replica may run only some. */
  lanes?: readonly LaneName[];
  /** Shown in Redis CLIENT LIST; default host-pid. */
  name?: string;
}

/** Per-lane queue names; with `queuePrefix` each lane's keys share one `{hash tag}`. */
export function laneQueueName(lane: LaneName): string {
  return `jobs-${lane}`;
}

/**
 * The one job runtime: a BullMQ Queue per lane for enqueueing (from any process), Workers per lane
 * where `startWorkers` runs, one retry classification and backoff, and a bounded drain on stop.
 * Register every definition before enqueueing or starting workers; names are unique.
 */
export class JobRuntime {
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly queues = new Map<LaneName, Queue>();
  private readonly workers: LaneWorker[] = [];
  private stopping?: Promise<void>;

  constructor(private readonly deps: JobRuntimeDeps) {}

  register(...definitions: JobDefinition[]): void {
    for (const definition of definitions) {
      const existing = this.definitions.get(definition.name);
      if (existing && existing !== definition)
        throw new Error(`two job definitions are named ${definition.name}`);
      this.definitions.set(definition.name, definition);
    }
  }

  definition(name: string): JobDefinition | undefined {
    return this.definitions.get(name);
  }

  /**
   * Puts a job in Redis (it survives this process) and returns its id. The payload is parsed first:
   * bad input throws and queues nothing. A payload whose job id is already stored (waiting, running,
   * or finished within the dedupe window) adds nothing: the same id comes back.
   */
  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: EnqueueOptions = {}): Promise<string> {
    const { data, jobId, opts } = this.prepare(definition, payload, options);
    await this.queue(definition.lane).add(definition.name, data, { ...opts, jobId });
    return jobId;
  }

  /**
   * Resolves once `redis.replicaAcks` replicas hold every job enqueued so far on `lane` (its queue's
   * node); throws WritesNotReplicatedError otherwise. For work acknowledged to a person right after.
   */
  async confirmReplicated(lane: LaneName): Promise<void> {
    const acks = this.deps.replicaAcks ?? NO_REPLICA_ACKS;
    if (acks.replicas === 0) return;
    // any connection to the queue's node will do: the marker it writes orders after every job there
    const { requestPath } = this.deps.connections;
    await confirmReplicated(requestPath, [queuePrefix(this.deps.keyPrefix, laneQueueName(lane))], acks);
  }

  /** Many jobs of one type in one round trip (reconciliation); same dedupe as `enqueue`. */
  async enqueueMany<P>(
    definition: JobDefinition<P>,
    items: readonly { payload: P; options?: EnqueueOptions }[],
  ): Promise<string[]> {
    const prepared = items.map((item) => this.prepare(definition, item.payload, item.options ?? {}));
    if (prepared.length === 0) return [];
    await this.queue(definition.lane).addBulk(
      prepared.map(({ data, jobId, opts }) => ({ name: definition.name, data, opts: { ...opts, jobId } })),
    );
    return prepared.map((p) => p.jobId);
  }

  /**
   * Removes a waiting or delayed job (tidiness: a handler must still check whether its work is
   * still wanted, since a running or already-fetched job cannot be removed). False if not removed.
   */
  async remove(definition: JobDefinition, jobId: string): Promise<boolean> {
    return (
      (await this.queue(definition.lane)
        .remove(jobId)
        .catch(() => 0)) === 1
    );
  }

  /** The stored job (tests, status pages); undefined once removed by the dedupe window. */
  async job(definition: JobDefinition, jobId: string): Promise<Job | undefined> {
    return (await this.queue(definition.lane).getJob(jobId)) ?? undefined;
  }

  /**
   * Runs `definition` every `everyMs` with `payload`, on one worker among all replicas (a BullMQ job
   * scheduler, upserted idempotently: any number of replicas may call this).
   */
  async every<P>(definition: JobDefinition<P>, everyMs: number, payload: P): Promise<void> {
    const data = this.parse(definition, payload);
    await this.queue(definition.lane).upsertJobScheduler(
      `every-${definition.name}`,
      { every: everyMs },
      { name: definition.name, data, opts: { removeOnComplete: true, removeOnFail: 50, attempts: 1 } },
    );
  }

  /** The lane's BullMQ queue (opened on first use with a fail-fast connection). */
  queue(lane: LaneName): Queue {
    let queue = this.queues.get(lane);
    if (!queue) {
      const name = laneQueueName(lane);
      queue = new Queue(name, {
        connection: this.deps.connections.forQueue(name),
        prefix: queuePrefix(this.deps.keyPrefix, name),
      });
      queue.on('error', (error) => this.deps.logger.warn({ err: error, lane }, 'job queue error'));
      this.queues.set(lane, queue);
    }
    return queue;
  }

  /** Starts workers for the given lanes in this process; their jobs run here from now on. */
  async startWorkers(options: WorkerOptions = {}): Promise<void> {
    if (this.stopping) throw new Error('the job runtime is stopped; build a new one to run jobs again');
    const lanes = options.lanes ?? LANES;
    for (const lane of lanes) {
      const name = laneQueueName(lane);
      const worker = LaneWorker.start({
        lane,
        queueName: name,
        prefix: queuePrefix(this.deps.keyPrefix, name),
        connection: this.deps.connections.forWorker(name),
        laneConfig: this.deps.config.lanes[lane],
        lockDuration: this.deps.config.lockDuration,
        definitions: this.definitions,
        logger: this.deps.logger,
        ...(this.deps.onGiveUp ? { onGiveUp: this.deps.onGiveUp } : {}),
        ...(options.name ? { name: options.name } : {}),
      });
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.ready()));
  }

  /** Whether this process's workers are started and not stopping (readiness). */
  workersRunning(): boolean {
    return !this.stopping && this.workers.length > 0 && this.workers.every((worker) => worker.isRunning());
  }

  /** Resolves once no job of these lanes is waiting, delayed or running (tests). */
  async idle(lanes: readonly LaneName[] = LANES, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let pending = 0;
      for (const lane of lanes) {
        const counts = await this.queue(lane).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        pending += Object.values(counts).reduce((a, b) => a + b, 0);
      }
      if (pending === 0) return;
      if (Date.now() > deadline) throw new Error(`${pending} jobs still pending in ${lanes.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Graceful stop: workers take no new jobs; running jobs get until `drainMs` (default
   * `jobs.drainTimeout`) to finish, then are aborted and handed back to the queue for another
   * replica; queues close. Bounded even when Redis is unreachable. Safe to call twice.
   */
  stop(drainMs = this.deps.config.drainTimeout): Promise<void> {
    this.stopping ??= (async () => {
      const deadline = Date.now() + drainMs;
      await Promise.all(this.workers.map((worker) => worker.stop(deadline)));
      await Promise.all(
        [...this.queues.values()].map((queue) => withDeadline(queue.close(), 250).catch(() => undefined)),
      );
    })();
    return this.stopping;
  }

  private prepare<P>(definition: JobDefinition<P>, payload: P, options: EnqueueOptions) {
    if (this.definitions.get(definition.name) !== definition)
      throw new Error(`job ${definition.name} is not registered with the job runtime`);
    const data = this.parse(definition, payload);
    const jobId = definition.jobId(data);
    assertJobId(jobId);
    const now = this.deps.now?.() ?? Date.now();
    const delay = options.at ? Math.max(0, options.at.getTime() - now) : Math.max(0, options.delayMs ?? 0);
    return { data, jobId, opts: { ...this.jobOptions(definition), ...(delay ? { delay } : {}) } };
  }

  private parse<P>(definition: JobDefinition<P>, payload: P): P {
    const parsed = definition.payload.safeParse(payload);
    if (!parsed.success)
      throw new Error(
        `invalid ${definition.name} payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
    return parsed.data;
  }

  /** Retention by age, at least the dedupe window, so a resend with the same id finds the old job. */
  private jobOptions(definition: JobDefinition): JobsOptions {
    const windowSeconds = Math.ceil(this.deps.config.dedupeWindow / 1000);
    return {
      attempts: definition.retry.attempts,
      backoff: { type: 'quell', delay: definition.retry.baseMs },
      removeOnComplete: { age: windowSeconds },
      // failures stay longer (a week at least): someone may want to see why
      removeOnFail: { age: Math.max(windowSeconds, 7 * 24 * 3600) },
    };
  }
}

/** Rejects when `promise` has not settled within `ms` (the promise itself keeps running). */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
