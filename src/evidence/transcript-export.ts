import { mkdir, open, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type ChatPort, chatErrorCode, type MessagePage, type RawChatMessage } from '../chat/port.js';
import { metrics } from '../ops/metrics.js';
import { DIR_MODE, FILE_MODE, LineWriter } from './files.js';

export const RAW_HISTORY_FILE = 'raw/history.jsonl';
export const RAW_REPLIES_FILE = 'raw/replies.jsonl';

/** Thread read errors that mean "this thread is gone", recorded as a gap instead of failing. */
const VANISHED_THREAD = new Set(['thread_not_found', 'message_not_found']);

/**
 * Where an export stands after a finished history page and its threads: enough to resume from the
 * next cursor after a restart (the raw files are cut back to these sizes, dropping any half-page).
 */
export interface ExportCheckpoint {
  /** The next history page's cursor; undefined once history is done. */
  cursor?: string;
  done: boolean;
  /** Slack's clock: the newest ts the first page showed (or the host's, if later), plus the margin. */
  latestTs: string;
  historyBytes: number;
  repliesBytes: number;
  /** The oldest top-level ts read so far (history goes newest first): progress and dedupe. */
  oldestTs?: string;
  counts: ExportCounts;
  vanishedThreads: string[];
  firstTs?: string;
  lastTs?: string;
}

export interface ExportCounts {
  /** Top-level messages (thread broadcasts are counted as replies, in their thread). */
  messages: number;
  threadReplies: number;
  threads: number;
  threadBroadcasts: number;
  historyCalls: number;
  repliesCalls: number;
  /** The fewest history + replies calls the page sizes allow for what was read. */
  minimumCalls: number;
  /** Messages Slack returned twice (a broadcast in history and its thread, a page served twice). */
  duplicatesSkipped: number;
}

export interface TranscriptExport extends ExportCheckpoint {
  /** Every user id the transcript mentions (authors, reactions, mentions, editors). */
  userIds: Set<string>;
  /** The workspace the messages say they belong to (Slack's `team` field). */
  teamId?: string;
}

export interface TranscriptExportOptions {
  chat: Pick<ChatPort, 'channelHistoryPage' | 'threadRepliesPage'>;
  channel: string;
  /** The host's "now" as a Slack ts: the window never ends before it. */
  hostNowTs: string;
  /** Read this many seconds past the newest message, so clock skew never cuts the window. */
  marginSeconds: number;
  historyPageSize: number;
  repliesPageSize: number;
  /** The bundle's staging directory; raw files are streamed into it. */
  directory: string;
  /** A checkpoint of an earlier run of this archive, in this directory: continue from it. */
  resume?: ExportCheckpoint;
  /** Messages to leave out (the archive's own progress message in the channel). */
  skip?: (ts: string) => boolean;
  /** After each history page and its threads: save it (resume) and show progress. */
  onCheckpoint?: (checkpoint: ExportCheckpoint) => Promise<void>;
}

const emptyCounts = (): ExportCounts => ({
  messages: 0,
  threadReplies: 0,
  threads: 0,
  threadBroadcasts: 0,
  historyCalls: 0,
  repliesCalls: 0,
  minimumCalls: 0,
  duplicatesSkipped: 0,
});

/**
 * Streams a channel's whole history and every thread into raw JSONL files, one Slack message object
 * per line, exactly as returned. Nothing grows with the channel in memory: history is newest first,
 * so a repeated message is one not older than the last one written; a thread's replies are
 * de-duplicated within the thread only.
 *
 * The window's end comes from Slack's timestamps: the first page is read without `latest`, and the
 * newest ts it shows (or the host's now, if later) plus the margin bounds every thread read, so a
 * host clock behind Slack's cuts nothing. A thread that vanishes mid-archive (deleted parent) is
 * recorded in `vanishedThreads` and the archive goes on. Pagination follows `next_cursor`; a cursor
 * handed back twice would loop, so it is refused; rate-limited pages are retried by the chat port.
 */
