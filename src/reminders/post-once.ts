import { type ChatMessage, type ChatPort, ChatUnavailableError } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { classifyJobError, type PostGuard, RetryLaterError } from '../jobs/index.js';

/** While another run holds the post mark, come back after this long. */
const BUSY_RETRY_MS = 5_000;

export interface PostOnceDeps {
  guard: PostGuard;
  /** The background chat: failures surface at once so the job retries. */
  chat: ChatPort;
  clock: Clock;
}

export interface PostOnceRequest {
  incidentId: string;
  channel: string;
  /** What is posted ("prompt", "overdue-2", "obl-remind-gdpr-art33-3600000"): part of the mark. */
  what: string;
  /** The instant the post is for (a due time, a deadline): part of the mark. */
  keyMs: number;
  build(at: Date, marker: string): ChatMessage;
}

/**
 * The exactly-once posting path of every timer message (prompts, ladder steps, obligation
 * reminders): a PostGuard mark per (incident, what, instant); a duplicate run posts nothing; a
 * post whose fate is unknown is looked for in the channel (by its block_id marker) before a retry.
 * Returns whether this run posted, when the message went out, and its ts when known.
 */
export async function postOnce(
  deps: PostOnceDeps,
  request: PostOnceRequest,
): Promise<{ fresh: boolean; postedAt: Date; ts?: string }> {
  const { guard, chat, clock } = deps;
  const { incidentId, channel, what, keyMs } = request;
  const marker = `quell_${what}_${keyMs}`;
  let claim = await guard.claim(incidentId, what, keyMs);
  if (claim.outcome === 'posted') return { fresh: false, postedAt: claim.postedAt };
  if (claim.outcome === 'uncertain') {
    const found = await findInChannel(chat, channel, marker);
    if (found) {
      await claim.resolve(claim.since, found.ts);
      return { fresh: false, postedAt: claim.since, ts: found.ts };
    }
    claim = await claim.takeOver();
  }
  if (claim.outcome !== 'claimed')
    throw new RetryLaterError(`another run is posting the ${what}`, BUSY_RETRY_MS);
  const postedAt = clock.now();
  let ts: string;
  try {
    ts = (await chat.postMessage(channel, request.build(postedAt, marker))).ts;
  } catch (error) {
    // a timeout or lost connection may still have posted: the retry looks in the channel first
    const unknownFate = error instanceof ChatUnavailableError && error.reason === 'unreachable';
    await (unknownFate ? claim.markUncertain(postedAt) : claim.release()).catch(() => undefined);
    throw classifyJobError(error);
  }
  await claim.confirm(postedAt, ts);
  return { fresh: true, postedAt, ts };
}

/** Quell's own message with this marker among the channel's latest messages, if any. */
async function findInChannel(
  chat: ChatPort,
  channel: string,
  marker: string,
): Promise<{ ts: string } | undefined> {
  try {
    const page = await chat.channelHistoryPage(channel, { limit: 100 });
    return page.messages.find(
      (m) =>
        Array.isArray(m.blocks) && (m.blocks as { block_id?: string }[]).some((b) => b.block_id === marker),
    );
  } catch (error) {
    throw classifyJobError(error);
  }
}
