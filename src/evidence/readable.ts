import { join } from 'node:path';
import type { Incident } from '../incidents/model.js';
import { attachmentToText, blocksToText } from './block-text.js';
import { LineWriter } from './files.js';
import { maskTranscriptSecrets } from './mask.js';
import { BlockReader, linesBackward, threadBlocks } from './raw-reader.js';
import type { MessageContent, MessageRevision } from './revisions.js';
import {
  compareTs,
  isBroadcast,
  RAW_HISTORY_FILE,
  RAW_REPLIES_FILE,
  tsToDate,
  tsToIso,
} from './transcript-export.js';

export const READABLE_TRANSCRIPT_FILE = 'transcript.md';

type Message = Record<string, unknown> & { ts: string };

export interface ReadableTranscriptInput {
  directory: string;
  incident: Incident;
  /** In event order (RevisionLog.list). */
  revisions: readonly MessageRevision[];
  names: Readonly<Record<string, string>>;
  archivedBy: string;
  archivedAt: string;
  window: { from: string; to: string };
  /** Threads whose parent Slack no longer returned replies for while archiving. */
  vanishedThreads: readonly string[];
}

/**
 * The transcript a person reads: oldest first, thread replies nested under their parent (thread
 * broadcasts too, marked), every time in UTC, user ids shown as names, secrets masked, Block Kit
 * and attachments rendered as text. History is read backwards from the raw file and each thread as
 * one block, so memory holds one thread at a time, not the transcript. Deleted messages are put
 * back in place from the revision log; edited ones show every earlier version, in event order.
 */
export async function writeReadableTranscript(input: ReadableTranscriptInput): Promise<void> {
  const { directory, incident, names } = input;
  const edits = new Map<string, MessageRevision[]>();
  const deletions = new Map<string, MessageRevision>();
  for (const revision of input.revisions) {
    if (revision.kind === 'deleted') deletions.set(revision.ts, revision);
    else edits.set(revision.ts, [...(edits.get(revision.ts) ?? []), revision]);
  }
  const threads = await threadBlocks(join(directory, RAW_REPLIES_FILE));
  const replies = await BlockReader.open(join(directory, RAW_REPLIES_FILE));
  const out = await LineWriter.create(join(directory, READABLE_TRANSCRIPT_FILE));
  const vanished = new Set(input.vanishedThreads);
  const name = (id: string) => names[id] ?? id;
  const context: RenderContext = { name, edits, deletions };

  // deletions Slack no longer returns: put back where they were (top level, or in their thread)
  const present = new Set<string>();
  const lostTopLevel: MessageRevision[] = [];
  const lostReplies = new Map<string, MessageRevision[]>();

  try {
    await out.append(`# ${incident.id} transcript: ${escapeInline(maskTranscriptSecrets(incident.title))}`);
    await out.append('');
    await out.append(
      `Channel: #${incident.channelName ?? '?'} (${incident.channelId ?? '?'})${incident.drill ? ' · DRILL' : ''}  `,
    );
    await out.append(`Covers: ${utc(input.window.from)} → ${utc(input.window.to)}  `);
    await out.append(
      `Archived by ${name(input.archivedBy)} (${input.archivedBy}) at ${utc(input.archivedAt)}  `,
    );
    await out.append('All times are UTC. Secrets are masked here; raw/*.jsonl keep what Slack returned.');

    // which deleted messages Slack still returns (tombstones): one pass, remembering only those
    if (deletions.size > 0) {
      const found = (ts: string) => deletions.has(ts) && present.add(ts);
      for await (const line of linesBackward(join(directory, RAW_HISTORY_FILE))) found(tsOf(line));
      for (const [parent, block] of threads) {
        found(parent);
        for (const line of await replies.lines(block)) found(tsOf(line));
      }
    }
    for (const deleted of deletions.values()) {
      if (present.has(deleted.ts)) continue;
      if (deleted.threadTs && deleted.threadTs !== deleted.ts)
        lostReplies.set(deleted.threadTs, [...(lostReplies.get(deleted.threadTs) ?? []), deleted]);
      else lostTopLevel.push(deleted);
    }
    present.clear();
    lostTopLevel.sort((a, b) => compareTs(b.ts, a.ts)); // popped oldest first

    let day = '';
    const heading = async (ts: string) => {
      const today = tsToDate(ts).toISOString().slice(0, 10);
      if (today === day) return;
      day = today;
      await out.append('');
      await out.append(`## ${day}`);
    };
    const writeLost = async (lost: MessageRevision) => {
      await heading(lost.ts);
      await out.append('');
      for (const line of renderLost(lost, context)) await out.append(line);
    };

    for await (const line of linesBackward(join(directory, RAW_HISTORY_FILE))) {
      const message = JSON.parse(line) as Message;
      // a broadcast is shown in its thread; only without its thread in the archive is it top level
      if (isBroadcast(message) && threads.has(String(message.thread_ts))) continue;
      while (lostTopLevel.length > 0 && compareTs(lostTopLevel.at(-1)!.ts, message.ts) < 0)
        await writeLost(lostTopLevel.pop()!);
      await heading(message.ts);
      await out.append('');
      for (const text of renderMessage(message, context)) await out.append(text);

      const block = threads.get(message.ts);
      type Entry = { ts: string; message?: Message; lost?: MessageRevision };
      const thread: Entry[] = [
        ...(block ? await replies.lines(block) : []).map((l) => {
          const reply = JSON.parse(l) as Message;
          return { ts: reply.ts, message: reply };
        }),
        ...(lostReplies.get(message.ts) ?? []).map((lost) => ({ ts: lost.ts, lost })),
      ].sort((a, b) => compareTs(a.ts, b.ts));
      lostReplies.delete(message.ts);
      if (vanished.has(message.ts)) {
        await out.append('');
        await out.append(
          '> _The thread of this message could not be read: Slack no longer had it (`thread_not_found`) while archiving._',
        );
      }
      if (thread.length === 0) continue;
      await out.append('');
      await out.append(`> **Thread · ${thread.length} ${thread.length === 1 ? 'reply' : 'replies'}**`);
      for (const reply of thread) {
        const lines = reply.lost ? renderLost(reply.lost, context) : renderMessage(reply.message!, context);
        await out.append('>');
        for (const l of lines) await out.append(l ? `> ${l}` : '>');
      }
    }
    while (lostTopLevel.length > 0) await writeLost(lostTopLevel.pop()!);
    // deleted replies whose parent is gone too: still evidence, listed at the end
    const orphans = [...lostReplies.values()].flat().sort((a, b) => compareTs(a.ts, b.ts));
    if (orphans.length > 0) {
      await out.append('');
      await out.append('## Deleted thread replies whose thread is no longer in the channel');
      for (const lost of orphans) {
        await out.append('');
        for (const line of renderLost(lost, context)) await out.append(line);
      }
    }
  } finally {
    await replies.close();
    await out.close();
  }
}

