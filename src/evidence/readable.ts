import { join } from 'node:path';
import type { Incident } from '../incidents/model.js';
import { LineReader, LineWriter } from './files.js';
import { maskTranscriptSecrets } from './mask.js';
import type { MessageRevision } from './revisions.js';
import {
  compareTs,
  type IndexedMessage,
  RAW_HISTORY_FILE,
  RAW_REPLIES_FILE,
  type TranscriptIndex,
  tsToDate,
} from './transcript-export.js';

export const READABLE_TRANSCRIPT_FILE = 'transcript.md';

type Message = Record<string, unknown> & { ts: string };

export interface ReadableTranscriptInput {
  directory: string;
  incident: Incident;
  index: TranscriptIndex;
  revisions: readonly MessageRevision[];
  names: Readonly<Record<string, string>>;
  archivedBy: string;
  archivedAt: string;
  window: { from: string; to: string };
}

/**
 * The transcript a person reads: oldest first, thread replies nested under their parent, every time
 * in UTC, user ids shown as names, secrets masked. Messages are read back one at a time from the raw
 * files by offset, so memory holds the index, not the transcript. Deleted messages are put back in
 * place from the revision log; edited ones show the text they had before each edit.
 */
export async function writeReadableTranscript(input: ReadableTranscriptInput): Promise<void> {
  const { directory, incident, index, names } = input;
  const out = await LineWriter.create(join(directory, READABLE_TRANSCRIPT_FILE));
  const history = await LineReader.open(join(directory, RAW_HISTORY_FILE));
  const replies = await LineReader.open(join(directory, RAW_REPLIES_FILE));
  const edits = new Map<string, MessageRevision[]>();
  const deletions = new Map<string, MessageRevision>();
  for (const revision of input.revisions) {
    if (revision.kind === 'deleted') deletions.set(revision.ts, revision);
    else edits.set(revision.ts, [...(edits.get(revision.ts) ?? []), revision]);
  }
  const inTranscript = new Set<string>(index.history.map((m) => m.ts));
  for (const thread of index.replies.values()) for (const m of thread) inTranscript.add(m.ts);
  // deletions Slack no longer returns: put them back where they were, top level or in their thread
  const lostTopLevel: MessageRevision[] = [];
  const lostReplies = new Map<string, MessageRevision[]>();
  for (const deleted of deletions.values()) {
    if (inTranscript.has(deleted.ts)) continue;
    if (deleted.threadTs && deleted.threadTs !== deleted.ts)
      lostReplies.set(deleted.threadTs, [...(lostReplies.get(deleted.threadTs) ?? []), deleted]);
    else lostTopLevel.push(deleted);
  }

  const name = (id: string) => names[id] ?? id;
  const context: RenderContext = { name, edits, deletions };

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
    await out.append(
      'All times are UTC. Token-like secrets are masked here; raw/*.jsonl keep what Slack returned.',
    );

    type Entry = { ts: string; at?: IndexedMessage; lost?: MessageRevision };
    const entries: Entry[] = [
      ...index.history.map((at) => ({ ts: at.ts, at })),
      ...lostTopLevel.map((lost) => ({ ts: lost.ts, lost })),
    ].sort((a, b) => compareTs(a.ts, b.ts));

    let day = '';
    for (const entry of entries) {
      const today = tsToDate(entry.ts).toISOString().slice(0, 10);
      if (today !== day) {
        day = today;
        await out.append('');
        await out.append(`## ${day}`);
      }
      await out.append('');
      if (entry.lost) {
        for (const line of renderLost(entry.lost, context)) await out.append(line);
        continue;
      }
      const message = JSON.parse(await history.line(entry.at!)) as Message;
      for (const line of renderMessage(message, context)) await out.append(line);

      const thread: Entry[] = [
        ...(index.replies.get(message.ts) ?? []).map((at) => ({ ts: at.ts, at })),
        ...(lostReplies.get(message.ts) ?? []).map((lost) => ({ ts: lost.ts, lost })),
      ].sort((a, b) => compareTs(a.ts, b.ts));
      lostReplies.delete(message.ts);
      if (thread.length === 0) continue;
      await out.append('');
      await out.append(`> **Thread · ${thread.length} ${thread.length === 1 ? 'reply' : 'replies'}**`);
      for (const reply of thread) {
        const lines = reply.lost
          ? renderLost(reply.lost, context)
          : renderMessage(JSON.parse(await replies.line(reply.at!)) as Message, context);
        await out.append('>');
        for (const line of lines) await out.append(line ? `> ${line}` : '>');
      }
    }
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
    await history.close();
    await replies.close();
    await out.close();
  }
}

