import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reminderKeys } from '../../src/reminders/keys.js';
import { QuellWorld } from '../scale-out/world.js';

/**
 * An update prompt whose Quell process is killed (SIGKILL) at each step of posting it, then taken
 * over by another process once the job's lock expires (a stalled job): the channel shows the
 * prompt exactly once. The worst step is `prompt.accepted`: Slack has the message and Redis does
 * not say so; the process taking over finds it in the channel by its marker instead of posting.
 */
const CONFIG = `
severities:
  sev1: { cadence: 1h }
reminders: { overdueAfter: 1h }
jobs:
  lockDuration: 1s
  slackTimeout: { background: 1s }
`;

const STEPS = ['prompt.claimed', 'prompt.accepted', 'prompt.confirmed'] as const;

describe('an update prompt killed at any step is posted exactly once', () => {
  let world: QuellWorld;
  beforeEach(async () => {
    world = await QuellWorld.start(CONFIG);
  });
  afterEach(async () => {
    await world.stop();
  });

  it.each(STEPS)(
    'killed at %s',
    async (step) => {
      const [incident] = await world.seed(1, () => new Date(Date.now() + 1_000));
      const channel = incident!.channelId!;
      const doomed = await world.quell('doomed', { crashAt: step });
      expect((await doomed.exited).signal, doomed.output()).toBe('SIGKILL');
      const posted = world.prompts(channel).size;
      expect(posted).toBe(step === 'prompt.claimed' ? 0 : 1);
      const lookupsBefore = world.slack.callCount('conversations.history');

      const survivor = await world.quell('survivor');
      const index = reminderKeys(world.prefix).dueIndex;
      // done: the prompt's job finished, so the due-time index no longer names it
      const deadline = Date.now() + 30_000;
      while ((await world.redis.redis.zcard(index)) > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await world.redis.redis.zcard(index)).toBe(0);
      expect([...world.prompts(channel).values()]).toEqual([1]);
      // the run that died may have posted: the one that took over looked before posting
      if (step !== 'prompt.confirmed')
        expect(world.slack.callCount('conversations.history')).toBeGreaterThan(lookupsBefore);
      await survivor.kill();
    },
    60_000,
  );
});
