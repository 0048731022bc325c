// The local workspace page: channels, messages and threads, Block Kit, modals, ephemeral messages,
// pins, a composer for messages and slash commands, the app's Home tab. Live over server-sent events.
import { emoji, escapeHtml, h, mrkdwn, renderBlocks } from './blocks.js';

const params = new URLSearchParams(location.search);
const state = {
  me: params.get('as') || localStorage.getItem('quell-local-user') || 'U0ALICE',
  ws: null,
  users: new Map(),
  channels: new Map(),
  usergroups: new Map(),
  current: { kind: 'channel', id: null },
  data: null,
  panel: null,
  thread: null,
  views: { stack: [], home: null },
  modalValues: {},
  modalKey: '',
  unread: new Set(),
  seen: JSON.parse(localStorage.getItem('quell-local-seen') || '{}'),
  highlight: null,
  suggestion: { items: [], index: 0 },
  editing: null,
};

const $ = (selector) => document.querySelector(selector);

async function api(route, body) {
  const response = await fetch(
    `/ui/api/${route}${body ? '' : `${route.includes('?') ? '&' : '?'}as=${state.me}`}`,
    {
      method: body ? 'POST' : 'GET',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify({ as: state.me, ...body }) : undefined,
    },
  );
  const result = await response.json();
  if (!result.ok) throw new Error(result.error || 'request failed');
  return result;
}

const FRIENDLY_ERRORS = {
  not_in_channel: 'You are not a member of this channel. Join it first.',
  is_archived: 'This channel is archived.',
  cant_update_message: 'You can only edit your own messages.',
  cant_delete_message: 'You can only delete your own messages.',
  message_not_found: 'That message no longer exists.',
};

function toast(text, kind = 'error') {
  const el = h('div', { class: `toast toast-${kind}`, role: 'status' }, text);
  $('#toasts').append(el);
  setTimeout(() => el.classList.add('leaving'), 4200);
  setTimeout(() => el.remove(), 4600);
}

async function attempt(run) {
  try {
    return await run();
  } catch (error) {
    toast(FRIENDLY_ERRORS[error.message] ?? `Something went wrong: ${error.message}`);
    return undefined;
  }
}

function ctx(surface, extra = {}) {
  return {
    surface,
    users: state.users,
    channels: state.channels,
    usergroups: state.usergroups,
    confirm: confirmDialog,
    ...extra,
  };
}

function userName(id) {
  const user = state.users.get(id);
  return user ? user.real_name || user.name : id;
}

function avatar(id, small = false) {
  const user = state.users.get(id);
  const isQuell = state.ws && id === state.ws.bot.id;
  const isSlackbot = id === 'USLACKBOT';
  const label = isQuell ? 'Q' : isSlackbot ? '✦' : user?.is_bot ? '🤖' : initials(user?.real_name ?? id);
  const color = isQuell ? '#4a154b' : isSlackbot ? '#2eb67d' : `#${user?.color ?? '888888'}`;
  return h(
    'div',
    {
      class: `avatar${small ? ' small' : ''}${isQuell ? ' quell' : ''}`,
      style: `background:${color}`,
      'aria-hidden': 'true',
    },
    label,
  );
}

