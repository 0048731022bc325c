// @ts-check
// The sidebar: team, who you are (and switching person), channels, the app.
import { avatar, userName } from './people.js';
import { h } from './render-dom.js';
import { screen } from './screen.js';
import { $, state, toast, workspace } from './state.js';

/** The live indicator, kept across re-renders (live.js sets its state). @type {HTMLElement | undefined} */
let liveIndicator;

export function renderSidebar() {
  const sidebar = $('#sidebar');
  const me = state.users.get(state.me);
  const people = [...state.users.values()].filter((u) => !u.is_bot && !u.deleted);
  const switcher = h(
    'select',
    { id: 'user-switcher', 'aria-label': 'Acting as', onchange: (e) => switchUser(e.target.value) },
    people.map((u) =>
      h(
        'option',
        { value: u.id, selected: u.id === state.me },
        `${u.real_name}${u.title ? ` · ${u.title}` : ''}`,
      ),
    ),
  );
  const channels = [...state.channels.values()]
    .filter((c) => !c.is_im && (!c.is_private || c.members.includes(state.me)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const open = channels.filter((c) => !c.is_archived);
  const archived = channels.filter((c) => c.is_archived);
  /** @param {import('./types.js').Channel} c */
  const channelLink = (c) => {
    const member = c.members.includes(state.me);
    const active = state.current.kind === 'channel' && state.current.id === c.id;
    const unread = state.unread.has(c.id) && member;
    return h(
      'a',
      {
        href: `#${c.name}`,
        class: `channel${active ? ' active' : ''}${unread ? ' unread' : ''}${member ? '' : ' not-member'}${c.name.startsWith('inc-') ? ' incident' : ''}`,
        'data-channel-id': c.id,
        'aria-current': active ? 'page' : undefined,
        onclick: (e) => {
          e.preventDefault();
          screen.openChannel(c.id);
        },
      },
      h('span', { class: 'hash' }, c.is_private ? '🔒' : '#'),
      h('span', { class: 'channel-name' }, c.name),
    );
  };
  const botName = workspace().bot.name;
  const appActive = state.current.kind === 'app';
  sidebar.replaceChildren(
    ...[
      h(
        'div',
        { class: 'team' },
        h('div', { class: 'team-name' }, workspace().team.name),
        h('div', { class: 'team-sub' }, 'Local workspace · rehearsal'),
      ),
      h(
        'div',
        { class: 'me' },
        me ? avatar(me.id, true) : null,
        h('label', { class: 'me-label', for: 'user-switcher' }, 'You are'),
        switcher,
      ),
      h(
        'nav',
        { 'aria-label': 'Channels' },
        h('div', { class: 'section-title' }, 'Channels'),
        open.map(channelLink),
      ),
      archived.length
        ? h(
            'details',
            { class: 'archived' },
            h('summary', { class: 'section-title' }, `Archived (${archived.length})`),
            archived.map(channelLink),
          )
        : null,
      h(
        'nav',
        { 'aria-label': 'Apps' },
        h('div', { class: 'section-title' }, 'Apps'),
        h(
          'a',
          {
            href: '#app',
            class: `channel app-link${appActive ? ' active' : ''}`,
            onclick: (e) => {
              e.preventDefault();
              screen.openApp('home');
            },
          },
          h('span', { class: 'app-icon' }, 'Q'),
          h('span', { class: 'channel-name' }, botName),
        ),
      ),
      h(
        'div',
        { class: 'sidebar-footer' },
        h('span', { id: 'live', class: 'live' }, 'Connecting…'),
        h('span', {}, 'Nothing leaves this machine'),
      ),
    ].filter((el) => el !== null),
  );
  // keep the live indicator state across re-renders
  if (liveIndicator) $('#live').replaceWith(liveIndicator);
  liveIndicator = $('#live');
}

/** @param {string} id */
export async function switchUser(id) {
  state.me = id;
  localStorage.setItem('quell-local-user', id);
  const url = new URL(location.href);
  url.searchParams.set('as', id);
  history.replaceState(null, '', url);
  state.modalKey = '';
  state.unread.clear();
  await screen.loadWorkspace();
  await Promise.all([screen.loadChannel(), screen.loadViews(), screen.loadThread()]);
  if (state.current.kind === 'app') screen.renderApp();
  toast(`You are now ${userName(id)}`, 'info');
}
