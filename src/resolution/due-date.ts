import { parseDuration } from '../config/duration.js';

/**
 * A corrective action's due date as people type it: `2026-12-01` (due by the end of that day in
 * the configured timezone), `tomorrow`, or a duration from now such as `3d` or `36h`. Undefined
 * when the text is none of these.
 */
export function parseDueDate(text: string, now: Date, timeZone: string): Date | undefined {
  const value = text.trim().toLowerCase();
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d)
      return undefined;
    return endOfDayIn(y, m, d, timeZone);
  }
  if (value === 'today' || value === 'tomorrow') {
    const local = localDate(now, timeZone);
    const next = new Date(Date.UTC(local.y, local.m - 1, local.d + (value === 'tomorrow' ? 1 : 0)));
    return endOfDayIn(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone);
  }
  const ms = parseDuration(value);
  return ms === undefined ? undefined : new Date(now.getTime() + ms);
}

function localDate(at: Date, timeZone: string): { y: number; m: number; d: number } {
  const formatted = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const parts = Object.fromEntries(formatted.map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day) };
}

/** Offset of `timeZone` from UTC at `at`, in ms (positive east of Greenwich). */
function offsetMs(at: Date, timeZone: string): number {
  const formatted = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const parts: Record<string, number> = Object.fromEntries(
    formatted.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]),
  );
  const asUtc = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** 23:59:59 on that calendar day in `timeZone`. */
function endOfDayIn(y: number, m: number, d: number, timeZone: string): Date {
  const guess = Date.UTC(y, m - 1, d, 23, 59, 59);
  const first = guess - offsetMs(new Date(guess), timeZone);
  return new Date(guess - offsetMs(new Date(first), timeZone));
}
