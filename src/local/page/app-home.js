// @ts-check
// The app's own page: Home and Messages tabs, the published Home view.
import { sendAction } from './actions.js';
import { renderBlocks } from './render-blocks.js';
import { h } from './render-dom.js';
import { screen } from './screen.js';
import { $, state, workspace } from './state.js';
import { ctx } from './surface.js';

export function renderApp() {
  const { tab } = state.current;
  $('#main').classList.add('app-mode');
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist' },
    /** @type {const} */ (['home', 'messages']).map((t) =>
      h(
        'button',
        {
          role: 'tab',
          class: `tab${t === tab ? ' active' : ''}`,
          'aria-selected': t === tab ? 'true' : 'false',
          onclick: () => screen.openApp(t),
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
      h('h1', {}, workspace().bot.name),
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
    screen.renderComposerState();
  }
}

export function renderHome() {
  if (state.current.kind !== 'app' || state.current.tab !== 'home') return;
  const home = state.views.home;
  const container = $('#messages');
  if (!home) {
    container.replaceChildren(
      h(
        'div',
        { class: 'empty-state' },
        h('div', { class: 'empty-icon' }, '🏠'),
        h('p', {}, `${workspace().bot.name} has not published a Home tab for you yet.`),
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
