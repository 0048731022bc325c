import { describe, expect, it } from 'vitest';
import {
  configLocation,
  DEFAULT_CONFIG_PATH,
  DEFAULT_LOCAL_PORT,
  loadCliEnv,
  loadEnv,
  normalizeSlackApiUrl,
} from '../../src/config/env.js';

describe('environment schema', () => {
  it('reads the local-mode variables with their defaults', () => {
    expect(loadEnv({})).toMatchObject({ QUELL_LOCAL_PORT: DEFAULT_LOCAL_PORT });
    expect(loadEnv({}).QUELL_LOCAL_STATE).toBeUndefined();
    expect(loadEnv({ QUELL_LOCAL_PORT: '0', QUELL_LOCAL_STATE: '.quell/local.json' })).toMatchObject({
      QUELL_LOCAL_PORT: 0,
      QUELL_LOCAL_STATE: '.quell/local.json',
    });
    expect(() => loadEnv({ QUELL_LOCAL_PORT: '70000' })).toThrow(/QUELL_LOCAL_PORT/);
  });

  it('normalises SLACK_API_URL once, with the trailing slash the WebClient needs', () => {
    expect(loadEnv({ SLACK_API_URL: 'https://slack-gov.com/api' }).SLACK_API_URL).toBe(
      'https://slack-gov.com/api/',
    );
    expect(normalizeSlackApiUrl('http://127.0.0.1:3030/api/')).toBe('http://127.0.0.1:3030/api/');
  });

  it('requires the config file only when QUELL_CONFIG names one', () => {
    expect(configLocation(loadEnv({}))).toEqual({ path: DEFAULT_CONFIG_PATH, required: false });
    expect(configLocation(loadEnv({ QUELL_CONFIG: 'prod.yml' }))).toEqual({
      path: 'prod.yml',
      required: true,
    });
  });

  it('lets the CLI run with a half-set Slack environment, which the app refuses', () => {
    const env = { SLACK_BOT_TOKEN: 'xoxb-1', QUELL_CONFIG: 'prod.yml' };
    expect(() => loadEnv(env)).toThrow(/SLACK_SIGNING_SECRET/);
    expect(loadCliEnv(env)).toEqual({ QUELL_CONFIG: 'prod.yml' });
  });
});
