// @ts-check
// rich_text blocks: sections, lists (nested by indent), quotes and preformatted text, with every
// inline element Slack documents: text (styled), link, user, channel, usergroup, broadcast, emoji,
// date, color, team. Rich text carries raw text (no `&lt;` escaping), so it is only HTML-escaped.
import { escapeHtml } from './render-dom.js';
import { EMOJI } from './render-emoji.js';
import { channelMention, dateHtml, usergroupMention, userMention } from './render-mrkdwn.js';

/** @typedef {import('./types.js').NameContext} NameContext */
/** @typedef {import('./types.js').Json} Json */

/**
 * @param {string} html
 * @param {Json | undefined} style
 */
function styled(html, style) {
  let t = html;
  if (style?.code) t = `<code>${t}</code>`;
  if (style?.bold) t = `<strong>${t}</strong>`;
  if (style?.italic) t = `<em>${t}</em>`;
  if (style?.strike) t = `<del>${t}</del>`;
  if (style?.underline) t = `<u>${t}</u>`;
  if (style?.highlight || style?.client_highlight) t = `<mark>${t}</mark>`;
  return t;
}

/**
 * @param {Json} e
 * @param {NameContext} ctx
 */
function inlineElement(e, ctx) {
  switch (e.type) {
    case 'text':
      return styled(escapeHtml(e.text ?? ''), e.style).replace(/\n/g, '<br>');
    case 'link':
      return `<a href="${escapeHtml(e.url)}" target="_blank" rel="noopener">${styled(escapeHtml(e.text || e.url), e.style)}</a>`;
    case 'user':
      return styled(userMention(e.user_id, ctx), e.style);
    case 'channel':
      return styled(channelMention(e.channel_id, ctx), e.style);
    case 'usergroup':
      return styled(usergroupMention(e.usergroup_id, ctx), e.style);
    case 'broadcast':
      return `<span class="mention">@${escapeHtml(e.range)}</span>`;
    case 'emoji':
      return e.unicode
        ? String.fromCodePoint(
            ...String(e.unicode)
              .split('-')
              .map((hex) => Number.parseInt(hex, 16)),
          )
        : (EMOJI[e.name] ?? `:${escapeHtml(e.name)}:`);
    case 'date':
      return styled(dateHtml(Number(e.timestamp), e.format ?? '', e.fallback ?? '', ctx, e.url), e.style);
    case 'color':
      return `<span class="bk-color"><span class="bk-swatch" style="background:${escapeHtml(e.value)}"></span>${escapeHtml(e.value)}</span>`;
    case 'team':
      return `<span class="mention">${escapeHtml(e.team_id)}</span>`;
    default:
      return '';
  }
}

/**
 * @param {Json[] | undefined} elements
 * @param {NameContext} ctx
 */
const inline = (elements, ctx) => (elements ?? []).map((e) => inlineElement(e, ctx)).join('');

/**
 * @param {Json} el
 * @param {NameContext} ctx
 * @returns {string}
 */
function richElement(el, ctx) {
  switch (el.type) {
    case 'rich_text_section':
      return `<div>${inline(el.elements, ctx)}</div>`;
    case 'rich_text_preformatted':
      return `<pre class="code-block">${inline(el.elements, ctx)}</pre>`;
    case 'rich_text_quote':
      return `<blockquote>${inline(el.elements, ctx)}</blockquote>`;
    case 'rich_text_list': {
      const tag = el.style === 'ordered' ? 'ol' : 'ul';
      const items = (el.elements ?? []).map((/** @type {Json} */ i) => `<li>${inline(i.elements, ctx)}</li>`);
      const indent = Number(el.indent ?? 0);
      return `<${tag} class="bk-list" style="margin-left:${indent * 1.5}em">${items.join('')}</${tag}>`;
    }
    default:
      return '';
  }
}

/**
 * @param {Json} block  a rich_text block
 * @param {NameContext} ctx
 */
export function richText(block, ctx) {
  return (block.elements ?? []).map((/** @type {Json} */ el) => richElement(el, ctx)).join('');
}
