import { parseDuration } from '../../../../config/duration.js';

/**
 * When the agent's misbehaviour started, as typed after `--started`: an instant with its offset
 * (`2026-11-21T13:20Z`, `2026-11-21T13:20+01:00`), a local date and time or a time of today in the
 * configured timezone (`2026-11-21T13:20`, `13:20`), or how long ago (`90m`, `2h`). Undefined when
 * the text is none of these; never after `now`.
 */
export function parseStartedAt(text: string, now: Date, timeZone: string): Date | undefined | 'future' {
  const value = text.trim();
  let at: Date | undefined;
  const local = /^(?:(\d{4})-(\d{2})-(\d{2})T)?(\d{1,2}):(\d{2})$/.exec(value);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    const parsed = new Date(value);
    at = Number.isNaN(parsed.getTime()) ? undefined : parsed;
  } else if (local) {
    const today = localParts(now, timeZone);
    const [y, m, d] = local[1]
      ? [Number(local[1]), Number(local[2]), Number(local[3])]
      : [today.y, today.m, today.d];
    const [hh, mm] = [Number(local[4]), Number(local[5])];
    if (hh > 23 || mm > 59 || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
    at = fromLocal(y, m, d, hh, mm, timeZone);
    if (at && localParts(at, timeZone).d !== d) return undefined; // 2026-02-31
  } else {
    const ago = parseDuration(value);
    if (ago !== undefined) at = new Date(now.getTime() - ago);
  }
  if (!at) return undefined;
  return at.getTime() > now.getTime() ? 'future' : at;
}

function localParts(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(at)
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
  return { y: parts.year, m: parts.month, d: parts.day, hh: parts.hour, mm: parts.minute, ss: parts.second };
}

/** The instant a wall-clock time in `timeZone` names (two passes settle DST edges). */
function fromLocal(y: number, m: number, d: number, hh: number, mm: number, timeZone: string): Date {
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const offset = (at: number) => {
    const p = localParts(new Date(at), timeZone);
    return Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss) - Math.floor(at / 1000) * 1000;
  };
  const first = wall - offset(wall);
  return new Date(wall - offset(first));
}
