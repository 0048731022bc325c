// @ts-check
// The local workspace page: channels, messages and threads, Block Kit, modals, ephemeral messages,
// pins, a composer for messages and slash commands, the app's Home tab. Live over server-sent events.
// Native ES modules, no build step; this file is the composition root: it wires the parts together
// (screen.js), installs the page-wide listeners and starts.
import { renderApp, renderHome } from './app-home.js';
import { makeComposer, renderComposerState, setupComposer } from './composer.js';
import { renderHeader } from './header.js';
import { connectEvents } from './live.js';
import { loadChannel, loadThread, loadViews, loadWorkspace } from './loading.js';
import { closeMenus } from './message-toolbar.js';
import { renderMessages } from './messages.js';
import { renderModal } from './modal.js';
import { openApp, openChannel } from './navigation.js';
import { closePanel, openThread, renderMembers, renderPins, renderThread, togglePanel } from './panel.js';
import { escapeHtml, h } from './render-dom.js';
import { wireScreen } from './screen.js';
import { renderSidebar, switchUser } from './sidebar.js';
import { api, attempt, params, state, workspace } from './state.js';

wireScreen({
  loadWorkspace,
  loadChannel,
  loadThread,
  loadViews,
  renderSidebar,
  switchUser,
  openChannel,
  openApp,
  renderApp,
  renderHome,
  renderHeader,
  renderMessages,
  togglePanel,
  closePanel,
  renderPins,
  renderMembers,
  openThread,
  renderThread,
  makeComposer,
  renderComposerState,
  renderModal,
});

document.addEventListener('click', () => closeMenus());

document.addEventListener('click', (e) => {
  const link = /** @type {HTMLElement | null} */ (
    e.target instanceof Element ? e.target.closest('a.channel-link') : null
  );
  if (link?.dataset.channel) {
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
  const ws = workspace();
  const match = /^\/archives\/(\w+)(?:\/p(\d+))?/.exec(location.pathname);
  const fromLink = match?.[1] && state.channels.has(match[1]) ? match[1] : null;
  const fallback = ws.channels.find((c) => c.name === 'support') ?? ws.channels[0];
  const highlight = match?.[2] ? `${match[2].slice(0, -6)}.${match[2].slice(-6)}` : null;
  const first = fromLink ?? fallback?.id;
  if (first) openChannel(first, { highlight, keepUrl: Boolean(fromLink) });
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
