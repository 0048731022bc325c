import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type ChatPort, chatErrorCode, type RawChatMessage } from '../chat/port.js';
import type { Incident } from '../incidents/model.js';
import type { BundleWriter } from './bundle-writer.js';
import { type EvidenceConfig, pageSizes } from './config.js';
import { linesForward } from './raw-reader.js';
import { compareTs, dateToTs, RAW_HISTORY_FILE, RAW_REPLIES_FILE } from './transcript-export.js';

/**
 * Reads for the bundle's extra sources that the chat port does not cover (pins, bookmarks, file
 * bytes, full profiles). src/slack/evidence-reads.ts implements them on the Web API; a source with
 * no reader is recorded in the manifest's gaps, never silently missing.
 */
export interface EvidenceReads {
  pins(channel: string): Promise<readonly unknown[]>;
  bookmarks(channel: string): Promise<readonly unknown[]>;
  /** A shared file's bytes (a current download URL, fetched with the bot token), streamed. */
  downloadFile(file: { id: string; url?: string }): Promise<Readable>;
}

const MEMBERSHIP_SUBTYPES = new Set([
  'channel_join',
  'channel_leave',
  'group_join',
  'group_leave',
  'channel_convert_to_private',
  'channel_convert_to_public',
]);

/** Joins and leaves, from the raw history (Slack records them as messages): one JSONL line each. */
export async function writeMembershipChanges(writer: BundleWriter): Promise<number> {
  let count = 0;
  async function* lines() {
    for await (const { line } of linesForward(join(writer.directory, RAW_HISTORY_FILE))) {
      const m = JSON.parse(line) as RawChatMessage;
      if (!MEMBERSHIP_SUBTYPES.has(String(m.subtype))) continue;
      count++;
      yield `${JSON.stringify({ ts: m.ts, subtype: m.subtype, user: m.user ?? null, inviter: m.inviter ?? null })}\n`;
    }
  }
  await writer.write('membership-changes.jsonl', 'slack.membership', Readable.from(lines()));
  return count;
}

interface FileRef {
  id: string;
  name: string;
  size?: number;
  url?: string;
  mimetype?: string;
  messageTs: string;
}

/**
 * Every file shared in the channel, downloaded into files/<id>-<name> with its hash (as a bundle
 * file), up to `maxBytes` each; above the cap, or when the download fails, its metadata only and
 * the reason, in files.jsonl and in the manifest's gaps.
 */
export async function writeSharedFiles(
  writer: BundleWriter,
  reads: Pick<EvidenceReads, 'downloadFile'> | undefined,
  options: { download: boolean; maxBytes: number },
): Promise<{ downloaded: number; metadataOnly: number }> {
  const refs: FileRef[] = [];
  for (const file of [RAW_HISTORY_FILE, RAW_REPLIES_FILE])
    for await (const { line } of linesForward(join(writer.directory, file))) {
      const m = JSON.parse(line) as RawChatMessage;
      for (const f of (m.files as Record<string, unknown>[] | undefined) ?? [])
        if (typeof f.id === 'string')
          refs.push({
            id: f.id,
            name: String(f.name ?? f.id),
            ...(typeof f.size === 'number' ? { size: f.size } : {}),
            ...(typeof f.url_private_download === 'string'
              ? { url: f.url_private_download }
              : typeof f.url_private === 'string'
                ? { url: f.url_private }
                : {}),
            ...(typeof f.mimetype === 'string' ? { mimetype: f.mimetype } : {}),
            messageTs: m.ts,
          });
    }
  const seen = new Set<string>();
  const records: string[] = [];
  let downloaded = 0;
  let metadataOnly = 0;
  for (const ref of refs) {
    if (seen.has(ref.id)) continue;
    seen.add(ref.id);
    const path = `files/${ref.id}-${
      ref.name
        .replace(/[^A-Za-z0-9._-]+/g, '_')
        .replace(/^[._-]+/, '')
        .slice(0, 120) || 'file'
    }`;
    let skipped: string | undefined;
    if (!options.download) skipped = 'file downloads are off (evidence.files.download)';
    else if (!reads) skipped = 'no file reader is configured';
    else if (ref.size !== undefined && ref.size > options.maxBytes)
      skipped = `${ref.size} bytes is over the ${options.maxBytes}-byte cap (evidence.files.maxBytes)`;
    let entry: { sha256: string; bytes: number } | undefined;
    if (!skipped) {
      try {
        entry = await writer.write(
          path,
          'slack.files',
          capped(
            await reads!.downloadFile({ id: ref.id, ...(ref.url ? { url: ref.url } : {}) }),
            options.maxBytes,
          ),
        );
      } catch (error) {
        skipped = `download failed: ${(error as Error).message}`;
      }
    }
    if (entry) downloaded++;
    else {
      metadataOnly++;
      writer.recordGap({ source: 'slack.files', what: `${ref.id} (${ref.name})`, reason: skipped! });
    }
    records.push(
      `${JSON.stringify({ ...ref, url: undefined, ...(entry ? { path, sha256: entry.sha256, bytes: entry.bytes } : { skipped }) })}\n`,
    );
  }
  await writer.write('files.jsonl', 'slack.files', records.join(''));
  return { downloaded, metadataOnly };
}

