import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { PagerDutyOnCalls } from '../../src/paging/oncall.js';

// "The on-call" from PagerDuty's REST API (List all of the on-calls, Get a user), exact requests.
const API = 'https://api.pagerduty.com';
const TOKEN = 'y_NbAkKc66ryYTWUXYEu';
const directory = (known: Record<string, string>) => ({
  userIdByEmail: async (email: string) => known[email],
});
const lookup = (known: Record<string, string> = { 'bob@example.com': 'U0BOB' }) =>
  new PagerDutyOnCalls({ apiToken: TOKEN, url: API, timeoutMs: 2_000, directory: directory(known) });

const onCallsPath = '/oncalls?escalation_policy_ids%5B%5D=PT20YPA&earliest=true&include%5B%5D=users';
const entry = (level: number, user: Record<string, unknown>) => ({
  escalation_policy: { id: 'PT20YPA', type: 'escalation_policy_reference', summary: 'AI platform' },
  escalation_level: level,
  schedule: null,
  user,
  start: '2026-12-01T09:00:00Z',
  end: '2026-12-01T21:00:00Z',
});

describe('the on-call from PagerDuty', () => {
  it('asks /oncalls with the token and the versioned Accept header, takes the lowest level, maps the email', async () => {
    nock(API)
      .matchHeader('authorization', `Token token=${TOKEN}`)
      .matchHeader('accept', 'application/vnd.pagerduty+json;version=2')
      .get(onCallsPath)
      .reply(200, {
        oncalls: [
          entry(2, { id: 'PCAROL', type: 'user', name: 'Carmen Díaz', email: 'carmen@example.com' }),
          entry(1, { id: 'PBOB', type: 'user', name: 'Bob Okafor', email: 'bob@example.com' }),
        ],
        limit: 25,
        offset: 0,
        more: false,
        total: null,
      });
    expect(await lookup().onCall({ escalationPolicy: 'PT20YPA' })).toEqual({
      user: 'U0BOB',
      email: 'bob@example.com',
      name: 'Bob Okafor',
    });
  });

  it('reads the user with GET /users/<id> when the entry is only a reference', async () => {
    nock(API)
      .get(onCallsPath)
      .reply(200, { oncalls: [entry(1, { id: 'PBOB', type: 'user_reference', summary: 'Bob Okafor' })] })
      .get('/users/PBOB')
      .matchHeader('accept', 'application/vnd.pagerduty+json;version=2')
      .reply(200, { user: { id: 'PBOB', type: 'user', name: 'Bob Okafor', email: 'bob@example.com' } });
    expect(await lookup().onCall({ escalationPolicy: 'PT20YPA' })).toMatchObject({ user: 'U0BOB' });
  });

  it('says why nobody could be named: nobody on call, nobody in Slack with the email, a bad token', async () => {
    nock(API)
      .get(onCallsPath)
      .reply(200, { oncalls: [] })
      .get(onCallsPath)
      .reply(200, { oncalls: [entry(1, { id: 'PX', type: 'user', name: 'Xavier', email: 'x@example.com' })] })
      .get(onCallsPath)
      .reply(401, { error: { message: 'Unauthorized', code: 2006 } });
    expect(await lookup().onCall({ escalationPolicy: 'PT20YPA' })).toEqual({
      missing: 'nobody is on call for escalation policy PT20YPA',
      nobody: true,
    });
    expect(await lookup().onCall({ escalationPolicy: 'PT20YPA' })).toEqual({
      missing: "nobody in this Slack workspace has Xavier's email (x@example.com)",
      nobody: false,
    });
    const refused = await lookup().onCall({ escalationPolicy: 'PT20YPA' });
    expect(refused).toEqual({
      missing: expect.stringContaining('PagerDuty refused the request (401)'),
      nobody: false,
    });
    expect(JSON.stringify(refused)).not.toContain(TOKEN);
  });
});

describe('the on-call resolver alert rules use', () => {
  it('names the Slack user, undefined when nobody is on call, rejects with the reason otherwise', async () => {
    const { onCallResolver } = await import('../../src/paging/oncall.js');
    nock(API)
      .get('/oncalls?schedule_ids%5B%5D=PSCHED1&earliest=true&include%5B%5D=users')
      .reply(200, {
        oncalls: [entry(1, { id: 'PBOB', type: 'user', name: 'Bob', email: 'bob@example.com' })],
      })
      .get('/oncalls?schedule_ids%5B%5D=PSCHED1&earliest=true&include%5B%5D=users')
      .reply(200, { oncalls: [] })
      .get('/oncalls?schedule_ids%5B%5D=PSCHED1&earliest=true&include%5B%5D=users')
      .reply(503, 'unavailable');
    const resolver = onCallResolver(lookup());
    expect(await resolver.onCall({ schedule: 'PSCHED1' })).toBe('U0BOB');
    expect(await resolver.onCall({ schedule: 'PSCHED1' })).toBeUndefined();
    await expect(resolver.onCall({ schedule: 'PSCHED1' })).rejects.toThrow(
      'the on-call could not be named: PagerDuty answered 503: unavailable',
    );
  });
});
