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

  /** Queues the task; it must report its own errors (the request it belongs to is already answered). */
  run(task: () => Promise<void>): void {
    void this.queue.add(task);
  }

  /** Resolves once every queued task has finished. */
  drain(): Promise<void> {
    return this.queue.onIdle();
  }
}
