import type { ChatPort } from '../chat/port.js';
import type { IncidentStore } from './store.js';

/** Step records outlive any resume: a week. */
const STEP_TTL_SECONDS = 7 * 24 * 3600;

/**
 * What a multi-step flow (a declare's channel set-up) has reached, recorded per incident in Redis,
 * so a re-run on any replica continues from there instead of doing a step twice.
 * - `done(step)` / `mark(step)`: a step that finished.
 * - `intend(step)`: recorded *before* a step's effect (a post, a create): a re-run that finds an
 *   intent knows the effect may have happened and looks for it before doing it again.
 */
export class SetupProgress {
  constructor(
    private readonly store: IncidentStore,
    private readonly flow: string,
    private readonly subject: string,
  ) {}

  async done(step: string): Promise<boolean> {
    return (await this.store.readClaim(this.flow, `${this.subject}.${step}`)) === 'done';
  }

  async mark(step: string): Promise<void> {
    await this.store.setClaim(this.flow, `${this.subject}.${step}`, 'done', STEP_TTL_SECONDS);
  }

  /**
   * Records that the step's effect is about to happen, with a value (a channel name, a start time).
   * Returns the value an earlier run recorded instead, when there was one: that run may have done it.
   */
  async intend(step: string, value: string): Promise<{ value: string; earlier: boolean }> {
    const earlier = await this.store.claimOnce(
      this.flow,
      `${this.subject}.${step}.intent`,
      value,
      STEP_TTL_SECONDS,
    );
    return earlier === null ? { value, earlier: false } : { value: earlier, earlier: true };
  }

  /** Replaces an intent's value (the next attempt of a step, e.g. the next channel name). */
  async reintend(step: string, value: string): Promise<void> {
    await this.store.setClaim(this.flow, `${this.subject}.${step}.intent`, value, STEP_TTL_SECONDS);
  }
}

/**
 * A message a bot posted in `channel` since `sinceMs` with exactly this text: what an earlier run of
 * a post step left, if it got that far (the same state renders the same text). Reads the newest page
 * only (the window since the intent is seconds to minutes).
 */
export async function findEarlierPost(
  chat: ChatPort,
  channel: string,
  text: string,
  sinceMs: number,
): Promise<string | undefined> {
  const page = await chat.channelHistoryPage(channel, { limit: 100 });
  const found = page.messages.find(
    (m) => typeof m.bot_id === 'string' && Number(m.ts) * 1000 >= sinceMs - 1_000 && m.text === text,
  );
  return found?.ts;
}