function initials(name) {
  return name
    .split(/\s+/)
    .map((part) => part[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

function time(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
}

function dayLabel(ts) {
  const date = new Date(Number(ts) * 1000);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
}

// ---------------------------------------------------------------- loading

async function loadWorkspace() {
  const ws = await api('workspace');
  state.ws = ws;
  state.users = new Map(ws.users.map((u) => [u.id, u]));
  state.channels = new Map(ws.channels.map((c) => [c.id, c]));
  state.usergroups = new Map(ws.usergroups.map((g) => [g.id, g]));
  if (!state.users.has(state.me)) state.me = ws.users.find((u) => !u.is_bot)?.id;
  for (const channel of ws.channels) {
    if (
      channel.latest &&
      channel.latest > (state.seen[`${state.me}:${channel.id}`] ?? '0') &&
      channel.id !== state.current.id
    )
      state.unread.add(channel.id);
  }
  renderSidebar();
  // a new channel or person may appear in messages already on screen: show their names
  const signature = `${ws.channels.map((c) => c.id + c.name).join()}|${ws.users.length}`;
  if (state.signature && signature !== state.signature) {
    if (state.data && state.current.kind === 'channel') renderMessages();
    renderThread();
  }
  state.signature = signature;
}

async function loadChannel() {
  if (state.current.kind !== 'channel' && !(state.current.kind === 'app' && state.current.tab === 'messages'))
    return;
  const id = state.current.id;
  if (!id) return;
  const data = await api(`channel?channel=${id}`);
  if (state.current.id !== id) return;
  state.data = data;
  const latest = data.messages.at(-1)?.ts;
  if (latest) markSeen(id, latest);
  renderHeader();
  renderMessages();
  renderComposerState();
  if (state.panel === 'pins') renderPins();
  if (state.panel === 'members') renderMembers();
}

async function loadThread() {
  if (state.panel !== 'thread' || !state.thread) return;
  const { channel, ts } = state.thread;
  const data = await api(`thread?channel=${channel}&ts=${ts}`);
  state.thread = { channel, ts, ...data };
  renderThread();
}

async function loadViews() {
  state.views = await api('views');
  renderModal();
  if (state.current.kind === 'app' && state.current.tab === 'home') renderHome();
}

function markSeen(channel, ts) {
  state.seen[`${state.me}:${channel}`] = ts;
  localStorage.setItem('quell-local-seen', JSON.stringify(state.seen));
  state.unread.delete(channel);
}

// ---------------------------------------------------------------- live updates

const refreshTimers = {};
function refreshSoon(key, run, delay = 40) {
  clearTimeout(refreshTimers[key]);
  refreshTimers[key] = setTimeout(() => run().catch((error) => console.warn(key, error)), delay);
}

function connectEvents() {
  const source = new EventSource('/ui/events');
  const live = $('#live');
  source.onopen = () => {
    live.className = 'live on';
    live.textContent = 'Live';
    refreshSoon('workspace', loadWorkspace);
    refreshSoon('channel', loadChannel);
    refreshSoon('views', loadViews);
  };
  source.onerror = () => {
    live.className = 'live off';
    live.textContent = 'Reconnecting…';
  };
  source.onmessage = (event) => {
    const change = JSON.parse(event.data);
    if (change.kind === 'workspace') refreshSoon('workspace', loadWorkspace, 80);
    if (change.kind === 'channel') {
      if (change.channel === state.current.id) refreshSoon('channel', loadChannel);
      else {
        refreshSoon('workspace', loadWorkspace, 120);
      }
      if (state.thread?.channel === change.channel) refreshSoon('thread', loadThread);
    }
    if (change.kind === 'ephemeral' && change.user === state.me) {
      if (change.channel === state.current.id) refreshSoon('channel', loadChannel);
      if (state.thread?.channel === change.channel) refreshSoon('thread', loadThread);
    }
    if (change.kind === 'views' && change.user === state.me) refreshSoon('views', loadViews, 10);
  };
}

// ---------------------------------------------------------------- sidebar

function renderSidebar() {
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
          openChannel(c.id);
        },
      },
      h('span', { class: 'hash' }, c.is_private ? '🔒' : '#'),
      h('span', { class: 'channel-name' }, c.name),
    );
  };
  const botName = state.ws.bot.name;
  const appActive = state.current.kind === 'app';
  sidebar.replaceChildren(
    ...[
      h(
        'div',
        { class: 'team' },
        h('div', { class: 'team-name' }, state.ws.team.name),
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
              openApp('home');
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
    ].filter(Boolean),
  );
  // keep the live indicator state across re-renders
  if (window.__live) $('#live').replaceWith(window.__live);
  window.__live = $('#live');
}

