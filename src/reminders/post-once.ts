import { type ChatMessage, type ChatPort, ChatUnavailableError, type RawChatMessage } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { crashPoint } from '../jobs/crash-points.js';
import { classifyJobError, type PostGuard, RetryLaterError } from '../jobs/index.js';

/** While another run holds the post mark, come back after this long. */
const BUSY_RETRY_MS = 5_000;
/** Messages per conversations.history page when looking for a post (Slack recommends at most 200). */
const HISTORY_PAGE = 200;
/** Pages read at most: a channel busier than this since the due time is read no further. */
const HISTORY_PAGES = 5;
/** Slack's clock and ours may disagree a little: look this much before `notBefore`. */
const CLOCK_SLACK_MS = 5 * 60_000;

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
  /**
   * No earlier attempt can have posted before this (a prompt's due time): looking in the channel
   * reads back no further. Omitted: the latest pages only.
   */
  notBefore?: Date;
  /** An earlier run of this job started (JobContext.startedBefore): look before posting. */
  startedBefore?: boolean;
  /** Names this post's crash points (`<flow>.claimed`, `<flow>.accepted`); default `post`. */
  flow?: string;
}

/**
 * The exactly-once posting path of every timer message (prompts, ladder steps, obligation
 * reminders): a PostGuard mark per (incident, what, instant); a duplicate run posts nothing. Any
 * run that may follow an attempt which reached Slack unrecorded (a timeout, a run that died while
 * holding the mark, a re-run whose mark is gone) first looks for the message in the channel by
 * its block_id marker, and posts only when it is not there.
 * Returns whether this run posted, when the message went out, and its ts when known.
 */
export async function postOnce(
  deps: PostOnceDeps,
  request: PostOnceRequest,
): Promise<{ fresh: boolean; postedAt: Date; ts?: string }> {
  const { guard, chat, clock } = deps;
  const { incidentId, channel, what, keyMs } = request;
  const flow = request.flow ?? 'post';
  const marker = `quell_${what}_${keyMs}`;
  let claim = await guard.claim(incidentId, what, keyMs, { startedBefore: request.startedBefore ?? false });
  if (claim.outcome === 'posted')
    return { fresh: false, postedAt: claim.postedAt, ...(claim.ts ? { ts: claim.ts } : {}) };
  if (claim.outcome === 'uncertain') {
    const found = await findInChannel(chat, channel, marker, request.notBefore);
    if (found) {
      await claim.resolve(claim.since, found.ts);
      return { fresh: false, postedAt: claim.since, ts: found.ts };
    }
    claim = await claim.takeOver();
  }
  if (claim.outcome !== 'claimed')
    throw new RetryLaterError(`another run is posting the ${what}`, BUSY_RETRY_MS);
  crashPoint(`${flow}.claimed`);
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
  // the worst moment: Slack has the message and Redis does not say so
  crashPoint(`${flow}.accepted`);
  await claim.confirm(postedAt, ts);
  return { fresh: true, postedAt, ts };
}

/**
 * Quell's own message with this marker in the channel, newest first, back to `notBefore` (or the
 * latest page only), at most HISTORY_PAGES pages.
 */
async function findInChannel(
  chat: ChatPort,
  channel: string,
  marker: string,
  notBefore: Date | undefined,
): Promise<{ ts: string } | undefined> {
  const oldestSec = notBefore ? (notBefore.getTime() - CLOCK_SLACK_MS) / 1000 : undefined;
  let cursor: string | undefined;
  try {
    for (let page = 0; page < (oldestSec === undefined ? 1 : HISTORY_PAGES); page++) {
      const { messages, nextCursor } = await chat.channelHistoryPage(channel, {
        limit: HISTORY_PAGE,
        ...(cursor ? { cursor } : {}),
      });
      const found = messages.find((m) => carriesMarker(m, marker));
      if (found?.ts) return { ts: found.ts };
      const oldest = Number(messages.at(-1)?.ts);
      if (!nextCursor || (oldestSec !== undefined && oldest < oldestSec)) return undefined;
      cursor = nextCursor;
    }
    return undefined;
  } catch (error) {
    throw classifyJobError(error);
  }
}

function carriesMarker(message: RawChatMessage, marker: string): boolean {
  return (
    Array.isArray(message.blocks) &&
    (message.blocks as { block_id?: string }[]).some((b) => b.block_id === marker)
  );
}
