import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, ANNOUNCEMENTS, CrashWorld, until } from './harness.js';

/**
 * A declare crashed at each of its steps (record → channel → invite → summary → pin → announce),
 * each time right after the step's effect and before it is recorded, then taken over by another
 * replica: one incident, one channel, one pinned summary, one announcement, and the declarer told.
 */
const DECLARE_STEPS = [
  'declare.record',
  'declare.channel',
  'declare.invite',
  'declare.summary',
  'declare.pin',
  'declare.announce',
] as const;

describe('a declare crashed at any step is finished by another replica, once', () => {
  let world: CrashWorld;
  beforeEach(async () => {
    world = await CrashWorld.start();
  });
  afterEach(async () => {
    await world.stop();
  });

  it.each(DECLARE_STEPS)(
    'killed at %s',
    async (step) => {
      const first = await world.replica({ crashAt: step });
      const ack = await world.slack.sendCommand({
        user: ALICE,
        channel: 'C0GENERAL',
        text: 'declare sev1 Helpdesk agent refunds every ticket',
        command: '/incident',
      });
      expect(ack.status).toBe(200);
      const died = await first.exited;
      expect(died.signal, first.output()).toBe('SIGKILL');

      await world.replica();
      const [incident] = await until(
        async () => {
          const all = await world.incidents();
          return all.length === 1 && all[0]!.summaryTs && all[0] ? all : undefined;
        },
        30_000,
        'the declare finished by the second replica',
      );
      // the declarer hears where the incident is (through the stored response_url)
      await until(
        () =>
          world.slack.ephemerals({ user: ALICE }).find((e) => e.text.includes(`${incident!.id} is open in`)),
        40_000,
        'the declarer told',
      );

      expect(await world.incidents()).toHaveLength(1);
      const channels = world.incidentChannels();
      expect(channels.map((c) => c.id)).toEqual([incident!.channelId]);
      const pins = world.slack.pins(incident!.channelId!);
      expect(pins).toHaveLength(1);
      expect(pins[0]!.ts).toBe(incident!.summaryTs);
      const summaries = world.slack
        .messages(incident!.channelId!)
        .filter((m) => typeof m.bot_id === 'string' && String(m.text).startsWith(`${incident!.id} SEV1 `));
      expect(summaries).toHaveLength(1);
      await until(
        () => world.slack.messages(ANNOUNCEMENTS).some((m) => String(m.text).includes(incident!.id)),
        10_000,
        'the announcement',
      );
      const announcements = world.slack
        .messages(ANNOUNCEMENTS)
        .filter((m) => String(m.text).includes(incident!.id));
      expect(announcements).toHaveLength(1);
      const kinds = (await world.timeline(incident!.id)).map((e) => e.kind);
      expect(kinds.filter((k) => k === 'declared')).toHaveLength(1);
      expect(kinds).not.toContain('setup_failed');
      expect(world.slack.channel(incident!.channelId!)!.members).toContain(ALICE);
    },
    90_000,
  );
});
