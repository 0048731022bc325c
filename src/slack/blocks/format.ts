import type { Block } from '../../chat/port.js';

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

/** Slack mrkdwn needs &, < and > escaped in text that came from people. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const SECTION_TEXT_LIMIT = 3000;
export const HEADER_TEXT_LIMIT = 150;

export function header(text: string): Block {
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncate(text, HEADER_TEXT_LIMIT), emoji: true },
  };
}

export function section(markdown: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(markdown, SECTION_TEXT_LIMIT) } };
}

export function fields(pairs: readonly [string, string][]): Block {
  // a section holds at most 10 fields of 2000 characters each
  return {
    type: 'section',
    fields: pairs
      .slice(0, 10)
      .map(([label, value]) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, 2000) })),
  };
}

export function context(markdown: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(markdown, SECTION_TEXT_LIMIT) }] };
}

export const divider: Block = { type: 'divider' };
