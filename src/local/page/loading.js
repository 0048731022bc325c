// @ts-check
// Loading what the page shows from the emulator's page API.
import { screen } from './screen.js';
import { api, state } from './state.js';

export async function loadWorkspace() {
  const ws = /** @type {import('./state.js').Workspace} */ (await api('workspace'));
  state.ws = ws;
  state.pageToken = /** @type {{ pageToken?: string }} */ (ws).pageToken ?? '';
  state.users = new Map(ws.users.map((u) => [u.id, u]));
  state.channels = new Map(ws.channels.map((c) => [c.id, c]));
  state.usergroups = new Map(ws.usergroups.map((g) => [g.id, g]));
  if (!state.users.has(state.me)) state.me = ws.users.find((u) => !u.is_bot)?.id ?? state.me;
  for (const channel of ws.channels) {
    if (
      channel.latest &&
      channel.latest > (state.seen[`${state.me}:${channel.id}`] ?? '0') &&
      channel.id !== state.current.id
    )
      state.unread.add(channel.id);
  }
  screen.renderSidebar();
  // a new channel or person may appear in messages already on screen: show their names
  const signature = `${ws.channels.map((c) => c.id + c.name).join()}|${ws.users.length}`;
  if (state.signature && signature !== state.signature) {
    if (state.data && state.current.kind === 'channel') screen.renderMessages();
    screen.renderThread();
  }
  state.signature = signature;
}

export async function loadChannel() {
  if (state.current.kind !== 'channel' && !(state.current.kind === 'app' && state.current.tab === 'messages'))
    return;
  const id = state.current.id;
  if (!id) return;
  const data = await api(`channel?channel=${id}`);
  if (state.current.id !== id) return;
  state.data = data;
  const latest = data.messages.at(-1)?.ts;
  if (latest) markSeen(id, latest);
  screen.renderHeader();
  screen.renderMessages();
  screen.renderComposerState();
  if (state.panel === 'pins') screen.renderPins();
  if (state.panel === 'members') screen.renderMembers();
}

export async function loadThread() {
  if (state.panel !== 'thread' || !state.thread) return;
  const { channel, ts } = state.thread;
  const data = await api(`thread?channel=${channel}&ts=${ts}`);
  state.thread = { channel, ts, ...data };
  screen.renderThread();
}

export async function loadViews() {
  state.views = /** @type {typeof state.views} */ (await api('views'));
  screen.renderModal();
  if (state.current.kind === 'app' && state.current.tab === 'home') screen.renderHome();
}

/**
 * @param {string} channel
 * @param {string} ts
 */
export function markSeen(channel, ts) {
  state.seen[`${state.me}:${channel}`] = ts;
  localStorage.setItem('quell-local-seen', JSON.stringify(state.seen));
  state.unread.delete(channel);
}
