// @ts-check
// Composer suggestions: slash commands, their subcommands, @people and @groups.
import { avatar } from './people.js';
import { h } from './render-dom.js';
import { $, state, workspace } from './state.js';

export function updateSuggestions() {
  const area = $('#composer textarea', HTMLTextAreaElement);
  const text = area.value;
  const items = [];
  const command = /^\/(\S*)$/.exec(text);
  const sub = /^(\/\S+)\s+(\S*)$/.exec(text);
  const mention = /(^|\s)@([\w.-]*)$/.exec(text);
  if (command) {
    for (const c of workspace().commands)
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
    const c = workspace().commands.find((x) => x.command === sub[1]);
    for (const word of (c?.usage_hint ?? '')
      .split('|')
      .map((/** @type {string} */ w) => w.trim())
      .filter(Boolean))
      if (c && word.startsWith(sub[2] ?? '') && word !== sub[2])
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

export function renderSuggestions() {
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

/** @param {import('./state.js').Suggestion} item */
export function applySuggestion(item) {
  const area = $('#composer textarea', HTMLTextAreaElement);
  area.value = item.insert;
  area.focus();
  updateSuggestions();
}

export function hideSuggestions() {
  state.suggestion = { items: [], index: 0 };
  renderSuggestions();
}
