// @ts-check
// The message list of a channel: day dividers, grouping, joins, ephemerals in order.
import { renderEphemeral, renderMessage, SYSTEM_SUBTYPES } from './message.js';
import { dayLabel, time, userName } from './people.js';
import { h } from './render-dom.js';
import { $, state, workspace } from './state.js';

/** @typedef {import('./types.js').Json} Json */

export function renderMessages() {
  if (!state.data) return;
  const container = $('#messages');
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  const { messages, ephemerals, channel } = state.data;
  const items = [
    ...messages.map((/** @type {Json} */ m) => ({ kind: 'message', ts: m.ts, message: m })),
    ...ephemerals
      .filter((/** @type {Json} */ e) => !e.thread_ts)
      .map((/** @type {Json} */ e) => ({ kind: 'ephemeral', ts: e.ts, ephemeral: e })),
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
            ? `This is your conversation with ${workspace().bot.name}`
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
  container.dataset.channel = state.current.id ?? '';
}

/**
 * Consecutive joins read as one line, as in Slack.
 * @param {Json[]} joins
 */
export function renderJoins(joins) {
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
