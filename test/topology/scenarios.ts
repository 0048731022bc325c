import { expect } from 'vitest';
import { stringify } from 'yaml';
import { recordedCalls } from '../../src/containment/adapters/recording.js';
import type { Incident } from '../../src/incidents/model.js';
import type { Services } from '../../src/services.js';
import { confirmToken } from '../containment/harness.js';
import type { SlackCall } from '../helpers/fake-slack-api.js';
import type { TopologyServices } from '../helpers/topology-services.js';
import { eventually, promptsIn, sleep } from '../reminders/harness.js';

/** What every topology test runs: the same flows as the single-node tests, on Cluster or Sentinel. */

/** `count` SEV1 declares spread over the replicas, all at once. */
export async function declareMany(replicas: Services[], key: string, count: number): Promise<Incident[]> {
  const outcomes = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      replicas[i % replicas.length]!.incidents.declare({
        title: `Agent misbehaves ${key}-${i}`,
        severity: 'sev1',
        declaredBy: 'U0ALICE',
        idempotencyKey: `${key}-${i}`,
      }),
    ),
  );
  return outcomes.map((o) => o.incident);
}

/** The channels prompts went to, sorted, one entry per prompt (a duplicate shows twice). */
export function distinctChannels(prompts: SlackCall[]): string[] {
  return prompts.map((c) => String(c.params.channel)).sort();
}

export const TOPOLOGY_CONTAINMENT = stringify({
  containment: {
    actions: {
      'block-agent-key': { adapter: 'recording', settings: { delayMs: 20 } },
      'disable-email-tool': { adapter: 'recording', settings: { delayMs: 20 } },
      'pause-queue': { adapter: 'recording', settings: { delayMs: 20 } },
    },
    playbooks: { 'freeze-agent': { steps: ['block-agent-key', ['disable-email-tool', 'pause-queue']] } },
  },
});

/**
 * The commander presses Run on one replica while a redelivered press reaches another: the playbook
 * runs once. Returns the actions the target was told to execute for this incident.
 */
export async function confirmTwice(a: Services, b: Services, incident: Incident): Promise<string[]> {
  const confirmation = await a.containment.requestRun({
    incident,
    user: 'U0ALICE',
    kind: 'playbook',
    name: 'freeze-agent',
    args: {},
    dryRun: false,
  });
  const token = confirmToken(confirmation);
  await Promise.allSettled([
    a.containment.confirm(token, 'U0ALICE'),
    b.containment.confirm(token, 'U0ALICE'),
  ]);
  return recordedCalls
    .filter((c) => c.incidentId === incident.id && c.phase === 'execute')
    .map((c) => c.actionName);
}

/**
 * Two replicas declare `count` incidents at once: ids unique, every incident indexed, and every
 * prompt posted once (still once a second after the last arrived).
 */
export async function declaresFromTwoReplicasPromptOnce(
  world: TopologyServices,
  key: string,
  count: number,
): Promise<void> {
  const a = await world.replica();
  const b = await world.replica();
  const incidents = await declareMany([a, b], key, count);
  expect(new Set(incidents.map((i) => i.id)).size).toBe(count);
  expect((await a.store.listActive()).map((i) => i.id).sort()).toEqual(incidents.map((i) => i.id).sort());
  await eventually(() => expect(promptsIn(world.slack)).toHaveLength(count), 15_000);
  await sleep(1_000);
  expect(promptsIn(world.slack)).toHaveLength(count);
  expect(distinctChannels(promptsIn(world.slack))).toEqual(incidents.map((i) => i.channelId).sort());
}
