import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QuellError } from '../../src/errors.js';
import { PostGuard } from '../../src/jobs/post-guard.js';
import { createRedisClient } from '../../src/redis/client.js';
import type { PrivateRedis } from '../../src/redis/private-server.js';
import {
  confirmReplicated,
  resolveReplicaAcks,
  WritesNotReplicatedError,
} from '../../src/redis/replication.js';
import { singleNode } from '../../src/redis/topology.js';
import { startPrivateReplicaPair } from '../helpers/redis-topologies.js';
import { buildTestServices, type TestServices } from '../helpers/services.js';

describe('confirmReplicated (WAIT on the node that holds the keys)', () => {
  let pair: { master: PrivateRedis; replica: PrivateRedis };
  const opened: Redis[] = [];
  const open = (port: number) => {
    const client = new Redis(port, '127.0.0.1');
    opened.push(client);
    return client;
  };
  beforeAll(async () => {
    pair = await startPrivateReplicaPair();
  }, 30_000);
  afterEach(() => {
    for (const client of opened.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await pair.replica.stop();
    await pair.master.stop();
  });

  it('resolves once the replica holds every earlier write to the node, even from another connection', async () => {
    const writer = open(pair.master.port);
    const confirmer = open(pair.master.port);
    await writer.set('{inc-1}:record', 'declared');
    await confirmReplicated(confirmer, ['{inc-1}:record'], { replicas: 1, timeoutMs: 500 });
    expect(await open(pair.replica.port).get('{inc-1}:record')).toBe('declared');
    // the marker it wrote carries the key's hash tag and expires
    expect(await writer.pttl('{inc-1}:record:replica-ack')).toBeGreaterThan(0);
  });

  it('refuses, naming what it got, when fewer replicas confirm in time (here: 2 wanted, 1 exists)', async () => {
    const started = Date.now();
    const refused = await confirmReplicated(open(pair.master.port), ['k'], {
      replicas: 2,
      timeoutMs: 200,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WritesNotReplicatedError);
    expect(refused).toMatchObject({ confirmed: 1, wanted: 2 });
    expect(String((refused as Error).message)).toContain('1 of 2 replica(s) within 200 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('sends nothing when no replica is asked for (one node)', async () => {
    const client = open(pair.master.port);
    const before = Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1]);
    await confirmReplicated(client, ['k'], { replicas: 0, timeoutMs: 500 });
    const after = Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1]);
    // only the two INFO calls themselves
    expect(after - before).toBe(1);
  });
});

describe('redis.replicaAcks: auto', () => {
  it('is 0 on one node and 1 on Sentinel; a number is taken as given', () => {
    const single = createRedisClient(singleNode('redis://127.0.0.1:1'), { lazyConnect: true });
    const sentinel = createRedisClient(
      {
        kind: 'sentinel',
        sentinels: [{ host: '127.0.0.1', port: 1 }],
        name: 'mymaster',
        auth: {},
        tls: false,
        sentinelAuth: {},
        sentinelTls: false,
      },
      { lazyConnect: true },
    );
    expect(resolveReplicaAcks({ replicas: 'auto', timeoutMs: 500 }, single)).toEqual({
      replicas: 0,
      timeoutMs: 500,
    });
    expect(resolveReplicaAcks({ replicas: 'auto', timeoutMs: 300 }, sentinel).replicas).toBe(1);
    expect(resolveReplicaAcks({ replicas: 2, timeoutMs: 500 }, single).replicas).toBe(2);
    single.disconnect();
    sentinel.disconnect();
  });
});

describe('what a person is told waits for a replica (a node that has none, replicas: 1)', () => {
  let h: TestServices;
  beforeEach(async () => {
    h = await buildTestServices({ yaml: 'redis:\n  replicaAcks: { replicas: 1, timeoutMs: 50 }\n' });
  });
  afterEach(async () => {
    await h?.cleanup();
  });

  it('a declare is reported as not yet safe, with what to do; running it again carries on with the same incident', async () => {
    const declare = () =>
      h.services.incidents.declare({
        title: 'Agent deletes tickets',
        severity: 'sev1',
        declaredBy: 'U0ALICE',
        idempotencyKey: 'replica-ack-declare',
      });
    const refused = await declare().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(QuellError);
    expect(refused).toMatchObject({ code: 'not_replicated' });
    expect((refused as QuellError).userMessage).toMatch(
      /^INC-\d+ may not be saved yet: Redis confirmed the write on 0 of 1 replica\(s\) within 50 ms .*Run the same command again/,
    );
    const id = /^(INC-\d+)/.exec((refused as QuellError).userMessage)![1];
    const again = await declare().catch((error: unknown) => error);
    expect((again as QuellError).userMessage).toContain(`${id} may not be saved yet`);
    expect((await h.services.store.listActive()).filter((i) => i.id === id)).toHaveLength(1);
  });

  it('an accepted Slack command is not promised: accept throws', async () => {
    const accepted = await h.services.requests
      .accept(
        'incident-command',
        'replica-ack-accept',
        { kind: 'command', body: {} } as never,
        async () => {},
      )
      .catch((error: unknown) => error);
    expect(accepted).toBeInstanceOf(WritesNotReplicatedError);
  });

  it('a post mark is not held (and is given back) until a replica has it', async () => {
    const guard = new PostGuard(
      h.redis.redis,
      (id, what, due) => `${h.config.redis.keyPrefix}:t:{${id}}:${what}:${due}`,
      {
        replicaAcks: { replicas: 1, timeoutMs: 50 },
      },
    );
    await expect(guard.claim('INC-9', 'prompt', 1)).rejects.toBeInstanceOf(WritesNotReplicatedError);
    expect(await h.redis.redis.exists(`${h.config.redis.keyPrefix}:t:{INC-9}:prompt:1`)).toBe(0);
    const relaxed = new PostGuard(
      h.redis.redis,
      (id, what, due) => `${h.config.redis.keyPrefix}:t:{${id}}:${what}:${due}`,
    );
    expect((await relaxed.claim('INC-9', 'prompt', 1)).outcome).toBe('claimed');
  });
});
