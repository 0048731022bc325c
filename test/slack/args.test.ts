import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseSeverity, parseUserMention, restAfter } from '../../src/slack/args.js';
import { parseDeclareArgs } from '../../src/slack/listeners/commands/incident/declare.js';

describe('slash command arguments', () => {
  it('parses an inline declare with flags, keeping the title as typed', () => {
    expect(parseDeclareArgs('--drill  SEV1   Agent deleted  shared mailbox')).toEqual({
      mode: 'inline',
      drill: true,
      announce: true,
      severity: 'sev1',
      title: 'Agent deleted  shared mailbox',
    });
  });

  it('opens the modal when only flags are given', () => {
    expect(parseDeclareArgs('--no-announce')).toEqual({ mode: 'modal', drill: false, announce: false });
    expect(parseDeclareArgs('')).toEqual({ mode: 'modal', drill: false, announce: true });
  });

  it('explains a missing severity, an unknown flag and a missing title', () => {
    expect(() => parseDeclareArgs('Agent went rogue')).toThrow(/"Agent" is not a severity/);
    expect(() => parseDeclareArgs('--loud sev1 x')).toThrow(
      'Unknown option --loud; options are --drill, --no-announce, --private, --public, --category, --started.',
    );
    expect(parseDeclareArgs('--private --category security sev1 Agent leaked a token')).toMatchObject({
      mode: 'inline',
      private: true,
      category: 'security',
      title: 'Agent leaked a token',
    });
    expect(parseDeclareArgs('--public sev1 Agent looped')).toMatchObject({
      private: false,
      title: 'Agent looped',
    });
    expect(() => parseDeclareArgs('--category secret sev1 x')).toThrow(
      /`--category` takes one of safety, security, privacy, integrity, compliance, operational \(not secret\)/,
    );
    expect(() => parseDeclareArgs('--private --public sev1 x')).toThrow(
      'Choose one of `--private` and `--public`.',
    );
    expect(() => parseDeclareArgs('sev2')).toThrow(UsageError);
    expect(() => parseDeclareArgs('sev2')).toThrow(/Give the incident a title/);
  });

  it('accepts common spellings of a severity', () => {
    expect(parseSeverity('SEV-2', 'u')).toBe('sev2');
    expect(parseSeverity('sev4', 'u')).toBe('sev4');
    expect(() => parseSeverity('sev5', 'u')).toThrow(
      '"sev5" is not a severity; use one of sev1, sev2, sev3, sev4.\nUsage: `u`',
    );
  });

  it('reads escaped user mentions and refuses groups, channels and plain names', () => {
    expect(parseUserMention('<@U024BE7LH|alex>', 'u')).toBe('U024BE7LH');
    expect(parseUserMention('<@W024BE7LH>', 'u')).toBe('W024BE7LH');
    expect(() => parseUserMention('<!subteam^S0614TZR7|@oncall>', 'u')).toThrow(/not a user group/);
    expect(() => parseUserMention('<#C024BE91L|general>', 'u')).toThrow(/not a channel/);
    expect(() => parseUserMention('@alex', 'u')).toThrow(/"@alex" is not a person/);
    expect(() => parseUserMention(undefined, 'u')).toThrow(/Mention the person/);
  });

  it('takes the rest of the line after n tokens', () => {
    expect(restAfter('  agent   model  gpt x  ', 1)).toBe('model  gpt x');
    expect(restAfter('note', 1)).toBe('');
  });
});