/** Stops a download that runs past the cap (a file whose size Slack under-reported). */
async function* capped(stream: Readable, maxBytes: number): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += (chunk as Buffer).length;
    if (bytes > maxBytes) throw new Error(`the file is larger than the ${maxBytes}-byte cap`);
    yield chunk as Buffer;
  }
}

/**
 * The agent's bot user's messages in other channels during the incident window: history read
 * newest first down to the window's start, only that user's (or bot's) messages kept.
 */
export async function writeAgentBotMessages(
  writer: BundleWriter,
  chat: Pick<ChatPort, 'channelHistoryPage'>,
  options: {
    channels: readonly string[];
    botUserId: string;
    oldestTs: string;
    latestTs: string;
    pageSize: number;
  },
): Promise<number> {
  let kept = 0;
  for (const channel of options.channels) {
    const lines: string[] = [];
    try {
      let cursor: string | undefined;
      outer: do {
        const page = await chat.channelHistoryPage(channel, {
          limit: options.pageSize,
          latest: options.latestTs,
          ...(cursor ? { cursor } : {}),
        });
        for (const m of page.messages) {
          if (compareTs(m.ts, options.oldestTs) < 0) break outer;
          if (m.user === options.botUserId || m.bot_id === options.botUserId)
            lines.push(`${JSON.stringify(m)}\n`);
        }
        cursor = page.nextCursor;
      } while (cursor);
    } catch (error) {
      writer.recordGap({ source: 'slack.agent-bot', what: channel, reason: (error as Error).message });
      continue;
    }
    kept += lines.length;
    await writer.write(`agent-bot/${channel}.jsonl`, 'slack.agent-bot', lines.join(''));
  }
  return kept;
}

/** Pins, bookmarks, membership changes, shared files and the agent bot's messages; counts for the manifest. */
export async function writeExtraSources(
  deps: {
    reads?: Partial<EvidenceReads>;
    config: EvidenceConfig;
    chat: Pick<ChatPort, 'channelHistoryPage'>;
  },
  agentChannels: readonly string[],
  writer: BundleWriter,
  channelId: string,
  incident: Pick<Incident, 'createdAt'>,
  latestTs: string,
): Promise<Record<string, number>> {
  const { reads, config, chat } = deps;
  const counts: Record<string, number> = {};
  counts.membershipChanges = await writeMembershipChanges(writer);
  for (const [name, read] of [
    ['pins', reads?.pins],
    ['bookmarks', reads?.bookmarks],
  ] as const) {
    if (!read) {
      writer.recordGap({ source: `slack.${name}`, what: name, reason: 'no reader is configured' });
      continue;
    }
    try {
      const items = await read.call(reads, channelId);
      await writer.write(`${name}.jsonl`, `slack.${name}`, jsonl(items));
      counts[name] = items.length;
    } catch (error) {
      writer.recordGap({ source: `slack.${name}`, what: name, reason: chatErrorCode(error) });
    }
  }
  const files = await writeSharedFiles(
    writer,
    reads?.downloadFile ? { downloadFile: (file) => reads.downloadFile!(file) } : undefined,
    config.files,
  );
  counts.filesDownloaded = files.downloaded;
  counts.filesMetadataOnly = files.metadataOnly;
  const botUserId = config.agentBotUserId;
  const channels = agentChannels;
  if (channels.length > 0 && botUserId)
    counts.agentBotMessages = await writeAgentBotMessages(writer, chat, {
      channels,
      botUserId,
      oldestTs: dateToTs(new Date(incident.createdAt)),
      latestTs,
      pageSize: pageSizes(config).history,
    });
  else if (channels.length > 0)
    writer.recordGap({
      source: 'slack.agent-bot',
      what: channels.join(', '),
      reason: "the agent's bot user id is not configured (evidence.agentBotUserId)",
    });
  return counts;
}

function jsonl(items: readonly unknown[]): string {
  return items.map((item) => `${JSON.stringify(item)}\n`).join('');
}
