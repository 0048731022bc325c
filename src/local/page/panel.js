// @ts-check
// The side panel: a thread with its composer, pinned messages, members.
import { renderEphemeral, renderMessage } from './message.js';
import { avatar, userName } from './people.js';
import { h } from './render-dom.js';
import { screen } from './screen.js';
import { $, state } from './state.js';

/** @typedef {import('./types.js').Json} Json */

/** @param {'pins' | 'members'} kind */
export function togglePanel(kind, forceOpen = false) {
  if (state.panel === kind && !forceOpen) return closePanel();
  state.panel = kind;
  $('#panel').hidden = false;
  if (kind === 'pins') renderPins();
  if (kind === 'members') renderMembers();
  screen.renderHeader();
}

export function closePanel() {
  state.panel = null;
  state.thread = null;
  $('#panel').hidden = true;
  if (state.data && state.current.kind === 'channel') screen.renderHeader();
}

/**
 * @param {string} title
 * @param {string} subtitle
 * @param {...(HTMLElement | HTMLElement[] | null)} content
 */
export function panelShell(title, subtitle, ...content) {
  return [
    h(
      'header',
      { class: 'panel-header' },
      h('div', {}, h('h2', {}, title), subtitle ? h('div', { class: 'muted' }, subtitle) : null),
      h('button', { class: 'close', 'aria-label': 'Close panel', onclick: closePanel }, '×'),
    ),
    h('div', { class: 'panel-body' }, ...content),
  ];
}

export function renderPins() {
  if (state.panel !== 'pins' || !state.data) return;
  const pins = state.data.pins;
  $('#panel').replaceChildren(
    ...panelShell(
      'Pinned',
      `#${state.data.channel.name}`,
      pins.length
        ? pins.map((/** @type {Json} */ pin) =>
            h(
              'div',
              { class: 'pin-card', 'data-ts': pin.ts },
              pin.message
                ? renderMessage({ ...pin.message, pinned_to: undefined }, { inThread: true })
                : h('div', { class: 'muted' }, 'Message deleted'),
              h(
                'div',
                { class: 'pin-meta' },
                `Pinned by ${userName(pin.created_by)} · `,
                h(
                  'a',
                  {
                    href: '#',
                    onclick: (e) => {
                      e.preventDefault();
                      state.highlight = pin.ts;
                      screen.renderMessages();
                    },
                  },
                  'Show in channel',
                ),
              ),
            ),
          )
        : h(
            'div',
            { class: 'empty-state small' },
            h('div', { class: 'empty-icon' }, '📌'),
            h('p', {}, 'Nothing is pinned here yet.'),
          ),
    ),
  );
}

export function renderMembers() {
  if (state.panel !== 'members' || !state.data) return;
  const members = state.data.channel.members;
  $('#panel').replaceChildren(
    ...panelShell(
      'Members',
      `${members.length} in #${state.data.channel.name}`,
      h(
        'ul',
        { class: 'member-list' },
        members.map((/** @type {string} */ id) => {
          const user = state.users.get(id);
          return h(
            'li',
            {},
            avatar(id, true),
            h(
              'span',
              {},
              h('strong', {}, user?.real_name ?? id),
              user?.is_bot ? h('span', { class: 'badge' }, 'App') : null,
              user?.title ? h('span', { class: 'muted' }, ` · ${user.title}`) : null,
            ),
          );
        }),
      ),
    ),
  );
}

/**
 * @param {string} channel
 * @param {string} ts  the parent message
 */
export async function openThread(channel, ts) {
  state.panel = 'thread';
  state.thread = { channel, ts, messages: [], ephemerals: [] };
  $('#panel').hidden = false;
  renderThread();
  await screen.loadThread();
  $('#panel textarea')?.focus();
}

export function renderThread() {
  if (state.panel !== 'thread' || !state.thread) return;
  const { messages, ephemerals, channel } = state.thread;
  const items = [
    ...messages.map((/** @type {Json} */ m) => ({
      ts: m.ts,
      el: () => renderMessage(m, { inThread: true }),
    })),
    ...ephemerals.map((/** @type {Json} */ e) => ({ ts: e.ts, el: () => renderEphemeral(e) })),
  ].sort((a, b) => (a.ts < b.ts ? -1 : 1));
  const [parent, ...rest] = items;
  const composer = screen.makeComposer({
    channel,
    threadTs: state.thread.ts,
    placeholder: 'Reply…',
    label: 'Reply in thread',
  });
  $('#panel').replaceChildren(
    ...panelShell(
      'Thread',
      `#${state.channels.get(channel)?.name ?? ''}`,
      parent ? parent.el() : null,
      rest.length
        ? h(
            'div',
            { class: 'reply-divider' },
            h('span', {}, `${messages.length - 1} ${messages.length === 2 ? 'reply' : 'replies'}`),
          )
        : null,
      rest.map((r) => r.el()),
      composer,
    ),
  );
}
