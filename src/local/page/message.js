// @ts-check
// One message (or system line, or ephemeral) as Slack draws it.
import { sendAction } from './actions.js';
import { editor, messageToolbar, permalink } from './message-toolbar.js';
import { avatar, time, userName } from './people.js';
import { renderBlocks } from './render-blocks.js';
import { h } from './render-dom.js';
import { emoji } from './render-emoji.js';
import { mrkdwn } from './render-mrkdwn.js';
import { screen } from './screen.js';
import { api, attempt, state, workspace } from './state.js';
import { ctx } from './surface.js';

export const SYSTEM_SUBTYPES = new Set([
  'channel_join',
  'channel_leave',
  'channel_topic',
  'channel_purpose',
  'channel_name',
  'pinned_item',
  'unpinned_item',
  'channel_archive',
  'channel_unarchive',
]);

/** @typedef {import('./types.js').Json} Json */

/**
 * The line Slack writes for a system message (joins, topic, pins, archive).
 * @param {Json} message
 * @returns {(string | HTMLElement)[]}
 */
export function systemText(message) {
  const who = userName(message.user);
  switch (message.subtype) {
    case 'channel_topic':
      return [
        `${who} set the channel topic: `,
        h('span', { class: 'quoted', html: mrkdwn(message.topic ?? '', ctx('message')) }),
      ];
    case 'channel_purpose':
      return [`${who} set the channel description: `, h('span', { class: 'quoted' }, message.purpose ?? '')];
    case 'pinned_item':
      return [
        `${who} pinned a message to this channel. `,
        h(
          'a',
          {
            href: '#',
            onclick: (e) => {
              e.preventDefault();
              screen.togglePanel('pins', true);
            },
          },
          'See all pinned items',
        ),
      ];
    case 'channel_archive':
      return [`${who} archived this channel.`];
    case 'channel_unarchive':
      return [`${who} un-archived this channel.`];
    default:
      return [h('span', { html: mrkdwn(message.text, ctx('message')) })];
  }
}

/**
 * @param {Json} message
 * @param {{ grouped?: boolean, inThread?: boolean }} [options]  grouped: under the same author's previous one
 */