export async function exportTranscript(options: TranscriptExportOptions): Promise<TranscriptExport> {
  const { chat, channel } = options;
  const historyPath = join(options.directory, RAW_HISTORY_FILE);
  const repliesPath = join(options.directory, RAW_REPLIES_FILE);
  const resume = options.resume;
  // a retried run finds its raw files: cut back to the checkpoint (or to nothing before the first)
  await cutBack(historyPath, resume?.historyBytes ?? 0);
  await cutBack(repliesPath, resume?.repliesBytes ?? 0);
  const history = await LineWriter.create(historyPath, resume?.historyBytes ?? 0);
  const replies = await LineWriter.create(repliesPath, resume?.repliesBytes ?? 0);
  const state: TranscriptExport = resume
    ? {
        ...resume,
        counts: { ...resume.counts },
        vanishedThreads: [...resume.vanishedThreads],
        userIds: new Set(),
      }
    : {
        done: false,
        latestTs: '',
        historyBytes: 0,
        repliesBytes: 0,
        counts: emptyCounts(),
        vanishedThreads: [],
        userIds: new Set(),
      };
  const counts = state.counts;
  const note = (message: RawChatMessage) => {
    collectUserIds(message, state.userIds);
    if (!state.teamId && typeof message.team === 'string') state.teamId = message.team;
    if (!state.firstTs || compareTs(message.ts, state.firstTs) < 0) state.firstTs = message.ts;
    if (!state.lastTs || compareTs(message.ts, state.lastTs) > 0) state.lastTs = message.ts;
  };

  try {
    let cursor = resume?.cursor;
    const usedCursors = new Set<string>();
    while (!state.done) {
      const { parents, nextCursor } = await exportHistoryPage(cursor);
      // each thread right after the page that holds its parent: no list of parents piles up. The
      // page itself is out of scope by now: kept alive across these calls, every page of 999
      // messages would survive young-generation GCs, be promoted, and pile up in the old space
      for (const parentTs of parents) await exportThread(parentTs);
      cursor = nextCursor;
      if (cursor !== undefined) {
        if (usedCursors.has(cursor))
          throw new Error(`Slack returned cursor ${cursor} twice; stopping to avoid a loop`);
        usedCursors.add(cursor);
      }
      state.done = cursor === undefined;
      await history.flush();
      await replies.flush();
      state.cursor = cursor;
      state.historyBytes = history.bytesWritten;
      state.repliesBytes = replies.bytesWritten;
      if (state.done)
        counts.minimumCalls += Math.max(
          1,
          Math.ceil((counts.messages + counts.threadBroadcasts) / options.historyPageSize),
        );
      await options.onCheckpoint?.(checkpointOf(state));
    }
  } finally {
    await history.close();
    await replies.close();
  }
  return state;

  /** Writes one history page; returns the threads it opens and the cursor after it. */
  async function exportHistoryPage(cursor: string | undefined) {
    const page = await chat.channelHistoryPage(channel, {
      limit: options.historyPageSize,
      ...(cursor ? { cursor } : {}),
      ...(state.latestTs ? { latest: state.latestTs } : {}),
    });
    counts.historyCalls++;
    if (!state.latestTs)
      state.latestTs = windowEnd(page.messages[0]?.ts, options.hostNowTs, options.marginSeconds);
    const parents: string[] = [];
    for (const message of page.messages) {
      if (compareTs(message.ts, state.latestTs) > 0) continue; // after the cut (first page only)
      if (options.skip?.(message.ts)) continue;
      if (state.oldestTs && compareTs(message.ts, state.oldestTs) >= 0) {
        counts.duplicatesSkipped++;
        continue;
      }
      state.oldestTs = message.ts;
      await history.append(JSON.stringify(message));
      note(message);
      metrics.archived('message', 1);
      if (isBroadcast(message)) counts.threadBroadcasts++;
      else counts.messages++;
      if (hasThread(message)) parents.push(message.ts);
    }
    return { parents, nextCursor: page.nextCursor };
  }

  async function exportThread(parentTs: string): Promise<void> {
    counts.threads++;
    const seen = new Set<string>();
    let replyCount = 0;
    try {
      for await (const replyPage of pages((c) =>
        chat.threadRepliesPage(channel, parentTs, {
          limit: options.repliesPageSize,
          latest: state.latestTs,
          ...(c ? { cursor: c } : {}),
        }),
      )) {
        counts.repliesCalls++;
        for (const reply of replyPage.messages) {
          if (reply.ts === parentTs) continue; // Slack repeats the parent; history already has it
          replyCount++;
          if (seen.has(reply.ts)) {
            counts.duplicatesSkipped++;
            continue;
          }
          seen.add(reply.ts);
          // a broadcast is in history too: kept in both raw files as Slack returned it, counted once
          if (isBroadcast(reply)) counts.duplicatesSkipped++;
          else counts.threadReplies++;
          await replies.append(JSON.stringify(reply));
          note(reply);
          metrics.archived('reply', 1);
        }
      }
    } catch (error) {
      if (!VANISHED_THREAD.has(chatErrorCode(error))) throw error;
      state.vanishedThreads.push(parentTs);
    }
    counts.minimumCalls += Math.max(1, Math.ceil((replyCount + 1) / options.repliesPageSize));
  }
}

