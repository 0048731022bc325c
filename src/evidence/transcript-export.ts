import { join } from 'node:path';
import type { ChatPort, MessagePage, RawChatMessage } from '../chat/port.js';
import { LineWriter } from './files.js';

export const RAW_HISTORY_FILE = 'raw/history.jsonl';
export const RAW_REPLIES_FILE = 'raw/replies.jsonl';

/** Where one message sits in a raw JSONL file, so it can be read back without keeping it in memory. */
export interface IndexedMessage {
  ts: string;
  offset: number;
  length: number;
}

export interface TranscriptIndex {
  /** Top-level messages, in the order Slack returned them (newest first). */
  history: IndexedMessage[];
  /** Thread replies by parent ts, in the order Slack returned them (oldest first). */
  replies: Map<string, IndexedMessage[]>;
}

export interface TranscriptExport {
  index: TranscriptIndex;
  messages: number;
  threadReplies: number;
  threads: number;
  historyCalls: number;
  repliesCalls: number;
  /** The fewest history + replies calls the page sizes allow for what was read. */
  minimumCalls: number;
  /** Messages Slack returned twice (e.g. a thread reply also sent to the channel); written once. */
  duplicatesSkipped: number;
  /** Every user id the transcript mentions (authors, reactions, mentions, editors). */
  userIds: Set<string>;
  firstTs?: string;
  lastTs?: string;
}

export interface TranscriptExportOptions {
  chat: Pick<ChatPort, 'channelHistoryPage' | 'threadRepliesPage'>;
  channel: string;
  /** Only messages up to this ts: the archive's covered window ends here. */
  latest: string;
  historyPageSize: number;
  repliesPageSize: number;
  /** The bundle's staging directory; raw files are streamed into it. */
  directory: string;
}

/**
 * Streams a channel's whole history and every thread into raw JSONL files, one Slack message object
 * per line, exactly as returned. Only an index (ts + byte offsets) stays in memory.
 *
 * Pagination follows `next_cursor` until Slack gives none. A cursor Slack hands back twice would loop
 * forever, so it is refused; a rate-limited page is retried by the chat port with the same cursor,
 * so it arrives exactly once. Messages are de-duplicated by ts in case a page is ever served twice.
 */
export async function exportTranscript(options: TranscriptExportOptions): Promise<TranscriptExport> {
  const { chat, channel, latest } = options;
  const history = await LineWriter.create(join(options.directory, RAW_HISTORY_FILE));
  const replies = await LineWriter.create(join(options.directory, RAW_REPLIES_FILE));
  const seen = new Set<string>();
  const result: TranscriptExport = {
    index: { history: [], replies: new Map() },
    messages: 0,
    threadReplies: 0,
    threads: 0,
    historyCalls: 0,
    repliesCalls: 0,
    minimumCalls: 0,
    duplicatesSkipped: 0,
    userIds: new Set(),
  };
  const note = (message: RawChatMessage) => {
    collectUserIds(message, result.userIds);
    if (!result.firstTs || compareTs(message.ts, result.firstTs) < 0) result.firstTs = message.ts;
    if (!result.lastTs || compareTs(message.ts, result.lastTs) > 0) result.lastTs = message.ts;
  };

  try {
    for await (const page of pages((cursor) =>
      chat.channelHistoryPage(channel, { cursor, limit: options.historyPageSize, latest }),
    )) {
      result.historyCalls++;
      const parents: string[] = [];
      for (const message of page.messages) {
        if (seen.has(message.ts)) {
          result.duplicatesSkipped++;
          continue;
        }
        seen.add(message.ts);
        const at = await history.append(JSON.stringify(message));
        result.index.history.push({ ts: message.ts, ...at });
        result.messages++;
        note(message);
        if (hasThread(message)) parents.push(message.ts);
      }
      // each thread right after the page that holds its parent: no list of parents piles up
      for (const parentTs of parents) {
        result.threads++;
        const thread: IndexedMessage[] = [];
        let replyCount = 0;
        for await (const replyPage of pages((cursor) =>
          chat.threadRepliesPage(channel, parentTs, { cursor, limit: options.repliesPageSize, latest }),
        )) {
          result.repliesCalls++;
          for (const reply of replyPage.messages) {
            if (reply.ts === parentTs) continue; // Slack repeats the parent; history already has it
            replyCount++;
            if (seen.has(reply.ts)) {
              result.duplicatesSkipped++;
              continue;
            }
            seen.add(reply.ts);
            const at = await replies.append(JSON.stringify(reply));
            thread.push({ ts: reply.ts, ...at });
            result.threadReplies++;
            note(reply);
          }
        }
        result.index.replies.set(parentTs, thread);
        result.minimumCalls += Math.max(1, Math.ceil((replyCount + 1) / options.repliesPageSize));
      }
    }
    result.minimumCalls += Math.max(1, Math.ceil(result.messages / options.historyPageSize));
  } finally {
    await history.close();
    await replies.close();
  }
  return result;
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

/** A Slack ts as a UTC instant. */
export function tsToDate(ts: string): Date {
  const [seconds = '0', fraction = ''] = ts.split('.');
  return new Date(Number(seconds) * 1000 + Math.floor(Number(fraction.padEnd(6, '0')) / 1000));
}

export function dateToTs(date: Date): string {
  const ms = date.getTime();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}
