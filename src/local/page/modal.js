// @ts-check
// Modals: the top view of the person's stack, its inputs' state and errors.
import { sendAction } from './actions.js';
import { renderBlocks } from './render-blocks.js';
import { h } from './render-dom.js';
import { emoji } from './render-emoji.js';
import { $, api, attempt, state } from './state.js';
import { ctx } from './surface.js';

export function renderModal() {
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
        const submit = /** @type {HTMLButtonElement | null} */ (form.querySelector('button.modal-submit'));
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
  const first = firstError ?? form.querySelector('input, textarea, select');
  if (first instanceof HTMLElement) first.focus();
}