function checkpointOf(state: TranscriptExport): ExportCheckpoint {
  const { userIds: _ids, teamId: _team, ...checkpoint } = state;
  return { ...checkpoint, counts: { ...state.counts }, vanishedThreads: [...state.vanishedThreads] };
}

/** Truncates a raw file back to a checkpoint's size (a half-written page after it is dropped). */
async function cutBack(path: string, bytes: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
  const handle = await open(path, 'a', FILE_MODE);
  await handle.close();
  await truncate(path, bytes);
}

/** The window's end: Slack's newest ts or the host's now, whichever is later, plus the margin. */
export function windowEnd(newestTs: string | undefined, hostNowTs: string, marginSeconds: number): string {
  const base = newestTs && compareTs(newestTs, hostNowTs) > 0 ? newestTs : hostNowTs;
  const [seconds = '0', fraction = '000000'] = base.split('.');
  return `${Number(seconds) + marginSeconds}.${fraction.padEnd(6, '0')}`;
}

/** Follows `next_cursor` from the first page to the last. */
async function* pages(fetchPage: (cursor: string | undefined) => Promise<MessagePage>) {
  const used = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield page;
    cursor = page.nextCursor;
    if (cursor !== undefined) {
      if (used.has(cursor))
        throw new Error(`Slack returned cursor ${cursor} twice; stopping to avoid a loop`);
      used.add(cursor);
    }
  } while (cursor !== undefined);
}

function hasThread(message: RawChatMessage): boolean {
  const replyCount = Number(message.reply_count ?? 0);
  return replyCount > 0 && (message.thread_ts === undefined || message.thread_ts === message.ts);
}

/** A thread reply also sent to the channel: Slack returns it in history and in its thread. */
export function isBroadcast(message: Record<string, unknown>): boolean {
  return (
    message.subtype === 'thread_broadcast' ||
    (typeof message.thread_ts === 'string' && message.thread_ts !== message.ts && message.root !== undefined)
  );
}

const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;

export function collectUserIds(message: Record<string, unknown>, into: Set<string>): void {
  if (typeof message.user === 'string') into.add(message.user);
  const edited = message.edited as { user?: unknown } | undefined;
  if (typeof edited?.user === 'string') into.add(edited.user);
  for (const reaction of (message.reactions as { users?: unknown[] }[] | undefined) ?? [])
    for (const user of reaction.users ?? []) if (typeof user === 'string') into.add(user);
  if (typeof message.text === 'string') for (const [, id] of message.text.matchAll(MENTION)) into.add(id!);
}

/** Orders Slack timestamps (`seconds.micros`) numerically. */
export function compareTs(a: string, b: string): number {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  const seconds = Number(as) - Number(bs);
  if (seconds !== 0) return seconds;
  return af.padEnd(6, '0').localeCompare(bf.padEnd(6, '0'));
}

/** A Slack ts as a UTC instant (millisecond resolution; order by compareTs for full resolution). */
export function tsToDate(ts: string): Date {
  const [seconds = '0', fraction = ''] = ts.split('.');
  return new Date(Number(seconds) * 1000 + Math.floor(Number(fraction.padEnd(6, '0')) / 1000));
}

/** A Slack ts as an ISO instant with all six fraction digits (UTC). */
export function tsToIso(ts: string): string {
  const [seconds = '0', fraction = ''] = ts.split('.');
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${base}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}

export function dateToTs(date: Date): string {
  const ms = date.getTime();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}
