import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { DeliveryLedger, deliveryKey, skipRedeliveries } from '../../src/slack/redeliveries.js';
import { openTestRedis } from '../helpers/redis.js';

/** A Socket Mode redelivery runs once, across replicas; a delivery that failed may run again. */

const logger = createLogger('silent');

describe('deliveryKey', () => {
  it('is the payload’s own key: event id, trigger id, closed view', () => {
    expect(deliveryKey({ type: 'event_callback', event_id: 'Ev0123ABCD' })).toBe('event:Ev0123ABCD');
    expect(deliveryKey({ command: '/incident', text: 'note x', trigger_id: '1.2.abc' })).toBe(
      'command:1.2.abc',
    );
    expect(deliveryKey({ type: 'block_actions', trigger_id: '3.4.def' })).toBe('block_actions:3.4.def');
    expect(deliveryKey({ type: 'view_submission', trigger_id: '5.6.aaa', view: { id: 'V1' } })).toBe(
      'view_submission:5.6.aaa',
    );
    expect(deliveryKey({ type: 'view_closed', view: { id: 'V0123' } })).toBe('view_closed:V0123');
    expect(deliveryKey({ type: 'block_suggestion' })).toBeUndefined();
  });
});

describe('skipRedeliveries', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  beforeEach(async () => {
    env = await openTestRedis();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  const delivery = (next: () => Promise<void>) => {
    const ack = vi.fn(async () => {});
    return {
      ack,
      args: {
        body: { command: '/incident', text: 'note Refund tool', trigger_id: '17.42.cafe' },
        context: { retryNum: 1 },
        next,
        ack,
      } as never,
    };
  };

  it('runs a delivery once; a repeat on another replica is acked and not run', async () => {
    const replicaA = skipRedeliveries(new DeliveryLedger(env.redis, env.prefix), logger);
    const replicaB = skipRedeliveries(new DeliveryLedger(env.redis, env.prefix), logger);
    const runs: string[] = [];
    const first = delivery(async () => void runs.push('a'));
    await replicaA(first.args);
    const repeat = delivery(async () => void runs.push('b'));
    await replicaB(repeat.args);
    expect(runs).toEqual(['a']);
    expect(first.ack).not.toHaveBeenCalled(); // the listener acks a delivery it runs
    expect(repeat.ack).toHaveBeenCalledTimes(1);
    expect(await env.redis.get(`${env.prefix}:once:delivery:command:17.42.cafe`)).toBe('done');
    expect(await env.redis.ttl(`${env.prefix}:once:delivery:command:17.42.cafe`)).toBeGreaterThan(3000);
  });

  it('a delivery that failed is released, so the next redelivery runs', async () => {
    const middleware = skipRedeliveries(new DeliveryLedger(env.redis, env.prefix), logger);
    await expect(
      middleware(
        delivery(async () => {
          throw new Error('listener crashed');
        }).args,
      ),
    ).rejects.toThrow('listener crashed');
    const runs: string[] = [];
    await middleware(delivery(async () => void runs.push('again')).args);
    expect(runs).toEqual(['again']);
  });

  it('a repeat while the first still runs is not run twice', async () => {
    const middleware = skipRedeliveries(new DeliveryLedger(env.redis, env.prefix), logger);
    let finish!: () => void;
    const running = middleware(delivery(() => new Promise<void>((r) => (finish = r))).args);
    const repeat = delivery(async () => {
      throw new Error('must not run');
    });
    await middleware(repeat.args);
    expect(repeat.ack).toHaveBeenCalledTimes(1);
    finish();
    await running;
  });

  it('runs the delivery when Redis cannot answer (a duplicate beats a lost request)', async () => {
    const down = {
      claim: async () => {
        throw new Error('connection refused');
      },
      done: async () => {},
      release: async () => {},
    };
    const runs: string[] = [];
    await skipRedeliveries(down, logger)(delivery(async () => void runs.push('ran')).args);
    expect(runs).toEqual(['ran']);
  });
});