async function switchUser(id) {
  state.me = id;
  localStorage.setItem('quell-local-user', id);
  const url = new URL(location.href);
  url.searchParams.set('as', id);
  history.replaceState(null, '', url);
  state.modalKey = '';
  state.unread.clear();
  await loadWorkspace();
  await Promise.all([loadChannel(), loadViews(), loadThread()]);
  if (state.current.kind === 'app') renderApp();
  toast(`You are now ${userName(id)}`, 'info');
}

// ---------------------------------------------------------------- navigation

function openChannel(id, options = {}) {
  state.current = { kind: 'channel', id };
  state.data = null;
  state.highlight = options.highlight ?? null;
  if (state.panel === 'thread' && state.thread?.channel !== id) closePanel();
  const channel = state.channels.get(id);
  if (channel && !options.keepUrl) history.replaceState(null, '', `/archives/${id}${location.search}`);
  $('#main').classList.remove('app-mode');
  renderSidebar();
  $('#messages').replaceChildren(h('div', { class: 'loading' }, 'Loading…'));
  loadChannel();
  $('#composer textarea').focus();
}

async function openApp(tab) {
  const im = await api('home', {});
  state.current = { kind: 'app', tab, id: tab === 'messages' ? im.im : null, im: im.im };
  state.data = null;
  closePanel();
  renderSidebar();
  await loadWorkspace();
  renderApp();
  if (tab === 'messages') loadChannel();
}

function renderApp() {
  const { tab } = state.current;
  $('#main').classList.add('app-mode');
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist' },
    ['home', 'messages'].map((t) =>
      h(
        'button',
        {
          role: 'tab',
          class: `tab${t === tab ? ' active' : ''}`,
          'aria-selected': t === tab ? 'true' : 'false',
          onclick: () => openApp(t),
        },
        t === 'home' ? 'Home' : 'Messages',
      ),
    ),
  );
  $('#channel-header').replaceChildren(
    h(
      'div',
      { class: 'title' },
      h('span', { class: 'app-icon big' }, 'Q'),
      h('h1', {}, state.ws.bot.name),
      h('span', { class: 'badge' }, 'App'),
    ),
    tabs,
  );
  $('#bookmarks').replaceChildren();
  if (tab === 'home') {
    $('#composer-area').hidden = true;
    renderHome();
  } else {
    $('#composer-area').hidden = false;
    renderComposerState();
  }
}

function renderHome() {
  if (state.current.kind !== 'app' || state.current.tab !== 'home') return;
  const home = state.views.home;
  const container = $('#messages');
  if (!home) {
    container.replaceChildren(
      h(
        'div',
        { class: 'empty-state' },
        h('div', { class: 'empty-icon' }, '🏠'),
        h('p', {}, `${state.ws.bot.name} has not published a Home tab for you yet.`),
      ),
    );
    return;
  }
  if (!state.modalValues[home.id]) state.modalValues[home.id] = structuredClone(home.state?.values ?? {});
  const values = state.modalValues[home.id];
  container.replaceChildren(
    h(
      'div',
      { class: 'home-view' },
      renderBlocks(
        home.blocks,
        ctx('home', { values, onAction: (d) => sendAction({ type: 'view', viewId: home.id }, d, values) }),
      ),
    ),
  );
}

// ---------------------------------------------------------------- channel header

