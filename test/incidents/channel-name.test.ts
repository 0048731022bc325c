import { describe, expect, it } from 'vitest';
import {
  channelNameFor,
  MAX_CHANNEL_NAME_LENGTH,
  slugify,
  withSuffix,
} from '../../src/incidents/channel-name.js';

const facts = {
  id: 'INC-42',
  title: 'Agent deleted shared mailbox',
  severity: 'sev1',
  declaredAt: new Date('2026-11-21T23:30:00Z'),
  timezone: 'UTC',
};

describe('channel names', () => {
  it('fills the default pattern', () => {
    expect(channelNameFor('inc-{yyyymmdd}-{slug}', facts)).toBe('inc-20261121-agent-deleted-shared-mailbox');
  });

  it('uses the configured timezone for the date', () => {
    expect(channelNameFor('inc-{yyyymmdd}-{slug}', { ...facts, timezone: 'Asia/Tokyo' })).toBe(
      'inc-20261122-agent-deleted-shared-mailbox',
    );
  });

  it('keeps only characters Slack allows, lower-cased', () => {
    expect(slugify('Agent «Björn» sent $5,000 to ACME!!')).toBe('agent-bjorn-sent-5-000-to-acme');
    expect(channelNameFor('{id}_{sev} {slug}', { ...facts, title: 'Über LOOP' })).toBe(
      'inc-42_sev1-uber-loop',
    );
  });

  it('never exceeds 80 characters, cutting at a word boundary', () => {
    const name = channelNameFor('inc-{yyyymmdd}-{slug}', { ...facts, title: 'word '.repeat(40) });
    expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME_LENGTH);
    expect(name).toMatch(/^inc-20261121-(word-)*word$/);
  });

  it('falls back to "incident" when the title has no usable characters', () => {
    expect(channelNameFor('inc-{slug}', { ...facts, title: '🔥🔥' })).toBe('inc-incident');
  });

  it('adds a suffix within the length limit', () => {
    const long = 'a'.repeat(80);
    expect(withSuffix(long, 12)).toHaveLength(80);
    expect(withSuffix(long, 12).endsWith('-12')).toBe(true);
    expect(withSuffix('inc-x', 2)).toBe('inc-x-2');
  });
});
