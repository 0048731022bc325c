// @ts-check
// The hover toolbar of a message: quick reactions, thread, shortcuts, copy, edit, delete.
import { confirmDialog } from './confirm.js';
import { messageShortcuts } from './header.js';
import { h } from './render-dom.js';
import { emoji } from './render-emoji.js';
import { screen } from './screen.js';
import { api, attempt, state, toast } from './state.js';

/**
 * The path of a message, as Slack's permalinks have it.
 * @param {string} channel
 * @param {string} ts
 */
export function permalink(channel, ts) {
  return `/archives/${channel}/p${ts.replace('.', '')}`;
}

/** @typedef {import('./types.js').Json} Json */

/**
 * @param {Json} message
 * @param {string} channelId
 * @param {boolean} inThread
 */
export function messageToolbar(message, channelId, inThread) {
  const mine = message.user === state.me;
  const admin = state.users.get(state.me)?.is_admin;
  const menu = h('div', { class: 'menu', hidden: true, role: 'menu' });
  for (const shortcut of messageShortcuts())
    menu.append(
      h(
        'button',
        {
          role: 'menuitem',
          onclick: () =>
            attempt(() =>
              api('shortcut', { callback_id: shortcut.callback_id, channel: channelId, ts: message.ts }),
            ),
        },
        h('span', { class: 'menu-app' }, 'Q'),
        shortcut.name,
      ),
    );
  if (messageShortcuts().length) menu.append(h('hr'));
  menu.append(
    h(
      'button',
      {
        role: 'menuitem',
        onclick: () => {
          navigator.clipboard?.writeText(location.origin + permalink(channelId, message.ts));
          toast('Link copied', 'info');
        },
      },
      'Copy link',
    ),
  );
  if (mine && !message.bot_id)
    menu.append(
      h(
        'button',
        {
          role: 'menuitem',
          onclick: () => {
            state.editing = message.ts;
            inThread ? screen.renderThread() : screen.renderMessages();
          },
        },
        'Edit message',
      ),
    );
  if (mine || admin)
    menu.append(
      h(
        'button',
        {
          role: 'menuitem',
          class: 'danger',
          onclick: async () => {
            if (
              await confirmDialog({
                title: { text: 'Delete message' },
                text: { text: 'Are you sure you want to delete this message? This cannot be undone.' },
                confirm: { text: 'Delete' },
                style: 'danger',
              })
            )
              attempt(() => api('message/delete', { channel: channelId, ts: message.ts }));
          },
        },
        'Delete message',
      ),
    );
  const quick = ['white_check_mark', 'eyes', '+1'].map((name) =>
    h(
      'button',
      {
        class: 'tool',
        title: `React :${name}:`,
        onclick: () => attempt(() => api('react', { channel: channelId, ts: message.ts, name })),
      },
      emoji(`:${name}:`),
    ),
  );
  return h(
    'div',
    { class: 'toolbar' },
    quick,
    inThread
      ? null
      : h(
          'button',
          {
            class: 'tool',
            title: 'Reply in thread',
            'aria-label': 'Reply in thread',
            onclick: () => screen.openThread(channelId, message.ts),
          },
          '💬',
        ),
    h(
      'div',
      { class: 'menu-wrap' },
      h(
        'button',
        {
          class: 'tool',
          title: 'More actions',
          'aria-label': 'More actions',
          onclick: (e) => {
            e.stopPropagation();
            closeMenus(menu);
            menu.hidden = !menu.hidden;
          },
        },
        '⋮',
      ),
      menu,
    ),
  );
}

/** Closes every open menu but `except`. @param {Element} [except] */
export function closeMenus(except) {
  for (const menu of document.querySelectorAll('.menu'))
    if (menu !== except && menu instanceof HTMLElement) menu.hidden = true;
}

/**
 * Editing one's own message in place.
 * @param {Json} message
 * @param {string} channelId
 */
export function editor(message, channelId) {
  const area = h('textarea', { class: 'edit-area', 'aria-label': 'Edit message' });
  area.value = plainText(message.text);
  const save = () =>
    attempt(async () => {
      await api('message/edit', { channel: channelId, ts: message.ts, text: area.value });
      state.editing = null;
    });
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      save();
    }
    if (e.key === 'Escape') {
      state.editing = null;
      screen.renderMessages();
    }
  });
  setTimeout(() => area.focus(), 0);
  return h(
    'div',
    { class: 'editor' },
    area,
    h(
      'div',
      { class: 'editor-actions' },
      h(
        'button',
        {
          class: 'bk-button',
          onclick: () => {
            state.editing = null;
            screen.renderMessages();
            screen.renderThread();
          },
        },
        'Cancel',
      ),
      h('button', { class: 'bk-button bk-primary', onclick: save }, 'Save'),
    ),
  );
}

/**
 * A message's text as its author would type it again: names, not ids; no Slack escaping.
 * @param {string} text
 */
export function plainText(text) {
  return text
    .replace(/<@(\w+)(\|[^>]*)?>/g, (_m, /** @type {string} */ id) => `@${state.users.get(id)?.name ?? id}`)
    .replace(
      /<#(\w+)(\|[^>]*)?>/g,
      (_m, /** @type {string} */ id) => `#${state.channels.get(id)?.name ?? id}`,
    )
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
