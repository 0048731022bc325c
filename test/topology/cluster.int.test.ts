import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { recordedCalls } from '../../src/containment/adapters/recording.js';
import { laneQueueName } from '../../src/jobs/runtime.js';
import { connectRedis } from '../../src/redis/connection.js';
import { queuePrefix } from '../../src/redis/keys.js';
import { type PrivateCluster, startPrivateCluster } from '../helpers/redis-topologies.js';
import { type TopologyServices, topologyServices } from '../helpers/topology-services.js';
import { eventually, FAST_CADENCES, promptsIn, sleep } from '../reminders/harness.js';
import {
  confirmTwice,
  declareMany,
  declaresFromTwoReplicasPromptOnce,
  distinctChannels,
  TOPOLOGY_CONTAINMENT,
} from './scenarios.js';

/** Redis Cluster on loopback: 3 masters, each with a replica (so a killed master's slots move). */
describe('Quell on a 3-master Redis Cluster', () => {
  let cluster: PrivateCluster;
  let world: TopologyServices | undefined;
  beforeAll(async () => {
    cluster = await startPrivateCluster({ masters: 3, replicas: 1 });
  }, 60_000);
  afterEach(async () => {
    await world?.cleanup();
    world = undefined;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('declares from two replicas at once with unique ids, indexes them all, and posts every prompt once', async () => {
    world = topologyServices(cluster.topology, { yaml: FAST_CADENCES, clock: systemClock });
    await declaresFromTwoReplicasPromptOnce(world, 'c', 12);
  });

  it('refuses to start with a single-node client on a Cluster node, naming the variable to set', async () => {
    const node = cluster.topology.nodes[0]!;
    await expect(connectRedis(`redis://127.0.0.1:${node.port}`)).rejects.toThrow(
      `is a Redis Cluster node: set REDIS_CLUSTER_NODES=127.0.0.1:${node.port} (and unset REDIS_URL)`,
    );
  });

  it('runs a containment playbook once when two replicas confirm it together', async () => {
    world = topologyServices(cluster.topology, {
      yaml: TOPOLOGY_CONTAINMENT,
      slack: { users: [{ id: 'U0ALICE', name: 'Alice' }] },
    });
    const a = await world.replica({ background: false });
    const b = await world.replica({ background: false });
    recordedCalls.length = 0;
    const [incident] = await declareMany([a], 'contain', 1);
    const executed = await confirmTwice(a, b, incident!);
    expect(executed.sort()).toEqual(['block-agent-key', 'disable-email-tool', 'pause-queue']);
    expect(await a.containment.runs(incident!.id)).toHaveLength(3);
  });

  it('loses no pending prompt and no acknowledged declare when the master of the reminder queue is killed', async () => {
    world = topologyServices(cluster.topology, { yaml: FAST_CADENCES, clock: systemClock });
    const a = await world.replica();
    const b = await world.replica();
    const acknowledged = await declareMany([a, b], 'before', 6);
    // the master serving the reminders' queue (its keys share one hash tag, one slot)
    const probe = await connectRedis(cluster.topology);
    const slot = Number(
      await probe.cluster(
        'KEYSLOT',
        `${queuePrefix(world.config.redis.keyPrefix, laneQueueName('background'))}:x`,
      ),
    );
    probe.disconnect();
    const victim = await cluster.masterOf(slot);

    // a declare in flight while the master dies: either it is acknowledged (and then kept) or it
    // fails, and the person's retry (same idempotency key) completes it
    const inFlight = declareMany([b], 'during', 1).then(
      ([incident]) => incident!,
      () => undefined,
    );
    victim.process.kill('SIGKILL');
    let during = await inFlight;
    const duringFirst = during !== undefined;
    await cluster.waitHealthy(20_000);
    // the promoted replica has no replica of its own, so nothing written to it can be confirmed
    // (redis.replicaAcks) until the dead master is back, as its supervisor would bring it
    await cluster.restart(victim);
    during ??= await eventually(async () => (await declareMany([b], 'during', 1))[0]!, 15_000);
    const all = [...acknowledged, during];

    // the periodic reconciliation (once a minute in production) runs once the cluster is back:
    // a prompt whose scheduling the outage interrupted is re-added from the due-time index
    await eventually(() => a.reminders.reconcile(), 10_000);
    await eventually(() => {
      const got = distinctChannels(promptsIn(world!.slack));
      const missing = all.filter((i) => !got.includes(i.channelId!)).map((i) => i.id);
      expect(
        got,
        `no prompt yet for ${missing.join(', ')} (${during.id} declared ${duringFirst ? 'while the master died' : 'on retry'})`,
      ).toHaveLength(7);
    }, 25_000);
    await sleep(1_500);
    expect(promptsIn(world.slack)).toHaveLength(7);
    expect(distinctChannels(promptsIn(world.slack))).toEqual(all.map((i) => i.channelId).sort());
    for (const incident of all) expect(await a.store.get(incident.id)).toMatchObject({ id: incident.id });
    expect((await a.store.listActive()).map((i) => i.id).sort()).toEqual(all.map((i) => i.id).sort());
    expect(new Set(all.map((i) => i.id)).size).toBe(7);
  }, 60_000);
});
