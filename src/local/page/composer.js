// @ts-check
// The composers: the channel's (with slash commands) and a thread's.
import { h } from './render-dom.js';
import { $, api, attempt, state, workspace } from './state.js';
import { applySuggestion, hideSuggestions, renderSuggestions, updateSuggestions } from './suggestions.js';

/** @param {{ channel: string, threadTs?: string, placeholder: string, label: string }} options */
export function makeComposer({ channel, threadTs, placeholder, label }) {
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

export function renderComposerState() {
  const area = $('#composer-area');
  const data = state.data;
  if (!data) return;
  const channel = data.channel;
  const member = channel.is_im || channel.members.includes(state.me);
  const textarea = $('#composer textarea', HTMLTextAreaElement);
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
    textarea.placeholder = channel.is_im ? `Message ${workspace().bot.name}` : `Message #${channel.name}`;
  }
  area.hidden = false;
}

export function setupComposer() {
  const form = $('#composer');
  const area = $('#composer textarea', HTMLTextAreaElement);
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

/** @param {HTMLTextAreaElement} area */
export function autosize(area) {
  area.style.height = 'auto';
  area.style.height = `${Math.min(area.scrollHeight, 200)}px`;
}
