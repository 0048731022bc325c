// @ts-check
// Moving between channels and the app's tabs.
import { h } from './render-dom.js';
import { screen } from './screen.js';
import { $, api, state } from './state.js';

/**
 * @param {string} id
 * @param {{ highlight?: string | null, keepUrl?: boolean }} [options]
 */
export function openChannel(id, options = {}) {
  state.current = { kind: 'channel', id };
  state.data = null;
  state.highlight = options.highlight ?? null;
  if (state.panel === 'thread' && state.thread?.channel !== id) screen.closePanel();
  const channel = state.channels.get(id);
  if (channel && !options.keepUrl) history.replaceState(null, '', `/archives/${id}${location.search}`);
  $('#main').classList.remove('app-mode');
  screen.renderSidebar();
  $('#messages').replaceChildren(h('div', { class: 'loading' }, 'Loading…'));
  screen.loadChannel();
  $('#composer textarea', HTMLTextAreaElement).focus();
}

/** @param {'home' | 'messages'} tab */
export async function openApp(tab) {
  const im = await api('home', {});
  state.current = { kind: 'app', tab, id: tab === 'messages' ? im.im : null, im: im.im };
  state.data = null;
  screen.closePanel();
  screen.renderSidebar();
  await screen.loadWorkspace();
  screen.renderApp();
  if (tab === 'messages') screen.loadChannel();
}
