// @ts-check
// People and times as the page shows them: names, avatars, message times, day labels.
import { h } from './render-dom.js';
import { state } from './state.js';

/** A person's full name, for bylines and lists. @param {string} id */
export function userName(id) {
  const user = state.users.get(id);
  return user ? user.real_name || user.name : id;
}

/** @param {string} id */
export function avatar(id, small = false) {
  const user = state.users.get(id);
  const isQuell = state.ws !== null && id === state.ws.bot.id;
  const isSlackbot = id === 'USLACKBOT';
  const label = isQuell ? 'Q' : isSlackbot ? '✦' : user?.is_bot ? '🤖' : initials(user?.real_name ?? id);
  const color = isQuell ? '#4a154b' : isSlackbot ? '#2eb67d' : `#${user?.color ?? '888888'}`;
  return h(
    'div',
    {
      class: `avatar${small ? ' small' : ''}${isQuell ? ' quell' : ''}`,
      style: `background:${color}`,
      'aria-hidden': 'true',
    },
    label,
  );
}

/** @param {string} name */
export function initials(name) {
  return name
    .split(/\s+/)
    .map((part) => part[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

/** A message time, on the browser's clock (as Slack's is on the viewer's device). @param {string} ts */
export function time(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
}

/** @param {string} ts */
export function dayLabel(ts) {
  const date = new Date(Number(ts) * 1000);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
}
