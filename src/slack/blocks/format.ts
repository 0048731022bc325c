/**
 * Typed Block Kit primitives shared by every builder: text objects, the common blocks, Slack's
 * date token and truncation that respects Slack's markup. Limits are Slack's documented ones (the
 * doc comments of `@slack/types` and docs.slack.dev/reference/block-kit).
 */
import type {
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';
import { automationActorLabel, SYSTEM_ACTOR } from '../../incidents/model.js';
import { escapeMarkup, safeText } from '../../text/safe-text.js';

/** Section text and a mrkdwn/plain text object: at most 3000 characters. */
export const SECTION_TEXT_LIMIT = 3000;
/** Header text (plain_text): at most 150 characters. */
export const HEADER_TEXT_LIMIT = 150;
/** A section field: at most 2000 characters, at most 10 fields per section. */
export const FIELD_TEXT_LIMIT = 2000;
export const FIELDS_PER_SECTION = 10;
/** Option text and description: at most 75 characters; option value: at most 150. */
export const OPTION_TEXT_LIMIT = 75;
/** Button text: at most 75 characters. */
export const BUTTON_TEXT_LIMIT = 75;
/** Modal title, submit and close: at most 24 characters. */
export const VIEW_TITLE_LIMIT = 24;
/** Input block label and hint: at most 2000 characters. */
export const LABEL_LIMIT = 2000;
/** Placeholders: at most 150 characters. */
export const PLACEHOLDER_LIMIT = 150;
/** Context block: at most 10 elements. */
export const CONTEXT_ELEMENTS_LIMIT = 10;
/** Blocks per message (50) and per modal or Home tab (100). */
export const MESSAGE_BLOCK_LIMIT = 50;
export const VIEW_BLOCK_LIMIT = 100;

/**
 * A time every reader sees in their own timezone (Slack's date token), with a UTC fallback for
 * clients that cannot localize.
 */
export function slackDate(iso: string, format = '{date_short_pretty} at {time}'): string {
  const at = new Date(iso);
  const fallback = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(at.getTime() / 1000)}^${format}|${fallback}>`;
}

export function mention(user: string | undefined): string {
  return user ? `<@${user}>` : '_unassigned_';
}

/** Who did something: a mention, or "Quell" for what Quell did by itself (never `<@quell>`). */
export function actorName(actor: string): string {
  return actor === SYSTEM_ACTOR ? 'Quell' : (automationActorLabel(actor) ?? `<@${actor}>`);
}

/**
 * People's text as mrkdwn: no live mention or masked link, &, < and > escaped (src/text/safe-text.ts,
 * the one escaping function). Quell's own mentions are built with `mention`/`actorName` instead.
 */
export function escapeText(text: string): string {
  return safeText(text, 'mrkdwn');
}

/** People's text for a plain_text object or a `text` fallback's plain part: no live mention. */
export function plainUserText(text: string): string {
  return safeText(text, 'plain');
}

/**
 * Text as Slack mrkdwn: &, < and > escaped, except the `<…>` sequences `keep` matches (Quell's own
 * mentions, dates and links inside text it stored), which stay whole so they render.
 */
export function escapeExcept(text: string, keep: RegExp): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(keep)) {
    out += escapeMarkup(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeMarkup(text.slice(last));
}

/** User and channel mentions, date tokens and links: what a mention-safe line may keep. */
export const MENTIONS_DATES_LINKS =
  /<(@[UW][A-Z0-9]+(\|[^<>]*)?|#[CG][A-Z0-9]+(\|[^<>]*)?|!date\^[^<>]+|https?:\/\/[^<>\s]+)>/g;

/** Cuts plain text to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  if (isLowSurrogate(text.charCodeAt(cut))) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * Cuts mrkdwn to `max` characters with an ellipsis, never inside a `<…>` sequence (a mention, a
 * date token, a link) or an `&amp;`-style escape: a half token would show raw markup or ping nobody.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeCut(text, max - 1))}…`;
}

/**
 * The largest index at or below `at` where mrkdwn can be split: not inside a surrogate pair, a
 * `<…>` sequence or an `&…;` escape. Falls back to `at` for a token longer than the whole span.
 */
export function safeCut(text: string, at: number): number {
  if (at >= text.length) return text.length;
  let cut = at;
  if (isLowSurrogate(text.charCodeAt(cut))) cut -= 1;
  const open = text.lastIndexOf('<', cut - 1);
  if (open > 0 && text.indexOf('>', open) >= cut) cut = open;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp > 0 && cut - amp <= 5 && !text.slice(amp, cut).includes(';')) cut = amp;
  return cut;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

export function plain(text: string, max = SECTION_TEXT_LIMIT): PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

export function mrkdwn(text: string, max = SECTION_TEXT_LIMIT): MrkdwnElement {
  return { type: 'mrkdwn', text: truncateMrkdwn(text, max) };
}

/** A select/radio option with plain text; text and description cut to 75 characters. */
export function plainOption(text: string, value: string, description?: string): PlainTextOption {
  return {
    text: plain(text, OPTION_TEXT_LIMIT),
    value,
    ...(description ? { description: plain(description, OPTION_TEXT_LIMIT) } : {}),
  };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, HEADER_TEXT_LIMIT) };
}

export function section(markdown: string): SectionBlock {
  return { type: 'section', text: mrkdwn(markdown) };
}

export function fields(pairs: readonly [string, string][]): SectionBlock {
  return {
    type: 'section',
    fields: pairs
      .slice(0, FIELDS_PER_SECTION)
      .map(([label, value]) => mrkdwn(`*${label}*\n${value}`, FIELD_TEXT_LIMIT)),
  };
}

export function context(markdown: string): ContextBlock {
  return { type: 'context', elements: [mrkdwn(markdown)] };
}

export const divider: DividerBlock = { type: 'divider' };

/**
 * Lines packed into as few sections as fit (3000 characters each), each line whole; a single line
 * longer than a section is cut safely.
 */
export function lineSections(lines: readonly string[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  let chunk = '';
  for (const line of lines) {
    if (chunk && chunk.length + line.length + 1 > SECTION_TEXT_LIMIT) {
      blocks.push(section(chunk));
      chunk = '';
    }
    chunk += `${chunk ? '\n' : ''}${line}`;
  }
  if (chunk) blocks.push(section(chunk));
  return blocks;
}