export function renderMessage(message, { grouped = false, inThread = false } = {}) {
  if (SYSTEM_SUBTYPES.has(message.subtype)) {
    /** @type {Record<string, string>} */
    const icons = { pinned_item: '📌', channel_topic: '✏️', channel_purpose: '✏️', channel_archive: '🗄️' };
    const icon = icons[message.subtype] ?? 'ℹ️';
    return h(
      'div',
      { class: 'message system', 'data-ts': message.ts },
      h(
        'div',
        { class: 'row' },
        h('div', { class: 'gutter' }, h('span', { class: 'system-icon' }, icon)),
        h(
          'div',
          { class: 'content' },
          h('span', { class: 'system-text' }, ...systemText(message)),
          h('span', { class: 'time' }, time(message.ts)),
        ),
      ),
    );
  }
  const channelId = state.thread && inThread ? state.thread.channel : state.current.id;
  const user = state.users.get(message.user);
  const isApp = Boolean(message.bot_id);
  const pinned = message.pinned_to?.length;
  const body = h('div', { class: 'body' });
  if (state.editing === message.ts && !isApp) body.append(editor(message, channelId));
  else if (message.subtype === 'tombstone')
    body.append(h('div', { class: 'tombstone' }, 'This message was deleted.'));
  else if (message.blocks?.length)
    body.append(
      renderBlocks(
        message.blocks,
        ctx('message', {
          onAction: (d) => sendAction({ type: 'message', channel: channelId, ts: message.ts }, d),
        }),
      ),
    );
  else body.append(h('div', { class: 'text', html: mrkdwn(message.text, ctx('message')) }));
  if (message.edited && state.editing !== message.ts)
    body.append(h('span', { class: 'edited' }, ' (edited)'));
  for (const file of message.files ?? [])
    body.append(
      h(
        'a',
        { class: 'file-card', href: file.url_private_download, download: file.name },
        h('span', { class: 'file-icon' }, '📄'),
        h(
          'span',
          {},
          h('strong', {}, file.title || file.name),
          h('span', { class: 'file-meta' }, `${file.pretty_type} · ${formatBytes(file.size)}`),
        ),
      ),
    );
  if (message.reactions?.length)
    body.append(
      h(
        'div',
        { class: 'reactions' },
        message.reactions.map((/** @type {Json} */ r) =>
          h(
            'button',
            {
              class: `reaction${r.users.includes(state.me) ? ' mine' : ''}`,
              title: r.users.map(userName).join(', '),
              onclick: () =>
                attempt(() => api('react', { channel: channelId, ts: message.ts, name: r.name })),
            },
            `${emoji(`:${r.name}:`)} ${r.count}`,
          ),
        ),
      ),
    );
  if (!inThread && message.reply_count)
    body.append(
      h(
        'button',
        { class: 'thread-summary', onclick: () => screen.openThread(channelId, message.ts) },
        h(
          'span',
          { class: 'stack' },
          (message.reply_users ?? []).map((/** @type {string} */ u) => avatar(u, true)),
        ),
        h('strong', {}, `${message.reply_count} ${message.reply_count === 1 ? 'reply' : 'replies'}`),
        h('span', { class: 'muted' }, ` Last reply ${time(message.latest_reply)}`),
      ),
    );
  const header = grouped
    ? null
    : h(
        'div',
        { class: 'meta' },
        h('span', { class: 'author' }, user?.real_name ?? message.bot_profile?.name ?? message.user ?? 'app'),
        isApp ? h('span', { class: 'badge' }, 'App') : null,
        h(
          'a',
          {
            class: 'time',
            href: permalink(channelId, message.ts),
            title: new Date(Number(message.ts) * 1000).toLocaleString(),
            onclick: (e) => e.preventDefault(),
          },
          time(message.ts),
        ),
      );
  return h(
    'div',
    {
      class: `message${grouped ? ' grouped' : ''}${pinned ? ' pinned' : ''}${isApp ? ' from-app' : ''}`,
      'data-ts': message.ts,
      'data-user': message.user,
    },
    pinned ? h('div', { class: 'pinned-label' }, `📌 Pinned by ${pinnedBy(message.ts)}`) : null,
    h(
      'div',
      { class: 'row' },
      h(
        'div',
        { class: 'gutter' },
        grouped ? h('span', { class: 'hover-time' }, time(message.ts)) : avatar(message.user),
      ),
      h('div', { class: 'content' }, header, body),
    ),
    message.subtype === 'tombstone' ? null : messageToolbar(message, channelId, inThread),
  );
}

/** @param {string} ts */
export function pinnedBy(ts) {
  const pin = state.data?.pins.find((/** @type {Json} */ p) => p.ts === ts);
  return pin ? userName(pin.created_by) : 'someone';
}

/** @param {number} size */
export function formatBytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A message only the viewer sees, with Slack's "Only visible to you" note.
 * @param {Json} ephemeral
 */
export function renderEphemeral(ephemeral) {
  const fromSlackbot = ephemeral.from === 'slackbot';
  const author = fromSlackbot ? 'Slackbot' : workspace().bot.name;
  const body = ephemeral.blocks?.length
    ? renderBlocks(
        ephemeral.blocks,
        ctx('message', { onAction: (d) => sendAction({ type: 'ephemeral', id: ephemeral.id }, d) }),
      )
    : h('div', { class: 'text', html: mrkdwn(ephemeral.text, ctx('message')) });
  return h(
    'div',
    { class: 'message ephemeral', 'data-ts': ephemeral.ts, 'data-ephemeral-id': ephemeral.id },
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'gutter' }, avatar(fromSlackbot ? 'USLACKBOT' : workspace().bot.id)),
      h(
        'div',
        { class: 'content' },
        h(
          'div',
          { class: 'meta' },
          h('span', { class: 'author' }, author),
          fromSlackbot ? null : h('span', { class: 'badge' }, 'App'),
          h('span', { class: 'time' }, time(ephemeral.ts)),
        ),
        h('div', { class: 'body' }, body),
        h(
          'div',
          { class: 'ephemeral-note' },
          h('span', { class: 'eye', 'aria-hidden': 'true' }, '👁'),
          ' Only visible to you · ',
          h(
            'button',
            { class: 'link', onclick: () => attempt(() => api('ephemeral/dismiss', { id: ephemeral.id })) },
            'Dismiss message',
          ),
        ),
      ),
    ),
  );
}
