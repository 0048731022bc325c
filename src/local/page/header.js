// @ts-check
// The channel header: name, topic, members, pins, global shortcuts, bookmarks.
import { avatar } from './people.js';
import { h } from './render-dom.js';
import { emoji } from './render-emoji.js';
import { mrkdwn } from './render-mrkdwn.js';
import { screen } from './screen.js';
import { $, api, attempt, state, workspace } from './state.js';
import { ctx } from './surface.js';

export function renderHeader() {
  if (state.current.kind === 'app') return screen.renderApp();
  const data = state.data;
  if (!data) return;
  const channel = data.channel;
  const pins = data.pins.length;
  $('#channel-header').replaceChildren(
    h(
      'div',
      { class: 'title' },
      h('h1', {}, h('span', { class: 'hash' }, channel.is_private ? '🔒' : '#'), channel.name),
      channel.is_archived ? h('span', { class: 'badge archived-badge' }, 'Archived') : null,
      channel.topic?.value
        ? h('div', {
            class: 'topic',
            title: channel.topic.value,
            html: mrkdwn(channel.topic.value, ctx('message')),
          })
        : null,
    ),
    h(
      'div',
      { class: 'header-actions' },
      h(
        'button',
        {
          class: 'header-button',
          onclick: () => screen.togglePanel('members'),
          'aria-label': `${channel.members.length} members`,
        },
        h(
          'span',
          { class: 'stack' },
          channel.members.slice(0, 3).map((/** @type {string} */ m) => avatar(m, true)),
        ),
        String(channel.members.length),
      ),
      h(
        'button',
        {
          class: `header-button${state.panel === 'pins' ? ' pressed' : ''}`,
          onclick: () => screen.togglePanel('pins'),
          'aria-label': `Pinned messages (${pins})`,
        },
        '📌 ',
        pins ? `${pins} pinned` : 'Pins',
      ),
      globalShortcuts().length ? shortcutsButton() : null,
    ),
  );
  $('#bookmarks').replaceChildren(
    ...data.bookmarks.map((/** @type {import('./types.js').Json} */ b) =>
      h(
        'a',
        { class: 'bookmark', href: b.link, target: '_blank', rel: 'noopener' },
        b.emoji ? `${emoji(b.emoji)} ` : '🔗 ',
        b.title,
      ),
    ),
  );
  $('#bookmarks').hidden = data.bookmarks.length === 0;
}

export function globalShortcuts() {
  return workspace().shortcuts.filter((s) => s.type === 'global');
}

export function messageShortcuts() {
  return workspace().shortcuts.filter((s) => s.type === 'message');
}

export function shortcutsButton() {
  const menu = h(
    'div',
    { class: 'menu', hidden: true, role: 'menu' },
    globalShortcuts().map((s) =>
      h(
        'button',
        {
          role: 'menuitem',
          onclick: () =>
            attempt(() => api('shortcut', { callback_id: s.callback_id, channel: state.current.id })),
        },
        `⚡ ${s.name}`,
      ),
    ),
  );
  const button = h(
    'button',
    {
      class: 'header-button',
      'aria-label': 'Shortcuts',
      onclick: (e) => {
        e.stopPropagation();
        menu.hidden = !menu.hidden;
      },
    },
    '⚡',
  );
  return h('div', { class: 'menu-wrap' }, button, menu);
}
