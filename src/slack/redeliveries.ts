import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { redisKeys } from '../redis/keys.js';

/**
 * Socket Mode redelivers an envelope whose ack did not reach Slack in 3 s (a slow ack, a dropped
 * connection, a `disconnect` while the ack was on its way), with the very same payload. Quell takes
 * each payload's own idempotency key once, across replicas, and acks a repeat without running it
 * again, so a redelivered note is recorded once and a redelivered declare opens one channel.
 *
 * The key is the payload's, not the envelope's: a person's every command, click, submission and
 * shortcut carries a fresh trigger id, every event an event id; a redelivery carries the same one.
 */
export function deliveryKey(body: unknown): string | undefined {
  const b = body as {
    type?: string;
    event_id?: string;
    command?: string;
    trigger_id?: string;
    view?: { id?: string };
  };
  if (b.type === 'event_callback' && b.event_id) return `event:${b.event_id}`;
  if (b.command && b.trigger_id) return `command:${b.trigger_id}`;
  if (b.type && b.trigger_id) return `${b.type}:${b.trigger_id}`;
  if (b.type === 'view_closed' && b.view?.id) return `view_closed:${b.view.id}`;
  return undefined;
}

/** Slack gives up redelivering within minutes; an hour of memory is ample. */
const REMEMBER_SECONDS = 3600;
/**
 * How long a delivery counts as taken while it runs. A replica that dies mid-run leaves its claim to
 * expire, so a later redelivery of that delivery runs instead of being dropped for good.
 */
const RUNNING_SECONDS = 60;

/**
 * Which deliveries were taken, in Redis, so every replica gives the same answer. A delivery is
 * claimed while it runs, remembered for the hour once it ran (its work acknowledged and handed on),
 * and released when it failed before that, so Slack's next redelivery gets another chance.
 */
export class DeliveryLedger {
  private readonly keys: ReturnType<typeof redisKeys>;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.keys = redisKeys(keyPrefix);
  }

  /** True when this delivery is new (and now claimed); false while it runs elsewhere or once it ran. */
  async claim(key: string): Promise<boolean> {
    const set = await this.redis.set(this.redisKey(key), 'running', 'EX', RUNNING_SECONDS, 'NX');
    return set === 'OK';
  }

  async done(key: string): Promise<void> {
    await this.redis.set(this.redisKey(key), 'done', 'EX', REMEMBER_SECONDS);
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.redisKey(key));
  }

  private redisKey(key: string): string {
    return this.keys.idempotency('delivery', key);
  }
}

export type Deliveries = Pick<DeliveryLedger, 'claim' | 'done' | 'release'>;

/**
 * Bolt global middleware: a repeat delivery is acknowledged and goes no further. When Redis cannot
 * answer, the delivery runs (a possible duplicate beats a lost request).
 */
export function skipRedeliveries(ledger: Deliveries, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = deliveryKey(args.body);
    let claimed: boolean | undefined;
    if (key) {
      try {
        claimed = await ledger.claim(key);
      } catch (error) {
        logger.warn({ err: error, key }, 'could not check for a Socket Mode redelivery; handling it');
      }
    }
    if (claimed === false) {
      logger.info(
        { key, retryNum: args.context.retryNum },
        'Socket Mode redelivery acknowledged, not run again',
      );
      // events are acknowledged by Bolt before middleware runs; everything else waits for this ack
      const ack = (args as { ack?: () => Promise<void> }).ack;
      if (ack) await ack();
      return;
    }
    try {
      await args.next();
    } catch (error) {
      if (key && claimed) await ledger.release(key).catch(() => undefined);
      throw error;
    }
    if (key && claimed)
      await ledger
        .done(key)
        .catch((error: unknown) => logger.warn({ err: error, key }, 'could not remember a delivery'));
  };
}
