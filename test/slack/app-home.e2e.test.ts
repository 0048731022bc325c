import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tombstoneOf } from '../../src/incidents/tombstone.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { startLocalSlack } from '../helpers/local-slack.js';
import { declareSeeded, resolveAndArchive } from '../incidents/retention-seed.js';

/**
 * App Home reads a bounded, indexed view: the same Redis work whether there are 70 incidents or
 * 4,000 (it used to read every active incident and its timeline on each open). Counted on Quell's
 * request-path client (the one App Home's listener uses; its sendCommand wrapped), while one person
 * opens the Home tab.
 */
describe('App Home reads a bounded view whatever the number of incidents', () => {
  let local: Awaited<ReturnType<typeof startLocalSlack>>;

  beforeAll(async () => {
    // nothing else on the request-path client meanwhile: no retention sweep, no periodic reconcile
    local = await startLocalSlack({
      configYaml: 'retention:\n  enabled: false\nreminders:\n  reconcileEvery: 1h\n',
    });
  });
  afterAll(async () => {
    await local.stop();
  });

  /** Opens the Home tab as Alice; returns the Redis commands and distinct keys App Home read. */
  async function openHome(): Promise<{ commands: number; keys: number; view: string }> {
    const requestPath: Redis = local.runtime.services.redis;
    const before = JSON.stringify(local.slack.home(LOCAL_IDS.alice) ?? null);
    // every command the request-path client sends while the tab opens (the real client, wrapped)
    const seen: { args: string[] }[] = [];
    const send = requestPath.sendCommand.bind(requestPath);
    requestPath.sendCommand = ((command: { name: string; args: unknown[] }) => {
      seen.push({ args: [command.name, ...command.args.map(String)] });
      return send(command as never);
    }) as typeof requestPath.sendCommand;
    let view: string;
    try {
      await local.slack.openHome(LOCAL_IDS.alice);
      view = await local.slack.waitFor(() => {
        const now = JSON.stringify(local.slack.home(LOCAL_IDS.alice) ?? null);
        return now !== before ? now : undefined;
      }, 15_000);
    } finally {
      requestPath.sendCommand = send;
    }
    const ours = seen.filter((c) => c.args.some((a) => a.includes(local.prefix)));
    const keys = new Set(ours.flatMap((c) => c.args.filter((a) => a.includes(local.prefix))));
    return { commands: ours.length, keys: keys.size, view };
  }

  async function seed(from: number, to: number, resolvedEvery: number): Promise<void> {
    const store = local.runtime.services.store;
    const resolvedAt = new Date(Date.now() - 40 * 86_400_000);
    let next = from;
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        while (next <= to) {
          const seq = next++;
          await declareSeeded(store, seq, 2);
          if (seq % resolvedEvery === 0) await resolveAndArchive(store, `INC-${seq}`, resolvedAt);
        }
      }),
    );
  }

  it('opens with the same few commands at 70 and at 4,000 incidents, compacted ones listed', {
    timeout: 60_000,
  }, async () => {
    await seed(1, 70, 3);
    const small = await openHome();
    expect(small.view).toContain('Active incidents: approved talking points');

    await seed(71, 4_000, 2);
    // half of the resolved ones are compacted already (tombstones in the recent list)
    const store = local.runtime.services.store;
    for (const seq of [3_994, 3_996, 3_998, 4_000]) {
      const incident = (await store.get(`INC-${seq}`))!;
      const bundle = {
        location: `/evidence/INC-${seq}/v1`,
        version: 1,
        storage: 'local',
        manifestSha256: 'b'.repeat(64),
        archivedAt: incident.updatedAt,
      };
      expect(await store.compact(tombstoneOf(incident, bundle, new Date()), incident.version)).toBe(true);
    }
    const large = await openHome();

    // at most: 3 index reads, 30 + 10 records, 1 tombstone read, 3 per shown incident's talking
    // points, and the event's own delivery bookkeeping
    expect(large.commands).toBeLessThanOrEqual(100);
    expect(large.keys).toBeLessThanOrEqual(70);
    expect(Math.abs(large.commands - small.commands)).toBeLessThanOrEqual(5);
    console.log(
      `[app home] Redis commands per open: ${small.commands} at 70 incidents, ${large.commands} at 4,000 (keys ${small.keys} / ${large.keys})`,
    );

    // 2,012 active (47 of the first 70, every odd one after): the 15 most severe shown, the rest counted
    expect(small.view).toContain('32 more active incidents');
    expect(large.view).toContain(`${2_012 - 15} more active incidents`);
    expect(large.view).toContain('*INC-3997 · SEV2 · investigating*');
    expect(large.view).toContain('Recent incidents');
    expect(large.view).toContain('*INC-4000* · SEV1 · resolved');
    expect(large.view).toContain('compacted; evidence bundle v1 at `/evidence/INC-4000/v1`');
    expect(large.view).toContain('*INC-3999* · SEV4 · investigating');
  });
});
