import { describe, expect, it } from 'vitest';
import { findLiveMarkup, labelMentions, safeText } from '../../src/text/safe-text.js';
import { HOSTILE_TEXT, LIVE } from './fixtures.js';

describe('safeText: people’s text as Quell echoes it', () => {
  it('neutralises channel pings, group pings, mentions and masked links, and keeps braces', () => {
    const out = safeText(HOSTILE_TEXT);
    expect(out).toBe(
      'Agent @channel @here @x @U123 y (https://x.example) {{ incident.title }} {% if x %} done',
    );
    expect(out).not.toMatch(LIVE);
    expect(findLiveMarkup(out)).toEqual([]);
  });

  it('shows a labelled mention as the plain name, and @everyone, dates and channels as words', () => {
    expect(
      safeText('<@U0ALICE123|Alice Chen> <!everyone> <#C0123|general> <!date^1700000000^{date}|Nov 14>'),
    ).toBe('@Alice Chen @everyone #general Nov 14');
  });

  it('decodes Slack’s entities first, so an escaped ping cannot come alive later, and escapes the rest', () => {
    expect(safeText('&lt;!channel&gt; a &lt; b &amp; c')).toBe('@channel a &lt; b &amp; c');
    expect(safeText('&lt;!channel&gt; a &lt; b', 'plain')).toBe('@channel a < b');
  });

  it('does not let a replacement complete an outer sequence', () => {
    const out = safeText('<<!here>!channel> <<@U1>|x>');
    expect(findLiveMarkup(out.replace(/&lt;/g, '<').replace(/&gt;/g, '>'))).toEqual([]);
    expect(out).not.toMatch(/<[@!]/);
  });

  it('leaves ordinary angle brackets as text (escaped for mrkdwn)', () => {
    expect(safeText('a <3 b>')).toBe('a &lt;3 b&gt;');
    expect(safeText('a <3 b>', 'plain')).toBe('a <3 b>');
  });

  it('labelMentions names bare mentions through the lookup; a failed lookup leaves the id', async () => {
    const labelled = await labelMentions('ask <@U0ALICE123> and <@W0BOB>', async (id) => {
      if (id === 'W0BOB') throw new Error('user_not_found');
      return 'Alice Chen';
    });
    expect(labelled).toBe('ask <@U0ALICE123|Alice Chen> and <@W0BOB>');
    expect(safeText(labelled)).toBe('ask @Alice Chen and @W0BOB');
  });
});