function renderHeader() {
  if (state.current.kind === 'app') return renderApp();
  const data = state.data;
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
          onclick: () => togglePanel('members'),
          'aria-label': `${channel.members.length} members`,
        },
        h(
          'span',
          { class: 'stack' },
          channel.members.slice(0, 3).map((m) => avatar(m, true)),
        ),
        String(channel.members.length),
      ),
      h(
        'button',
        {
          class: `header-button${state.panel === 'pins' ? ' pressed' : ''}`,
          onclick: () => togglePanel('pins'),
          'aria-label': `Pinned messages (${pins})`,
        },
        '📌 ',
        pins ? `${pins} pinned` : 'Pins',
      ),
      globalShortcuts().length ? shortcutsButton() : null,
    ),
  );
  $('#bookmarks').replaceChildren(
    ...data.bookmarks.map((b) =>
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

function globalShortcuts() {
  return state.ws.shortcuts.filter((s) => s.type === 'global');
}

function messageShortcuts() {
  return state.ws.shortcuts.filter((s) => s.type === 'message');
}

function shortcutsButton() {
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

// ---------------------------------------------------------------- messages

const SYSTEM_SUBTYPES = new Set([
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

function renderMessages() {
  if (!state.data) return;
  const container = $('#messages');
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  const { messages, ephemerals, channel } = state.data;
  const items = [
    ...messages.map((m) => ({ kind: 'message', ts: m.ts, message: m })),
    ...ephemerals.filter((e) => !e.thread_ts).map((e) => ({ kind: 'ephemeral', ts: e.ts, ephemeral: e })),
  ].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const list = h('div', {
    class: 'message-list',
    role: 'log',
    'aria-label': `Messages in #${channel.name ?? 'conversation'}`,
  });
  if (state.data.older)
    list.append(h('div', { class: 'older-note' }, `${state.data.older} earlier messages are not shown.`));
  else
    list.append(
      h(
        'div',
        { class: 'channel-intro' },
        h(
          'h2',
          {},
          channel.is_im
            ? `This is your conversation with ${state.ws.bot.name}`
            : `This is the very beginning of #${channel.name}`,
        ),
        channel.purpose?.value ? h('p', {}, channel.purpose.value) : null,
      ),
    );
  let lastDay = '';
  let previous = null;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const day = dayLabel(item.ts);
    if (day !== lastDay) {
      list.append(h('div', { class: 'day-divider' }, h('span', {}, day)));
      lastDay = day;
      previous = null;
    }
    if (item.kind === 'ephemeral') {
      list.append(renderEphemeral(item.ephemeral));
      previous = null;
      continue;
    }
    const message = item.message;
    if (message.subtype === 'channel_join') {
      // consecutive joins read as one line, as in Slack
      const joins = [message];
      while (items[i + 1]?.kind === 'message' && items[i + 1].message.subtype === 'channel_join')
        joins.push(items[++i].message);
      list.append(renderJoins(joins));
      previous = null;
      continue;
    }
    const grouped =
      previous &&
      previous.user === message.user &&
      !SYSTEM_SUBTYPES.has(message.subtype) &&
      !SYSTEM_SUBTYPES.has(previous.subtype) &&
      Number(message.ts) - Number(previous.ts) < 300 &&
      !message.pinned_to;
    list.append(renderMessage(message, { grouped }));
    previous = message;
  }
  container.replaceChildren(list);
  if (state.highlight) {
    const target = container.querySelector(`[data-ts="${CSS.escape(state.highlight)}"]`);
    if (target) {
      target.classList.add('highlight');
      target.scrollIntoView({ block: 'center' });
    }
    state.highlight = null;
  } else if (atBottom || !container.dataset.channel || container.dataset.channel !== state.current.id) {
    container.scrollTop = container.scrollHeight;
  }
  container.dataset.channel = state.current.id;
}

function renderJoins(joins) {
  const names = [...new Set(joins.map((j) => userName(j.user)))];
  const text =
    names.length === 1
      ? `${names[0]} joined the channel`
      : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} joined the channel`;
  const inviter = joins[0].inviter ? ` (added by ${userName(joins[0].inviter)})` : '';
  return h(
    'div',
    { class: 'message system', 'data-ts': joins[0].ts },
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'gutter' }, h('span', { class: 'system-icon' }, '👋')),
      h(
        'div',
        { class: 'content' },
        h('span', { class: 'system-text' }, text + inviter),
        h('span', { class: 'time' }, time(joins[0].ts)),
      ),
    ),
  );
}

function systemText(message) {
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
              togglePanel('pins', true);
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

function renderMessage(message, { grouped = false, inThread = false } = {}) {
  if (SYSTEM_SUBTYPES.has(message.subtype)) {
    const icon =
      { pinned_item: '📌', channel_topic: '✏️', channel_purpose: '✏️', channel_archive: '🗄️' }[
        message.subtype
      ] ?? 'ℹ️';
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
        message.reactions.map((r) =>
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
        { class: 'thread-summary', onclick: () => openThread(channelId, message.ts) },
        h(
          'span',
          { class: 'stack' },
          (message.reply_users ?? []).map((u) => avatar(u, true)),
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

function pinnedBy(ts) {
  const pin = state.data?.pins.find((p) => p.ts === ts);
  return pin ? userName(pin.created_by) : 'someone';
}

function formatBytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

function permalink(channel, ts) {
  return `/archives/${channel}/p${ts.replace('.', '')}`;
}

function messageToolbar(message, channelId, inThread) {
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
            inThread ? renderThread() : renderMessages();
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
            onclick: () => openThread(channelId, message.ts),
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

function closeMenus(except) {
  for (const menu of document.querySelectorAll('.menu')) if (menu !== except) menu.hidden = true;
}
document.addEventListener('click', () => closeMenus());

function editor(message, channelId) {
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
      renderMessages();
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
            renderMessages();
            renderThread();
          },
        },
        'Cancel',
      ),
      h('button', { class: 'bk-button bk-primary', onclick: save }, 'Save'),
    ),
  );
}

function plainText(text) {
  return text
    .replace(/<@(\w+)(\|[^>]*)?>/g, (_m, id) => `@${state.users.get(id)?.name ?? id}`)
    .replace(/<#(\w+)(\|[^>]*)?>/g, (_m, id) => `#${state.channels.get(id)?.name ?? id}`)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function renderEphemeral(ephemeral) {
  const fromSlackbot = ephemeral.from === 'slackbot';
  const author = fromSlackbot ? 'Slackbot' : state.ws.bot.name;
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
      h('div', { class: 'gutter' }, avatar(fromSlackbot ? 'USLACKBOT' : state.ws.bot.id)),
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

// ---------------------------------------------------------------- actions

async function sendAction(container, detail, values) {
  const body = {
    container,
    block_id: detail.block_id,
    action_id: detail.action_id,
    ...(detail.selected_value !== undefined ? { selected_value: detail.selected_value } : {}),
    ...(detail.selected_values !== undefined ? { selected_values: detail.selected_values } : {}),
    ...(detail.selected_date !== undefined ? { selected_date: detail.selected_date } : {}),
    ...(detail.selected_user !== undefined ? { selected_user: detail.selected_user } : {}),
    ...(detail.value !== undefined && detail.element.type !== 'button' ? { value: detail.value } : {}),
    ...(values ? { values } : {}),
  };
  const result = await attempt(() => api('action', body));
  if (result?.error) toast(`${state.ws.bot.name} did not answer (${result.error}).`);
}

// ---------------------------------------------------------------- side panel: thread, pins, members

function togglePanel(kind, forceOpen = false) {
  if (state.panel === kind && !forceOpen) return closePanel();
  state.panel = kind;
  $('#panel').hidden = false;
  if (kind === 'pins') renderPins();
  if (kind === 'members') renderMembers();
  renderHeader();
}

function closePanel() {
  state.panel = null;
  state.thread = null;
  $('#panel').hidden = true;
  if (state.data && state.current.kind === 'channel') renderHeader();
}

function panelShell(title, subtitle, ...content) {
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

function renderPins() {
  if (state.panel !== 'pins' || !state.data) return;
  const pins = state.data.pins;
  $('#panel').replaceChildren(
    ...panelShell(
      'Pinned',
      `#${state.data.channel.name}`,
      pins.length
        ? pins.map((pin) =>
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
                      renderMessages();
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

function renderMembers() {
  if (state.panel !== 'members' || !state.data) return;
  const members = state.data.channel.members;
  $('#panel').replaceChildren(
    ...panelShell(
      'Members',
      `${members.length} in #${state.data.channel.name}`,
      h(
        'ul',
        { class: 'member-list' },
        members.map((id) => {
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

async function openThread(channel, ts) {
  state.panel = 'thread';
  state.thread = { channel, ts, messages: [], ephemerals: [] };
  $('#panel').hidden = false;
  renderThread();
  await loadThread();
  $('#panel textarea')?.focus();
}

function renderThread() {
  if (state.panel !== 'thread' || !state.thread) return;
  const { messages, ephemerals, channel } = state.thread;
  const items = [
    ...messages.map((m) => ({ ts: m.ts, el: () => renderMessage(m, { inThread: true }) })),
    ...ephemerals.map((e) => ({ ts: e.ts, el: () => renderEphemeral(e) })),
  ].sort((a, b) => (a.ts < b.ts ? -1 : 1));
  const [parent, ...rest] = items;
  const composer = makeComposer({
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

// ---------------------------------------------------------------- composer

function makeComposer({ channel, threadTs, placeholder, label }) {
  const area = h('textarea', { rows: 1, placeholder, 'aria-label': label });
  const send = async () => {
    const text = area.value.trim();
    if (!text) return;
    area.value = '';
    await attempt(() => api('send', { channel, text, thread_ts: threadTs }));
  };
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  });
  return h(
    'form',
    {
      class: 'composer thread-composer',
      onsubmit: (e) => {
        e.preventDefault();
        send();
      },
    },
    area,
    h('button', { class: 'send', type: 'submit', 'aria-label': 'Send reply' }, '➤'),
  );
}

function renderComposerState() {
  const area = $('#composer-area');
  const data = state.data;
  if (!data) return;
  const channel = data.channel;
  const member = channel.is_im || channel.members.includes(state.me);
  const textarea = $('#composer textarea');
  const join = $('#join-bar');
  if (channel.is_archived) {
    join.replaceChildren(h('span', {}, 'You are viewing an archived channel.'));
    join.hidden = false;
    $('#composer').hidden = true;
  } else if (!member) {
    join.replaceChildren(
      h('span', {}, `You are viewing #${channel.name}. `),
      h(
        'button',
        { class: 'bk-button bk-primary', onclick: () => attempt(() => api('join', { channel: channel.id })) },
        'Join channel',
      ),
    );
    join.hidden = false;
    $('#composer').hidden = true;
  } else {
    join.hidden = true;
    $('#composer').hidden = false;
    textarea.placeholder = channel.is_im ? `Message ${state.ws.bot.name}` : `Message #${channel.name}`;
  }
  area.hidden = false;
}

function setupComposer() {
  const form = $('#composer');
  const area = $('#composer textarea');
  const send = async () => {
    const text = area.value.trim();
    if (!text || !state.current.id) return;
    area.value = '';
    autosize(area);
    hideSuggestions();
    await attempt(() => api('send', { channel: state.current.id, text }));
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  area.addEventListener('keydown', (e) => {
    const open = state.suggestion.items.length > 0;
    if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      const n = state.suggestion.items.length;
      state.suggestion.index = (state.suggestion.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      renderSuggestions();
      return;
    }
    if (open && e.key === 'Tab') {
      e.preventDefault();
      applySuggestion(state.suggestion.items[state.suggestion.index]);
      return;
    }
    if (open && e.key === 'Escape') {
      hideSuggestions();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  });
  area.addEventListener('input', () => {
    autosize(area);
    updateSuggestions();
  });
}

function autosize(area) {
  area.style.height = 'auto';
  area.style.height = `${Math.min(area.scrollHeight, 200)}px`;
}

function updateSuggestions() {
  const area = $('#composer textarea');
  const text = area.value;
  const items = [];
  const command = /^\/(\S*)$/.exec(text);
  const sub = /^(\/\S+)\s+(\S*)$/.exec(text);
  const mention = /(^|\s)@([\w.-]*)$/.exec(text);
  if (command) {
    for (const c of state.ws.commands)
      if (c.command.startsWith(`/${command[1]}`))
        items.push({
          label: c.command,
          hint: c.usage_hint ?? '',
          description: c.description,
          insert: `${c.command} `,
        });
    if (items.length === 0)
      items.push({
        label: `/${command[1]}`,
        hint: '',
        description: 'Not a command of this workspace',
        insert: text,
      });
  } else if (sub) {
    const c = state.ws.commands.find((x) => x.command === sub[1]);
    for (const word of (c?.usage_hint ?? '')
      .split('|')
      .map((w) => w.trim())
      .filter(Boolean))
      if (word.startsWith(sub[2]) && word !== sub[2])
        items.push({
          label: `${c.command} ${word}`,
          hint: '',
          description: '',
          insert: `${c.command} ${word} `,
        });
  } else if (mention) {
    const q = mention[2].toLowerCase();
    for (const u of state.users.values())
      if (!u.deleted && (u.name.startsWith(q) || u.real_name.toLowerCase().startsWith(q)))
        items.push({
          label: `@${u.name}`,
          hint: u.real_name,
          description: u.title ?? '',
          insert: `${text.slice(0, text.length - mention[2].length - 1)}@${u.name} `,
          user: u.id,
        });
    for (const g of state.usergroups.values())
      if (g.handle.startsWith(q))
        items.push({
          label: `@${g.handle}`,
          hint: g.name,
          description: `${g.users.length} people`,
          insert: `${text.slice(0, text.length - mention[2].length - 1)}@${g.handle} `,
        });
  }
  state.suggestion = { items: items.slice(0, 8), index: 0 };
  renderSuggestions();
}

function renderSuggestions() {
  const box = $('#suggestions');
  const { items, index } = state.suggestion;
  box.hidden = items.length === 0;
  box.replaceChildren(
    ...items.map((item, i) =>
      h(
        'button',
        {
          type: 'button',
          class: `suggestion${i === index ? ' selected' : ''}`,
          onmousedown: (e) => {
            e.preventDefault();
            applySuggestion(item);
          },
        },
        item.user
          ? avatar(item.user, true)
          : h('span', { class: 'menu-app' }, item.label.startsWith('@') ? '@' : 'Q'),
        h('strong', {}, item.label),
        item.hint ? h('span', { class: 'hint' }, ` ${item.hint}`) : null,
        item.description ? h('span', { class: 'muted description' }, item.description) : null,
      ),
    ),
  );
  if (items.length)
    box.append(h('div', { class: 'suggestion-help' }, '↑↓ to choose · Tab to complete · Enter to send'));
}

function applySuggestion(item) {
  const area = $('#composer textarea');
  area.value = item.insert;
  area.focus();
  updateSuggestions();
}

function hideSuggestions() {
  state.suggestion = { items: [], index: 0 };
  renderSuggestions();
}

// ---------------------------------------------------------------- modals

function renderModal() {
  const root = $('#modal-root');
  const stack = state.views.stack;
  const view = stack.at(-1);
  if (!view) {
    state.modalKey = '';
    root.replaceChildren();
    return;
  }
  const key = `${view.id}:${view.hash}:${JSON.stringify(view.errors)}`;
  if (key === state.modalKey) return;
  const rerenderOnly = state.modalKey.startsWith(`${view.id}:${view.hash}:`);
  state.modalKey = key;
  if (!rerenderOnly || !state.modalValues[view.id])
    state.modalValues[view.id] = structuredClone(view.state?.values ?? {});
  const values = state.modalValues[view.id];
  const errors = view.errors ?? {};
  const general = errors[''];
  const form = h(
    'form',
    {
      class: 'modal',
      role: 'dialog',
      'aria-modal': 'true',
      'aria-label': view.title?.text ?? 'Dialog',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        const submit = form.querySelector('.modal-submit');
        if (submit) submit.disabled = true;
        await attempt(() => api('view/submit', { view_id: view.id, values }));
        if (submit) submit.disabled = false;
      },
    },
    h(
      'header',
      { class: 'modal-header' },
      stack.length > 1
        ? h(
            'button',
            {
              type: 'button',
              class: 'back',
              'aria-label': 'Back',
              onclick: () => attempt(() => api('view/close', {})),
            },
            '←',
          )
        : null,
      h('span', { class: 'app-icon' }, 'Q'),
      h('h2', {}, emoji(view.title?.text ?? '')),
      h(
        'button',
        {
          type: 'button',
          class: 'close',
          'aria-label': 'Close',
          onclick: () => attempt(() => api('view/close', {})),
        },
        '×',
      ),
    ),
    h(
      'div',
      { class: 'modal-body' },
      general ? h('div', { class: 'modal-alert', role: 'alert' }, general) : null,
      renderBlocks(
        view.blocks,
        ctx('modal', {
          values,
          errors,
          onAction: (d) => sendAction({ type: 'view', viewId: view.id }, d, values),
        }),
      ),
    ),
    h(
      'footer',
      { class: 'modal-footer' },
      h(
        'button',
        { type: 'button', class: 'bk-button', onclick: () => attempt(() => api('view/close', {})) },
        view.close?.text ?? 'Cancel',
      ),
      view.submit
        ? h('button', { type: 'submit', class: 'bk-button bk-primary modal-submit' }, view.submit.text)
        : null,
    ),
  );
  root.replaceChildren(h('div', { class: 'overlay' }, form));
  const firstError = form.querySelector('.has-error input, .has-error textarea, .has-error select');
  (firstError ?? form.querySelector('input, textarea, select'))?.focus();
}

function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const close = (answer) => {
      overlay.remove();
      resolve(answer);
    };
    const overlay = h(
      'div',
      { class: 'overlay confirm-overlay' },
      h(
        'div',
        {
          class: 'modal confirm',
          role: 'alertdialog',
          'aria-modal': 'true',
          'aria-label': confirm.title?.text ?? 'Are you sure?',
        },
        h('header', { class: 'modal-header' }, h('h2', {}, confirm.title?.text ?? 'Are you sure?')),
        h('div', {
          class: 'modal-body',
          html: mrkdwn(confirm.text?.text ?? '', ctx('modal'), {
            plain: confirm.text?.type === 'plain_text',
          }),
        }),
        h(
          'footer',
          { class: 'modal-footer' },
          h('button', { class: 'bk-button', onclick: () => close(false) }, confirm.deny?.text ?? 'Cancel'),
          h(
            'button',
            {
              class: `bk-button ${confirm.style === 'danger' ? 'bk-danger' : 'bk-primary'}`,
              onclick: () => close(true),
            },
            confirm.confirm?.text ?? 'Yes',
          ),
        ),
      ),
    );
    document.body.append(overlay);
    overlay.querySelector('.bk-primary, .bk-danger').focus();
  });
}

// ---------------------------------------------------------------- start

document.addEventListener('click', (e) => {
  const link = e.target.closest?.('a.channel-link');
  if (link) {
    e.preventDefault();
    openChannel(link.dataset.channel);
  }
});

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && state.views.stack.length && !document.querySelector('.confirm-overlay'))
    attempt(() => api('view/close', {}));
});

async function start() {
  localStorage.setItem('quell-local-user', state.me);
  setupComposer();
  await loadWorkspace();
  const match = /^\/archives\/(\w+)(?:\/p(\d+))?/.exec(location.pathname);
  const fromLink = match && state.channels.has(match[1]) ? match[1] : null;
  const fallback = state.ws.channels.find((c) => c.name === 'support') ?? state.ws.channels[0];
  const highlight = match?.[2] ? `${match[2].slice(0, -6)}.${match[2].slice(-6)}` : null;
  openChannel(fromLink ?? fallback.id, { highlight, keepUrl: Boolean(fromLink) });
  const threadTs = params.get('thread_ts');
  if (fromLink && threadTs) openThread(fromLink, threadTs);
  await loadViews();
  connectEvents();
}

start().catch((error) => {
  document.body.prepend(
    h('div', { class: 'fatal' }, `The local workspace could not load: ${escapeHtml(error.message)}`),
  );
});
