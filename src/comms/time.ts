/**
 * Times written in plain words in one stated timezone, for messages that leave Slack (where readers'
 * own timezones cannot be applied): "14:30 UTC" today, "09:00 UTC on Sunday 22 November" otherwise.
 */

const formatters = new Map<
  string,
  { time: Intl.DateTimeFormat; day: Intl.DateTimeFormat; zone: Intl.DateTimeFormat }
>();

function formattersFor(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = {
      time: new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
      day: new Intl.DateTimeFormat('en-GB', {
        timeZone,
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        year: 'numeric',
      }),
      zone: new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' }),
    };
    formatters.set(timeZone, f);
  }
  return f;
}

function zoneName(at: Date, timeZone: string): string {
  const part = formattersFor(timeZone)
    .zone.formatToParts(at)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

function dayParts(at: Date, timeZone: string) {
  const parts = formattersFor(timeZone).day.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: get('weekday'), day: get('day'), month: get('month'), year: get('year') };
}

/** "14:30 UTC" when `at` falls on the same day as `now` in `timeZone`, else with the day spelled out. */
export function plainTime(at: Date, now: Date, timeZone: string): string {
  const time = `${formattersFor(timeZone).time.format(at)} ${zoneName(at, timeZone)}`;
  const a = dayParts(at, timeZone);
  const n = dayParts(now, timeZone);
  if (a.day === n.day && a.month === n.month && a.year === n.year) return time;
  const year = a.year === n.year ? '' : ` ${a.year}`;
  return `${time} on ${a.weekday} ${a.day} ${a.month}${year}`;
}

/** Always with the full date: "14:05 UTC on 21 November 2026" (for records such as legal notices). */
export function plainDateTime(at: Date, timeZone: string): string {
  const a = dayParts(at, timeZone);
  return `${formattersFor(timeZone).time.format(at)} ${zoneName(at, timeZone)} on ${a.day} ${a.month} ${a.year}`;
}

/** "1 hour 5 minutes", "40 minutes", "less than a minute". */
export function plainDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const unit = (n: number, word: string) => (n === 0 ? '' : `${n} ${word}${n === 1 ? '' : 's'}`);
  return [unit(days, 'day'), unit(hours, 'hour'), days > 0 ? '' : unit(mins, 'minute')]
    .filter(Boolean)
    .join(' ');
}
