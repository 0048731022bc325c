import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminderKeys } from '../../src/reminders/keys.js';
import type { Services } from '../../src/services.js';
import { ALICE, type QuellProcess, QuellWorld } from './world.js';

/**
 * Three Quell processes on one Redis with 1,000 incidents whose prompts fall due within 20 s; two
 * of them are killed with SIGKILL mid-run (while posting, with declares just acknowledged). Counted
 * in the emulator's channels: every prompt posted once (none lost, none twice), and every declare
 * that was acknowledged is complete (channel and pinned summary) and prompted in its turn.
 */
const INCIDENTS = 1_000;
const CONFIG = `
severities:
  sev1: { cadence: 1h }
  sev2: { cadence: 4s }
reminders: { overdueAfter: 1h, reconcileEvery: 2s }
jobs:
  lockDuration: 1s
  slackTimeout: { background: 5s }
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('three replicas, two killed mid-run', () => {
  let world: QuellWorld;
  let scheduler: Services;
  beforeAll(async () => {
    world = await QuellWorld.start(CONFIG);
  });
  afterAll(async () => {
    await scheduler?.jobs.stop();
    await world.stop();
  });

  it('loses no prompt, posts none twice, and loses no acknowledged declare', async () => {
    const [first, second, third] = await Promise.all(['a', 'b', 'c'].map((n) => world.quell(n)));
    const t0 = Date.now() + 3_000;
    const seeded = await world.seed(INCIDENTS, (i) => new Date(t0 + Math.floor((i * 20_000) / INCIDENTS)));
    // the request path's scheduling, as a declare would do it: due-time index, then the delayed job
    scheduler = world.services();
    for (let i = 0; i < seeded.length; i += 100)
      await Promise.all(
        seeded.slice(i, i + 100).map((incident) =>
          scheduler.reminders.queue.schedulePrompt({
            incidentId: incident.id,
            dueAt: incident.nextUpdateDueAt!,
            overdueSince: incident.nextUpdateDueAt!,
            reason: 'declared',
          }),
        ),
      );

    const acked: string[] = [];
    const declareVia = async (to: QuellProcess, n: number) => {
      world.route(to);
      for (let i = 0; i < n; i++) {
        const title = `Scale-out declare ${acked.length + 1}`;
        const ack = await world.slack.sendCommand({
          user: ALICE,
          channel: 'C0GENERAL',
          text: `declare sev2 ${title}`,
          command: '/incident',
        });
        if (ack.status === 200) acked.push(title);
      }
    };
    await sleep(Math.max(0, t0 + 3_000 - Date.now()));
    await declareVia(first!, 2);
    await first!.kill(); // mid-run: prompts posting, two declares just acknowledged
    await sleep(4_000);
    await declareVia(second!, 2);
    await second!.kill();
    await declareVia(third!, 2);

    // every seeded prompt and every declare's first prompt has fired, and nothing is left to check
    const index = reminderKeys(world.prefix).dueIndex;
    const deadline = Date.now() + 40_000;
    const declaredDone = async () => {
      const declared = (await world.incidents()).filter((i) => i.title.startsWith('Scale-out declare'));
      return declared.length === acked.length && declared.every((i) => i.summaryTs && i.channelId)
        ? declared
        : undefined;
    };
    // the emulator runs in this process: poll cheaply (one ZCARD) until nothing is left to post
    let declared: Awaited<ReturnType<typeof declaredDone>>;
    while (Date.now() < deadline) {
      await sleep(1_000);
      if ((await world.redis.redis.zcard(index)) > 0) continue;
      declared = await declaredDone();
      const promptedAll =
        declared?.every((i) => world.prompts(i.channelId!).size > 0) &&
        seeded.every((i) => world.prompts(i.channelId!).size > 0);
      if (promptedAll) break;
    }
    declared = await declaredDone();
    await sleep(2_000); // a duplicate would come now, if at all

    expect(acked).toHaveLength(6);
    expect(declared?.map((i) => i.title).sort()).toEqual([...acked].sort());
    const lost = seeded.filter(
      (i) => !world.prompts(i.channelId!).has(`quell_prompt_${Date.parse(i.nextUpdateDueAt!)}`),
    );
    const counts = [...seeded, ...(declared ?? [])].flatMap((i) => [...world.prompts(i.channelId!).values()]);
    const duplicates = counts.filter((n) => n > 1).length;
    expect({ lost: lost.length, duplicates }).toEqual({ lost: 0, duplicates: 0 });
    expect(counts.length).toBeGreaterThanOrEqual(INCIDENTS + acked.length);
    for (const incident of declared ?? []) expect(world.prompts(incident.channelId!).size).toBeGreaterThan(0);
    expect(await world.redis.redis.zcard(index)).toBe(0);
    expect(third!.child.exitCode).toBeNull();
  }, 120_000);
});
