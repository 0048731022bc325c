// @ts-check
// People and times as the page shows them: names, avatars, message times, day labels.
import { usableTimeZone, wallClock } from './render-dates.js';
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

/** The viewer's time zone: Slack draws every time on the reader's profile clock. */
export function viewerTimeZone() {
  return usableTimeZone(state.users.get(state.me)?.tz);
}

/** A message time, as "3:04 PM" on the viewer's clock. @param {string} ts */
export function time(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString('en-US', {
    timeZone: viewerTimeZone(),
    hour: 'numeric',
    minute: '2-digit',
  });
}

/** The day divider above a message: Today, Yesterday, else "Monday, March 16". @param {string} ts */
export function dayLabel(ts) {
  const zone = viewerTimeZone();
  /** @param {Date} at */
  const day = (at) => {
    const w = wallClock(at, zone);
    return Date.UTC(w.year, w.month - 1, w.day);
  };
  const date = new Date(Number(ts) * 1000);
  const diff = Math.round((day(date) - day(new Date())) / 86_400_000);
  if (diff === 0) return 'Today';
  if (diff === -1) return 'Yesterday';
  return date.toLocaleDateString('en-US', { timeZone: zone, weekday: 'long', month: 'long', day: 'numeric' });
}
