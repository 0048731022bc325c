import PQueue from 'p-queue';

/**
 * Work that continues after Slack has its ack. It runs a few at a time, so a burst of slow work
 * (a wave of declares) never starves the acks of new requests, and shutdown can wait for it.
 */
export class AfterAckWork {
  private readonly queue: PQueue;

  constructor(concurrency = 4) {
    this.queue = new PQueue({ concurrency });
  }

  /**
   * Queues the task; it must report its own errors (the request it belongs to is already answered).
   * `key` is the request's idempotency key (trigger id, view id, action ts, event id): unused by this
   * in-memory queue beyond logging, it is what a durable job queue would deduplicate on.
   */
  run(task: () => Promise<void>, key?: string): void {
    // the boundary's tasks report their own failures; one that still throws is surfaced as a process
    // warning, never as an unhandled rejection that would end the process
    void this.queue
      .add(task)
      .catch((error: unknown) => process.emitWarning(`after-ack task ${key ?? ''} failed: ${String(error)}`));
  }

  /** Resolves once every queued task has finished. */
  drain(): Promise<void> {
    return this.queue.onIdle();
  }
}
