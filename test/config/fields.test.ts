import { describe, expect, it } from 'vitest';
import {
  cadence,
  duration,
  envVarName,
  slackChannelId,
  slackUsergroupId,
  slackUserId,
} from '../../src/config/fields.js';
import { parseConfigText } from '../../src/config/load.js';

describe('shared config fields', () => {
  it('accepts Slack ids of their own kind only', () => {
    expect(slackUserId.safeParse('U024BE7LH').success).toBe(true);
    expect(slackUserId.safeParse('W0123ABCDEF').success).toBe(true);
    expect(slackUserId.safeParse('C024BE91L').error?.issues[0]?.message).toBe(
      'must be a Slack user id such as U024BE7LH',
    );
    expect(slackUsergroupId.safeParse('S0614TZR7').success).toBe(true);
    expect(slackUsergroupId.safeParse('U024BE7LH').success).toBe(false);
    expect(slackChannelId.safeParse('G024BE91L').success).toBe(true);
    expect(slackChannelId.safeParse('#incidents').success).toBe(false);
  });

  it('takes the NAME of an environment variable, never a secret', () => {
    expect(envVarName.safeParse('LITELLM_MASTER_KEY').success).toBe(true);
    expect(envVarName.safeParse('sk-live-123').success).toBe(false);
  });

  it('parses durations and cadences in one place', () => {
    expect(duration.parse('1h30m')).toBe(5_400_000);
    expect(duration.safeParse('soon').success).toBe(false);
    expect(cadence.parse('none')).toBeNull();
    expect(cadence.parse('15m')).toBe(900_000);
    expect(cadence.safeParse('often').error?.issues[0]?.message).toMatch(/is not a cadence/);
  });

  it('every section uses them: a bad id or duration is named with its field', () => {
    expect(() => parseConfigText('containment:\n  timeout: soon\n', 't')).toThrow(
      /timeout.*is not a duration/s,
    );
    expect(() => parseConfigText('comms:\n  defaultApprovers:\n    users: [C024BE91L]\n', 't')).toThrow(
      /must be a Slack user id/,
    );
    expect(() => parseConfigText('severities:\n  sev1:\n    cadence: often\n', 't')).toThrow(
      /is not a cadence/,
    );
  });
});
