// @ts-check
// Confirmation dialogs (Block Kit `confirm` objects and the page's own).
import { h } from './render-dom.js';
import { mrkdwn } from './render-mrkdwn.js';
import { state } from './state.js';

/** @typedef {import('./types.js').Json} Json */

/** The names a confirm dialog's text may mention (no cycle through surface.js, which hands this dialog out). */
function viewerNames() {
  const timeZone = state.users.get(state.me)?.tz;
  return { users: state.users, channels: state.channels, usergroups: state.usergroups, timeZone };
}

/**
 * Asks; resolves true when the person confirms.
 * @param {Json} confirm  a Block Kit confirmation dialog object
 * @returns {Promise<boolean>}
 */
export function confirmDialog(confirm) {
  return new Promise((resolve) => {
    /** @param {boolean} answer */
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
          html: mrkdwn(confirm.text?.text ?? '', viewerNames(), {
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
    overlay.querySelector('button.bk-primary, button.bk-danger')?.closest('button')?.focus();
  });
}
