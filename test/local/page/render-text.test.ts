import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The page's text rendering, without a browser: Slack's date tokens in the viewer's time zone (per
 * Slack's "Formatting text for app surfaces" and the `RichTextDate.format` doc comment in
 * @slack/types) and mrkdwn's mentions and escaping. The modules are the page's own browser files.
 */

interface DatesModule {
  formatSlackDate(
    epoch: number,
    format: string,
    options?: { timeZone?: string; now?: Date },
  ): string | undefined;
  instantOf(
    wall: { year: number; month: number; day: number; hour: number; minute: number },
    timeZone?: string,
  ): Date;
}
interface MrkdwnModule {
  mrkdwn(text: string, ctx: unknown, options?: { plain?: boolean }): string;
}

const page = (file: string) => pathToFileURL(join(process.cwd(), 'src', 'local', 'page', file)).href;
let dates: DatesModule;
let md: MrkdwnModule;

beforeAll(async () => {
  dates = (await import(page('render-dates.js'))) as DatesModule;
  md = (await import(page('render-mrkdwn.js'))) as MrkdwnModule;
});

/** Tuesday 2014-02-18 14:39:45 UTC: Slack's own example date. */
const AT = Date.UTC(2014, 1, 18, 14, 39, 45) / 1000;
const NOW = new Date(Date.UTC(2014, 1, 18, 16, 0));
const london = { timeZone: 'Europe/London', now: NOW };

describe('Slack date tokens', () => {
  it.each([
    ['{date_num}', '2014-02-18'],
    ['{date_slash}', '18/02/2014'],
    ['{date}', 'February 18th, 2014'],
    ['{date_short}', 'Feb 18, 2014'],
    ['{date_long}', 'Tuesday, February 18th, 2014'],
    ['{date_long_full}', 'February 18, 2014'],
    ['{date_pretty}', 'Today'],
    ['{date_short_pretty} at {time}', 'Today at 2:39 PM'],
    ['posted {date_long_pretty}', 'posted today'],
    ['{day_divider_pretty}', 'Today'],
    ['{time}', '2:39 PM'],
    ['{time_secs}', '2:39:45 PM'],
    ['{ago}', '1 hour ago'],
  ])('%s → %s', (format, expected) => {
    expect(dates.formatSlackDate(AT, format, london)).toBe(expected);
  });

  it("draws the day and time on the viewer's clock", () => {
    // "now" (16:00 UTC) is already 01:00 on the 19th in Tokyo: 14:39 UTC was 23:39 yesterday there,
    // and 8 hours later is 07:39 today
    expect(
      dates.formatSlackDate(AT, '{date_short_pretty} {time}', { timeZone: 'Asia/Tokyo', now: NOW }),
    ).toBe('Yesterday 11:39 PM');
    expect(
      dates.formatSlackDate(AT + 8 * 3600, '{date_short_pretty} {time}', {
        timeZone: 'Asia/Tokyo',
        now: NOW,
      }),
    ).toBe('Today 7:39 AM');
    expect(dates.formatSlackDate(AT, '{time}', { timeZone: 'America/Los_Angeles', now: NOW })).toBe(
      '6:39 AM',
    );
    expect(dates.formatSlackDate(AT - 86_400 * 3, '{date_pretty}', london)).toBe('February 15th, 2014');
  });

  it('says how long ago, or how long until', () => {
    const ago = (seconds: number) => dates.formatSlackDate(NOW.getTime() / 1000 - seconds, '{ago}', london);
    expect(ago(10)).toBe('a few seconds ago');
    expect(ago(3 * 60)).toBe('3 minutes ago');
    expect(ago(2 * 86_400)).toBe('2 days ago');
    expect(ago(-5 * 60)).toBe('in 5 minutes');
  });

  it('gives up on a token Slack does not know (the caller shows the fallback)', () => {
    expect(dates.formatSlackDate(AT, '{date_short} {bogus}', london)).toBeUndefined();
    expect(dates.formatSlackDate(Number.NaN, '{date}', london)).toBeUndefined();
  });

  it("turns a picked date and time on the viewer's clock into the instant", () => {
    const wall = { year: 2031, month: 5, day: 6, hour: 9, minute: 30 };
    expect(dates.instantOf(wall, 'Europe/London').toISOString()).toBe('2031-05-06T08:30:00.000Z');
    expect(dates.instantOf(wall, 'Asia/Tokyo').toISOString()).toBe('2031-05-06T00:30:00.000Z');
    expect(dates.instantOf({ ...wall, month: 1 }, 'Europe/London').toISOString()).toBe(
      '2031-01-06T09:30:00.000Z',
    );
  });
});

describe('mrkdwn as Slack draws it', () => {
  const ctx = {
    users: new Map([
      ['U07PRIYA0RK', { id: 'U07PRIYA0RK', name: 'priya', real_name: 'Priya Raman', display_name: 'Priya' }],
      ['U0BOB', { id: 'U0BOB', name: 'bob', real_name: 'Bob Okafor', display_name: '' }],
    ]),
    channels: new Map([['C0SUPPORT', { id: 'C0SUPPORT', name: 'support', members: [] }]]),
    usergroups: new Map([
      ['S0RESPOND', { id: 'S0RESPOND', handle: 'responders', name: 'Responders', users: [] }],
    ]),
    timeZone: 'Europe/London',
  };
  const text = (mrkdwn: string) => md.mrkdwn(mrkdwn, ctx).replace(/<[^>]+>/g, '');

  it('names people, channels and groups instead of showing ids', () => {
    expect(text('ticked by <@U07PRIYA0RK> and <@U0BOB>')).toBe('ticked by @Priya and @Bob Okafor');
    expect(text('in <#C0SUPPORT> for <!subteam^S0RESPOND>')).toBe('in #support for @responders');
    expect(text('<!here> look')).toBe('@here look');
  });

  it('unescapes &amp; &lt; &gt; once, and escapes for HTML again', () => {
    expect(text('R&amp;D &lt;ops&gt;')).toBe('R&amp;D &lt;ops&gt;');
    expect(md.mrkdwn('&lt;script&gt;', ctx)).not.toContain('<script>');
    expect(text('&amp;lt;')).toBe('&amp;lt;');
  });

  it('shows a date token, or its fallback when the format cannot be read', () => {
    expect(text(`<!date^${AT}^{date_num} {time}|then>`)).toBe('2014-02-18 2:39 PM');
    expect(text(`<!date^${AT}^{unknown}|the fallback>`)).toBe('the fallback');
  });
});
