// @ts-check
// Slack's date tokens (`<!date^…^format|fallback>` in mrkdwn, rich text `date` elements), drawn in the
// viewer's time zone. Tokens as documented in Slack's "Formatting text for app surfaces" and the doc
// comment of `RichTextDate.format` in @slack/types: {date_num} 2014-02-18, {date_slash} 18/02/2014,
// {date} February 18th, 2014, {date_short} Feb 18, 2014, {date_long} Tuesday, February 18th, 2014,
// {date_long_full} February 18, 2014, the *_pretty forms (today / yesterday / tomorrow), {day_divider_pretty},
// {time} 6:39 PM, {time_secs} 6:39:45 PM, {ago} 3 minutes ago. A format Slack cannot read shows the fallback.

/** @typedef {{ timeZone?: string | undefined, now?: Date }} DateOptions */

const ORDINAL = ['th', 'st', 'nd', 'rd'];
/** @param {number} n */
const ordinal = (n) => {
  const v = n % 100;
  return n + (ORDINAL[(v - 20) % 10] || ORDINAL[v] || ORDINAL[0]);
};

/**
 * A time zone the browser knows, else the browser's own (an unknown `tz` must not break the page).
 * @param {string | undefined} timeZone
 */
export function usableTimeZone(timeZone) {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

/**
 * The calendar and clock parts of `at` as seen in `timeZone`.
 * @param {Date} at
 * @param {string | undefined} timeZone
 */
export function wallClock(at, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: usableTimeZone(timeZone),
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at);
  /** @param {string} type */
  const part = (type) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/**
 * The instant at which the clock in `timeZone` shows this date and time (for the date/time pickers).
 * @param {{ year: number, month: number, day: number, hour: number, minute: number }} wall
 * @param {string | undefined} timeZone
 */
export function instantOf(wall, timeZone) {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  /** @param {number} t */
  const offset = (t) => {
    const w = wallClock(new Date(t), timeZone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - t;
  };
  // twice, so a wall time next to a daylight-saving change lands on the right side of it
  const first = asUtc - offset(asUtc);
  return new Date(asUtc - offset(first));
}

/**
 * @param {Date} at
 * @param {Date} now
 */
export function ago(at, now) {
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds <= 0 ? 'a few seconds ago' : 'in a few seconds';
  /** @type {[Intl.RelativeTimeFormatUnit, number][]} */
  const units = [
    ['year', 365 * 86_400],
    ['month', 30 * 86_400],
    ['week', 7 * 86_400],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  const [unit, size] = units.find(([, s]) => abs >= s) ?? ['minute', 60];
  return new Intl.RelativeTimeFormat('en-US', { numeric: 'always' }).format(Math.round(seconds / size), unit);
}

/**
 * Fills Slack's date tokens; `undefined` when the format holds a token Slack does not know (the
 * caller shows the fallback then, as Slack does).
 * @param {number} epoch Unix seconds
 * @param {string} format
 * @param {DateOptions} [options]
 * @returns {string | undefined}
 */
export function formatSlackDate(epoch, format, { timeZone, now = new Date() } = {}) {
  if (!Number.isFinite(epoch)) return undefined;
  const zone = usableTimeZone(timeZone);
  const at = new Date(epoch * 1000);
  const w = wallClock(at, zone);
  const today = wallClock(now, zone);
  const diffDays = Math.round(
    (Date.UTC(w.year, w.month - 1, w.day) - Date.UTC(today.year, today.month - 1, today.day)) / 86_400_000,
  );
  // month and weekday names of the wall-clock date: a UTC date at noon has the same calendar day
  const calendar = new Date(Date.UTC(w.year, w.month - 1, w.day, 12));
  /** @param {Intl.DateTimeFormatOptions} options */
  const name = (options) => calendar.toLocaleString('en-US', { timeZone: 'UTC', ...options });
  const month = name({ month: 'long' });
  const monthShort = name({ month: 'short' });
  const weekday = name({ weekday: 'long' });
  const relative =
    diffDays === 0 ? 'today' : diffDays === -1 ? 'yesterday' : diffDays === 1 ? 'tomorrow' : '';
  /** @param {string} otherwise */
  const pretty = (otherwise) => relative || otherwise;
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const date = `${month} ${ordinal(w.day)}, ${w.year}`;
  const dateShort = `${monthShort} ${w.day}, ${w.year}`;
  const dateLong = `${weekday}, ${month} ${ordinal(w.day)}, ${w.year}`;
  const clock = (/** @type {boolean} */ secs) =>
    at.toLocaleTimeString('en-US', {
      timeZone: zone,
      hour: 'numeric',
      minute: '2-digit',
      ...(secs ? { second: '2-digit' } : {}),
    });
  /** @type {Record<string, () => string>} */
  const tokens = {
    date_num: () => `${w.year}-${pad(w.month)}-${pad(w.day)}`,
    date_slash: () => `${pad(w.day)}/${pad(w.month)}/${w.year}`,
    date: () => date,
    date_short: () => dateShort,
    date_long: () => dateLong,
    date_long_full: () => `${month} ${w.day}, ${w.year}`,
    date_pretty: () => pretty(date),
    date_short_pretty: () => pretty(dateShort),
    date_long_pretty: () => pretty(dateLong),
    day_divider_pretty: () =>
      pretty(w.year === today.year ? `${weekday}, ${month} ${ordinal(w.day)}` : dateLong),
    time: () => clock(false),
    time_secs: () => clock(true),
    ago: () => ago(at, now),
  };
  let unknown = false;
  const text = format.replace(/\{(\w+)\}/g, (match, token, offset) => {
    const fill = tokens[token];
    if (!fill) {
      unknown = true;
      return match;
    }
    const value = fill();
    // "today at 3:04 PM" reads "Today at 3:04 PM" when it opens the text, as in Slack's clients
    return offset === 0 && relative && token.endsWith('pretty')
      ? value[0]?.toUpperCase() + value.slice(1)
      : value;
  });
  return unknown ? undefined : text;
}

/**
 * Full date and time for a tooltip, in the viewer's time zone.
 * @param {number} epoch
 * @param {string | undefined} timeZone
 */
export function fullDate(epoch, timeZone) {
  return new Date(epoch * 1000).toLocaleString('en-US', {
    timeZone: usableTimeZone(timeZone),
    dateStyle: 'full',
    timeStyle: 'long',
  });
}
