// @ts-check
// Live updates: server-sent events from the emulator refresh what changed, debounced.
import { screen } from './screen.js';
import { $, state } from './state.js';

/** @type {Record<string, ReturnType<typeof setTimeout>>} */
const refreshTimers = {};

/**
 * Runs `run` once after `delay` ms, however many changes arrive meanwhile.
 * @param {string} key
 * @param {() => Promise<void>} run
 */
export function refreshSoon(key, run, delay = 40) {
  clearTimeout(refreshTimers[key]);
  refreshTimers[key] = setTimeout(() => run().catch((error) => console.warn(key, error)), delay);
}

export function connectEvents() {
  const source = new EventSource('/ui/events');
  const live = $('#live');
  source.onopen = () => {
    live.className = 'live on';
    live.textContent = 'Live';
    refreshSoon('workspace', screen.loadWorkspace);
    refreshSoon('channel', screen.loadChannel);
    refreshSoon('views', screen.loadViews);
  };
  source.onerror = () => {
    live.className = 'live off';
    live.textContent = 'Reconnecting…';
  };
  source.onmessage = (event) => {
    const change = JSON.parse(event.data);
    if (change.kind === 'workspace') refreshSoon('workspace', screen.loadWorkspace, 80);
    if (change.kind === 'channel') {
      if (change.channel === state.current.id) refreshSoon('channel', screen.loadChannel);
      else {
        refreshSoon('workspace', screen.loadWorkspace, 120);
      }
      if (state.thread?.channel === change.channel) refreshSoon('thread', screen.loadThread);
    }
    if (change.kind === 'ephemeral' && change.user === state.me) {
      if (change.channel === state.current.id) refreshSoon('channel', screen.loadChannel);
      if (state.thread?.channel === change.channel) refreshSoon('thread', screen.loadThread);
    }
    if (change.kind === 'views' && change.user === state.me) refreshSoon('views', screen.loadViews, 10);
  };
}