function tsOf(line: string): string {
  return (JSON.parse(line) as { ts: string }).ts;
}

interface RenderContext {
  name(id: string): string;
  edits: Map<string, MessageRevision[]>;
  deletions: Map<string, MessageRevision>;
}

function renderMessage(message: Message, context: RenderContext): string[] {
  const lines: string[] = [];
  const edited = message.edited as { ts?: string; user?: string } | undefined;
  const editMark = edited?.ts ? ` · _edited ${time(edited.ts)}_` : '';
  const broadcast = isBroadcast(message) ? ' · _also sent to the channel_' : '';
  const deletion = context.deletions.get(message.ts);
  const tombstone = message.subtype === 'tombstone';
  lines.push(
    `**${time(message.ts)} · ${authorOf(message, context, tombstone ? deletion : undefined)}**${editMark}${broadcast}`,
  );
  if (tombstone) lines.push('_This message was deleted (its thread remains)._');
  else
    lines.push(
      ...contentLines(
        {
          text: str(message.text),
          blocks: arr(message.blocks),
          attachments: arr(message.attachments),
          files: arr(message.files),
        },
        message.subtype as string | undefined,
        context,
      ),
    );

  for (const revision of context.edits.get(message.ts) ?? [])
    lines.push(
      `_Before the edit at ${utcIso(revision.changedAt)} (${revision.changed.join(', ') || 'no visible'} changed):_ ${oneLine(versionText(revision.before, context))}`,
    );
  if (deletion)
    lines.push(
      `_Deleted at ${utcIso(deletion.changedAt)}; it was:_ ${oneLine(versionText(deletion.before, context))}`,
    );
  const reactions = (message.reactions as { name?: string; count?: number; users?: string[] }[]) ?? [];
  if (reactions.length > 0)
    lines.push(
      `_Reactions:_ ${reactions
        .map(
          (r) =>
            `:${r.name}: ×${r.count ?? r.users?.length ?? 0} (${(r.users ?? []).map(context.name).join(', ')})`,
        )
        .join(' · ')}`,
    );
  return lines.map((line, i) => (i < lines.length - 1 ? `${line}  ` : line));
}

