// @ts-check
// mrkdwn → safe HTML, as Slack draws it: *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes, links,
// user / channel / usergroup mentions by name, `<!date…>` tokens in the viewer's time zone, :emoji:.
// Slack escapes `&`, `<` and `>` in text as `&amp;`, `&lt;`, `&gt;`; they show as the characters.

import { formatSlackDate, fullDate } from './render-dates.js';
import { escapeHtml } from './render-dom.js';
import { emoji } from './render-emoji.js';

/** @typedef {import('./types.js').NameContext} NameContext */

/** @param {string} text */
export function decodeSlack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** @param {string} html */
function inlineFormat(html) {
  return html
    .replace(/(^|[\s(\uE001])\*([^*\n]+)\*(?=$|[\s).,:;!?\uE000])/g, '$1<strong>$2</strong>')
    .replace(/(^|[\s(\uE001])_([^_\n]+)_(?=$|[\s).,:;!?\uE000])/g, '$1<em>$2</em>')
    .replace(/(^|[\s(\uE001])~([^~\n]+)~(?=$|[\s).,:;!?\uE000])/g, '$1<del>$2</del>');
}

/**
 * @param {string | undefined | null} text
 * @param {NameContext} ctx
 * @param {{ plain?: boolean }} [options]  plain: a plain_text object (only emoji and unescaping)
 */
export function mrkdwn(text, ctx, { plain = false } = {}) {
  if (!text) return '';
  if (plain) return escapeHtml(emoji(decodeSlack(text))).replace(/\n/g, '<br>');
  const parts = String(text).split('```');
  return parts
    .map((part, i) => {
      if (i % 2 === 1)
        return `<pre class="code-block">${escapeHtml(decodeSlack(part.replace(/^\n/, '')))}</pre>`;
      return formatLines(part, ctx);
    })
    .join('');
}

/**
 * @param {string} text
 * @param {NameContext} ctx
 */
function formatLines(text, ctx) {
  const lines = text.split('\n');
  let html = '';
  /** @type {string[]} */
  let quote = [];
  const flush = () => {
    if (quote.length) html += `<blockquote>${quote.join('<br>')}</blockquote>`;
    quote = [];
  };
  lines.forEach((line, index) => {
    const quoted = /^(&gt;|>)\s?/.exec(line);
    if (quoted) {
      quote.push(formatInline(line.slice(quoted[0].length), ctx));
      return;
    }
    flush();
    html += formatInline(line, ctx) + (index < lines.length - 1 ? '<br>' : '');
  });
  flush();
  return html;
}

/**
 * @param {string} text
 * @param {NameContext} ctx
 */
function formatInline(text, ctx) {
  // code spans and <...> tokens become placeholders, so *bold* and _italic_ can span around them
  /** @type {string[]} */
  const slots = [];
  /** @param {string} html */
  const hold = (html) => `\uE000${slots.push(html) - 1}\uE001`;
  const held = text
    .replace(/`([^`]+)`/g, (_m, code) => hold(`<code>${escapeHtml(decodeSlack(code))}</code>`))
    .replace(/<([^<>]+)>/g, (_m, inner) => hold(special(inner, ctx)));
  const html = inlineFormat(escapeHtml(emoji(decodeSlack(held))));
  return html.replace(/\uE000(\d+)\uE001/g, (_m, index) => slots[Number(index)] ?? '');
}

/**
 * A person's name as Slack shows it in a mention: display name, else full name.
 * @param {string} id
 * @param {NameContext} ctx
 * @param {string} [label]
 */
export function mentionName(id, ctx, label) {
  const user = ctx.users?.get(id);
  return user ? user.display_name || user.real_name || user.name : label || id;
}

/** @param {string} id @param {NameContext} ctx */
export function userMention(id, ctx, label = '') {
  return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(mentionName(id, ctx, label))}</span>`;
}

/** @param {string} id @param {NameContext} ctx */
export function channelMention(id, ctx, label = '') {
  const channel = ctx.channels?.get(id);
  const name = channel ? channel.name : label || id;
  return `<a class="mention channel-link" href="#" data-channel="${escapeHtml(id)}">#${escapeHtml(name)}</a>`;
}

/** @param {string} id @param {NameContext} ctx */
export function usergroupMention(id, ctx, label = '') {
  const group = ctx.usergroups?.get(id);
  const name = group ? `@${group.handle}` : label ? (label.startsWith('@') ? label : `@${label}`) : '@group';
  return `<span class="mention" data-usergroup="${escapeHtml(id)}">${escapeHtml(name)}</span>`;
}

/**
 * A date token: the formatted text, or the fallback when the format cannot be read.
 * @param {number} epoch
 * @param {string} format
 * @param {string} fallback
 * @param {NameContext} ctx
 * @param {string} [link]
 */
export function dateHtml(epoch, format, fallback, ctx, link) {
  const when = formatSlackDate(epoch, format, { timeZone: ctx.timeZone }) ?? (fallback || format);
  const title = Number.isFinite(epoch) ? escapeHtml(fullDate(epoch, ctx.timeZone)) : '';
  const text = `<time title="${title}">${escapeHtml(when)}</time>`;
  return link && /^(https?:|mailto:)/.test(link)
    ? `<a href="${escapeHtml(link)}" target="_blank" rel="noopener">${text}</a>`
    : text;
}

/**
 * One `<…>` token of mrkdwn.
 * @param {string} inner
 * @param {NameContext} ctx
 */
function special(inner, ctx) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) return userMention(target.slice(1), ctx, decodeSlack(label));
  if (target.startsWith('#')) return channelMention(target.slice(1), ctx, decodeSlack(label));
  if (target.startsWith('!subteam^')) return usergroupMention(target.slice(9), ctx, decodeSlack(label));
  if (target.startsWith('!date^')) {
    // <!date^epoch^format^optional_link|fallback>
    const [, epoch, format, link] = target.split('^');
    return dateHtml(
      Number(epoch),
      decodeSlack(format ?? ''),
      decodeSlack(label),
      ctx,
      link && decodeSlack(link),
    );
  }
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const href = decodeSlack(target);
  if (!/^(https?:|mailto:)/.test(href)) return escapeHtml(decodeSlack(label || target));
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${escapeHtml(emoji(decodeSlack(label || target)))}</a>`;
}

/**
 * @param {string} text
 * @param {string} separator
 * @returns {[string, string]}
 */
function splitOnce(text, separator) {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
}

/**
 * A plain_text object's text, for places that take text, not HTML.
 * @param {{ text?: string } | undefined | null} obj
 */
export function plain(obj) {
  return obj ? emoji(decodeSlack(obj.text ?? '')) : '';
}