interface RenderContext {
  name(id: string): string;
  edits: Map<string, MessageRevision[]>;
  deletions: Map<string, MessageRevision>;
}

function renderMessage(message: Message, context: RenderContext): string[] {
  const lines: string[] = [];
  const edited = message.edited as { ts?: string; user?: string } | undefined;
  const editMark = edited?.ts ? ` · _edited ${time(tsToDate(edited.ts))}_` : '';
  lines.push(`**${time(tsToDate(message.ts))} · ${authorOf(message, context)}**${editMark}`);
  const body = bodyOf(message, context);
  if (body) lines.push(...body);

  for (const revision of context.edits.get(message.ts) ?? [])
    lines.push(
      `_Before the edit at ${utc(revision.changedAt)}:_ ${oneLine(renderText(revision.previousText, context))}`,
    );
  const deletion = context.deletions.get(message.ts);
  if (deletion)
    lines.push(
      `_Deleted at ${utc(deletion.changedAt)}; the text was:_ ${oneLine(renderText(deletion.previousText, context))}`,
    );
  for (const file of (message.files as Record<string, unknown>[] | undefined) ?? [])
    lines.push(`_File:_ ${describeFile(file)}`);
  for (const attachment of (message.attachments as Record<string, unknown>[] | undefined) ?? []) {
    const label = attachment.title ?? attachment.fallback ?? attachment.from_url ?? 'attachment';
    const link = attachment.title_link ?? attachment.from_url ?? attachment.original_url;
    lines.push(
      `_Attachment:_ ${escapeInline(maskTranscriptSecrets(String(label)))}${link ? ` <${String(link)}>` : ''}`,
    );
  }
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

function renderLost(revision: MessageRevision, context: RenderContext): string[] {
  const author = revision.user ? `${context.name(revision.user)}` : 'unknown author';
  return [
    `**${time(tsToDate(revision.ts))} · ${escapeInline(author)}** · _deleted ${utc(revision.changedAt)}_  `,
    `_The deleted text was:_ ${oneLine(renderText(revision.previousText, context))}`,
  ];
}

function authorOf(message: Message, context: RenderContext): string {
  if (typeof message.user === 'string')
    return `${escapeInline(context.name(message.user))} (${message.user})`;
  const bot = message.bot_profile as { name?: string } | undefined;
  const label = bot?.name ?? message.username ?? message.bot_id ?? 'unknown';
  return `${escapeInline(String(label))} (app)`;
}

function bodyOf(message: Message, context: RenderContext): string[] | undefined {
  const subtype = message.subtype as string | undefined;
  const text = typeof message.text === 'string' ? message.text : '';
  if (subtype === 'tombstone') return ['_This message was deleted (its thread remains)._'];
  if (!text) return undefined;
  const rendered = renderText(text, context);
  const lines = rendered.split('\n').map(escapeBlock);
  return subtype && subtype !== 'thread_broadcast' && subtype !== 'bot_message'
    ? [`_[${subtype}]_ ${lines[0]}`, ...lines.slice(1)]
    : lines;
}

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

function time(date: Date): string {
  return `${date.toISOString().slice(11, 19)} UTC`;
}

function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