/** A message version's text, blocks, attachments and files, as transcript lines. */
function contentLines(
  content: MessageContent,
  subtype: string | undefined,
  context: RenderContext,
): string[] {
  const lines: string[] = [];
  if (content.text) {
    const body = renderText(content.text, context).split('\n').map(escapeBlock);
    lines.push(
      ...(subtype && !['thread_broadcast', 'bot_message'].includes(subtype)
        ? [`_[${subtype}]_ ${body[0]}`, ...body.slice(1)]
        : body),
    );
  }
  const blockText = blocksToText(content.blocks);
  if (blockText.length > 0 && blockText.join('\n') !== content.text)
    lines.push(`_Blocks:_ ${oneLine(renderText(blockText.join('\n'), context))}`);
  for (const file of content.files ?? [])
    lines.push(`_File:_ ${describeFile(file as Record<string, unknown>)}`);
  for (const attachment of content.attachments ?? [])
    lines.push(
      `_Attachment:_ ${oneLine(renderText(attachmentToText(attachment as Record<string, unknown>).join('\n'), context))}`,
    );
  return lines;
}

/** A whole earlier version on one line: text, then what its blocks, attachments and files showed. */
function versionText(content: MessageContent, context: RenderContext): string {
  const parts = [content.text];
  const blocks = blocksToText(content.blocks).join('\n');
  if (blocks && blocks !== content.text) parts.push(`[blocks] ${blocks}`);
  for (const a of content.attachments ?? [])
    parts.push(`[attachment] ${attachmentToText(a as Record<string, unknown>).join(' ')}`);
  for (const f of content.files ?? [])
    parts.push(
      `[file] ${String((f as Record<string, unknown>).name ?? (f as Record<string, unknown>).id ?? 'file')}`,
    );
  return renderText(parts.filter(Boolean).join('\n'), context);
}

function renderLost(revision: MessageRevision, context: RenderContext): string[] {
  const author = revision.user ? `${context.name(revision.user)} (${revision.user})` : 'unknown author';
  return [
    `**${time(revision.ts)} · ${escapeInline(author)}** · _deleted ${utcIso(revision.changedAt)}_  `,
    `_The deleted message was:_ ${oneLine(versionText(revision.before, context))}`,
  ];
}

/** The author; a deleted thread parent (Slack shows Slackbot) is credited to who really wrote it. */
function authorOf(message: Message, context: RenderContext, deletion?: MessageRevision): string {
  if (deletion?.user) return `${escapeInline(context.name(deletion.user))} (${deletion.user})`;
  if (message.subtype === 'tombstone') return 'unknown author (deleted; Slack shows it as Slackbot)';
  if (typeof message.user === 'string')
    return `${escapeInline(context.name(message.user))} (${message.user})`;
  const bot = message.bot_profile as { name?: string } | undefined;
  const label = bot?.name ?? message.username ?? message.bot_id ?? 'unknown';
  return `${escapeInline(String(label))} (app)`;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const arr = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : undefined);

/** Slack's mrkdwn references as names, entities decoded, secrets masked. */
function renderText(text: string, context: RenderContext): string {
  const resolved = text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${context.name(id)}`)
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `#${label || id}`)
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_m, label?: string) => label || '@group')
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/<mailto:[^|>]+\|([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return maskTranscriptSecrets(resolved);
}

function describeFile(file: Record<string, unknown>): string {
  const name = maskTranscriptSecrets(String(file.name ?? file.title ?? file.id ?? 'file')).replace(/`/g, "'");
  const type = file.mimetype ?? file.filetype ?? 'unknown type';
  const size = typeof file.size === 'number' ? `, ${formatBytes(file.size)}` : '';
  const link = file.permalink ? ` <${String(file.permalink)}>` : '';
  return `\`${name}\` (${String(type)}${size})${link}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function oneLine(text: string): string {
  return `“${escapeInline(text).replace(/\s*\n\s*/g, ' ⏎ ')}”`;
}

/** Keeps a line of message text from turning into a heading, list or quote in Markdown. */
function escapeBlock(line: string): string {
  return escapeInline(line).replace(/^(\s*)([#>+\-*=|]|\d+[.)])/, '$1\\$2');
}

/** Emphasis and code markers in message text stay literal; `[REDACTED]` stays readable. */
function escapeInline(text: string): string {
  return text.replace(/([\\`*_])/g, '\\$1');
}

/** A Slack ts as `HH:MM:SS.ffffff UTC`: two edits in one second stay apart. */
function time(ts: string): string {
  return `${tsToIso(ts).slice(11, 26)} UTC`;
}

function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function utcIso(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, -1)} UTC`;
}
