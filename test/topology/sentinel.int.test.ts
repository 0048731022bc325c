import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { recordedCalls } from '../../src/containment/adapters/recording.js';
import { type PrivateSentinel, startPrivateSentinel } from '../helpers/redis-topologies.js';
import { type TopologyServices, topologyServices } from '../helpers/topology-services.js';
import { eventually, FAST_CADENCES, promptsIn, sleep } from '../reminders/harness.js';
import {
  confirmTwice,
  declareMany,
  declaresFromTwoReplicasPromptOnce,
  distinctChannels,
  TOPOLOGY_CONTAINMENT,
} from './scenarios.js';

/** Sentinel on loopback: a master, a replica, three sentinels (quorum 2). */
describe('Quell on a Sentinel-managed master', () => {
  let sentinel: PrivateSentinel;
  let world: TopologyServices | undefined;
  beforeAll(async () => {
    sentinel = await startPrivateSentinel();
  }, 60_000);
  afterEach(async () => {
    await world?.cleanup();
    world = undefined;
  });
  afterAll(async () => {
    await sentinel?.stop();
  });

  it('declares from two replicas at once with unique ids, indexes them all, and posts every prompt once', async () => {
    world = topologyServices(sentinel.topology, { yaml: FAST_CADENCES, clock: systemClock });
    await declaresFromTwoReplicasPromptOnce(world, 's', 10);
  });

  it('runs a containment playbook once when two replicas confirm it together', async () => {
    world = topologyServices(sentinel.topology, {
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

  it('follows a failover with prompts pending and a declare in flight: workers write to the new master, nothing acknowledged is lost', async () => {
    world = topologyServices(sentinel.topology, { yaml: FAST_CADENCES, clock: systemClock });
    const a = await world.replica();
    const b = await world.replica();
    const acknowledged = await declareMany([a, b], 'before', 6);
    const oldMaster = await sentinel.masterPort();

    const inFlight = declareMany([b], 'during', 1).then(
      ([incident]) => incident!,
      () => undefined,
    );
    const newMaster = await sentinel.failover();
    expect(newMaster).not.toBe(oldMaster);
    // the person's retry (same idempotency key) completes a declare the failover interrupted
    const during =
      (await inFlight) ?? (await eventually(async () => (await declareMany([b], 'during', 1))[0]!, 15_000));
    // and a declare after the failover works without restarting anything (no READONLY on the old
    // master). Until Sentinel demotes the old master (up to ~10 s) and it resyncs, the new master
    // has no replica and declares are refused as not yet safe; one on the old master would be lost.
    const [after] = await eventually(() => declareMany([a], 'after', 1), 30_000);
    const all = [...acknowledged, during, after!];

    await eventually(() => expect(promptsIn(world!.slack)).toHaveLength(8), 25_000);
    await sleep(1_500);
    expect(distinctChannels(promptsIn(world.slack))).toEqual(all.map((i) => i.channelId).sort());
    expect((await a.store.listActive()).map((i) => i.id).sort()).toEqual(all.map((i) => i.id).sort());
    expect(new Set(all.map((i) => i.id)).size).toBe(8);
  }, 90_000);
});
