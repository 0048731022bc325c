import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/config/duration.js';
import { loadEnv, resolveMode } from '../../src/config/env.js';
import { ConfigError, loadConfigFile, parseConfigText } from '../../src/config/load.js';

describe('config file', () => {
  it('runs with no file at all, on the documented defaults', () => {
    const config = loadConfigFile(join(tmpdir(), 'does-not-exist.yml'), { required: false });
    expect(config.severities.sev1.cadence).toBe(15 * 60_000);
    expect(config.severities.sev2.cadence).toBe(30 * 60_000);
    expect(config.severities.sev3.cadence).toBe(60 * 60_000);
    expect(config.severities.sev4.cadence).toBeNull();
    expect(config.channels.namePattern).toBe('inc-{yyyymmdd}-{slug}');
    expect(config.redis.keyPrefix).toBe('quell');
  });

  it('refuses a file the operator named but that is missing', () => {
    expect(() => loadConfigFile('/nope/quell.yml', { required: true })).toThrow(/does not exist/);
  });

  it('merges a partial severity with its defaults', () => {
    const config = parseConfigText('severities:\n  sev1:\n    cadence: 10m\n', 'q.yml');
    expect(config.severities.sev1).toMatchObject({ label: 'SEV1', cadence: 600_000 });
    expect(config.severities.sev2.cadence).toBe(1_800_000);
  });

  it('names the bad field, what is allowed, and the line', () => {
    const text =
      'channels:\n  namePattern: "inc-{when}-{slug}"\n  announcment: C123\nresponders:\n  users: [alice]\n';
    let message = '';
    try {
      parseConfigText(text, 'quell.config.yml');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain(
      'channels.namePattern: unknown token {when}; allowed: {yyyymmdd}, {slug}, {id}, {sev} (line 2)',
    );
    expect(message).toContain('channels: Unrecognized key: "announcment" (line 3)');
    expect(message).toContain('responders.users.0: must be a Slack user id such as U024BE7LH (line 5)');
  });

  it('reports YAML syntax errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quell-config-'));
    const path = join(dir, 'quell.config.yml');
    writeFileSync(path, 'severities:\n  sev1: [unclosed\n');
    expect(() => loadConfigFile(path, { required: true })).toThrow(/is not valid YAML/);
  });
});

describe('durations', () => {
  it('parses the forms the config uses', () => {
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('15')).toBeUndefined();
    expect(parseDuration('0m')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

describe('environment', () => {
  it('selects local mode without Slack credentials and Slack mode with them', () => {
    expect(resolveMode(loadEnv({}))).toBe('local');
    expect(resolveMode(loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }))).toBe('slack');
  });

  it('explains incomplete or malformed Slack credentials', () => {
    expect(() => loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(
      /SLACK_SIGNING_SECRET: set SLACK_APP_TOKEN \(Socket Mode\) or SLACK_SIGNING_SECRET \(HTTP mode\)/,
    );
    expect(() => loadEnv({ SLACK_BOT_TOKEN: 'xoxp-1', SLACK_SIGNING_SECRET: 's' })).toThrow(
      /SLACK_BOT_TOKEN: must be a bot token starting with xoxb-/,
    );
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadEnv({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL: must start with redis:\/\//);
  });
});

describe('timezone', () => {
  it('accepts IANA names and refuses anything else', () => {
    expect(parseConfigText('incidents:\n  timezone: Europe/Berlin\n', 'q').incidents.timezone).toBe(
      'Europe/Berlin',
    );
    expect(() => parseConfigText('incidents:\n  timezone: Mars/Olympus\n', 'q')).toThrow(
      'incidents.timezone: must be an IANA timezone such as UTC or Europe/Berlin (line 2)',
    );
  });
});
