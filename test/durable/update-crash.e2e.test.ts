import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, CrashWorld, until } from './harness.js';

/**
 * A structured update crashed at each step (recorded → summary refreshed → posted in the channel),
 * right after the step and before the next, then taken over by another replica: the update is on
 * the timeline once, posted in the channel once, and the pinned summary shows it.
 */
const UPDATE_STEPS = ['update.recorded', 'update.summary', 'update.posted'] as const;

describe('a structured update crashed at any step is recorded once', () => {
  let world: CrashWorld;
  beforeEach(async () => {
    world = await CrashWorld.start();
  });
  afterEach(async () => {
    await world.stop();
  });

  it.each(UPDATE_STEPS)(
    'killed at %s',
    async (step) => {
      const first = await world.replica({ crashAt: step });
      const incident = await world.declared('declare sev2 Agent emails customers their neighbours’ invoices');
      const channel = incident.channelId!;
      // a second later, so the summary's "Updated <time>" tells the update's render from the declare's
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const ack = await world.slack.sendCommand({
        user: ALICE,
        channel,
        text: 'update impact: 41 customers got another customer’s invoice containment: outbound email off investigation: reading the tool-call log',
        command: '/incident',
      });
      expect(ack.status).toBe(200);
      expect((await first.exited).signal, first.output()).toBe('SIGKILL');

      await world.replica();
      await until(
        () =>
          world.slack
            .ephemerals({ user: ALICE })
            .find((e) => e.text.startsWith(`Update posted to the ${incident.id} timeline`)),
        40_000,
        'the author told',
      );
      const updates = (await world.timeline(incident.id)).filter((e) => e.kind === 'update');
      expect(updates).toHaveLength(1);
      expect(updates[0]!.data).toMatchObject({
        impact: '41 customers got another customer’s invoice',
        containment: 'outbound email off',
        investigation: 'reading the tool-call log',
      });
      const posted = world.slack
        .messages(channel)
        .filter((m) => String(m.text).includes(`${incident.id} update from`));
      expect(posted).toHaveLength(1);
      // the pinned summary was re-rendered from the state the update left (its time, or a later one:
      // subscribers such as notification clocks may record after it)
      const rendered = JSON.stringify(world.slack.pins(channel)[0]!.blocks).match(/Updated <!date\^(\d+)\^/);
      const declaredAt = Math.floor(Date.parse(incident.updatedAt) / 1000);
      const updateAt = Math.floor(Date.parse(updates[0]!.at) / 1000);
      expect(updateAt).toBeGreaterThan(declaredAt);
      expect(Number(rendered![1])).toBeGreaterThanOrEqual(updateAt);
    },
    90_000,
  );
});
