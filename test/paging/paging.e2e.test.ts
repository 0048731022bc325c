import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../src/incidents/timeline.js';
import { type LocalQuell, startLocalQuell } from '../../src/local/harness.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { createLogger } from '../../src/logging/logger.js';
import { eventually } from '../helpers/eventually.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';
import { OPSGENIE, PAGERDUTY } from './fixtures.js';

/**
 * Paging end to end: Quell against the local Slack, PagerDuty and Opsgenie faked with nock at
 * their documented endpoints. Declaring pages, a ladder step pages, resolving closes the page,
 * drills page nobody, 429 is retried and a bad routing key is recorded for people to act on.
 */
const CONFIG = `
severities:
  sev2: { cadence: 1h }
reminders:
  ladder:
    sev2:
      steps:
        - { after: 1h }
      repeatEvery: 1h
paging:
  pagers:
    primary: { kind: pagerduty, routingKeyEnv: TEST_PD_ROUTING_KEY }
    ops: { kind: opsgenie, apiKeyEnv: TEST_OPSGENIE_KEY, responders: [{ type: team, name: ai-platform }] }
  onDeclare: [sev1]
`;
const SECRETS = { TEST_PD_ROUTING_KEY: PAGERDUTY.routingKey, TEST_OPSGENIE_KEY: OPSGENIE.apiKey };

let local: LocalQuell;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const env = await openTestRedis();
  cleanup = env.cleanup;
  local = await startLocalQuell({
    config: testConfig(env.prefix, CONFIG),
    redis: env.redis,
    logger: createLogger('silent'),
    secrets: SECRETS,
  });
});
afterEach(async () => {
  await local?.stop();
  await cleanup();
});

const timeline = (id: string) => local.runtime.services.incidents.timeline(id);
const pageEvents = async (id: string, kind: TimelineEvent['kind'] = 'page_sent') =>
  (await timeline(id)).filter((e) => e.kind === kind);

/** Every request nock saw for PagerDuty and Opsgenie, in order. */
function recordPagers() {
  const pagerDuty: Record<string, unknown>[] = [];
  const opsgenie: { path: string; body: Record<string, unknown> }[] = [];
  return {
    pagerDuty,
    opsgenie,
    expectPagerDuty(times: number, status = 202) {
      nock(PAGERDUTY.url)
        .post(PAGERDUTY.path, (body) => {
          pagerDuty.push(body);
          return true;
        })
        .times(times)
        .reply(status, (_uri, body) =>
          status === 202 ? PAGERDUTY.accepted((body as { dedup_key: string }).dedup_key) : PAGERDUTY.invalid,
        );
    },
    expectOpsgenie(path: string, times = 1) {
      nock(OPSGENIE.url)
        .matchHeader('authorization', `GenieKey ${OPSGENIE.apiKey}`)
        .post(path, (body) => {
          opsgenie.push({ path, body });
          return true;
        })
        .times(times)
        .reply(202, OPSGENIE.accepted);
    },
  };
}

describe('paging', () => {
  it('declaring a SEV1 pages both pagers once with the channel link; resolving through the gate closes both', async () => {
    const pagers = recordPagers();
    pagers.expectPagerDuty(1);
    pagers.expectOpsgenie('/v2/alerts');
    const { incident, channel } = await local.declareIncident({
      title: 'Agent wired $9,000',
      severity: 'sev1',
    });
    await eventually(async () => expect(await pageEvents(incident.id)).toHaveLength(2));
    const link = `https://slack.com/app_redirect?channel=${channel}&team=${local.slack.workspace.team.id}`;
    expect(pagers.pagerDuty[0]).toMatchObject({
      routing_key: PAGERDUTY.routingKey,
      event_action: 'trigger',
      dedup_key: `quell-${incident.id}`,
      payload: {
        severity: 'critical',
        summary: `[SEV1] ${incident.id}: Agent wired $9,000`,
        source: 'quell',
      },
      links: [{ href: link, text: expect.stringMatching(/^Slack channel #inc-/) }],
    });
    expect(pagers.opsgenie[0]?.body).toMatchObject({
      alias: `quell-${incident.id}`,
      priority: 'P1',
      responders: [{ type: 'team', name: 'ai-platform' }],
      details: { channel: link },
    });
    const sent = await pageEvents(incident.id);
    expect(sent.map((e) => e.text).sort()).toEqual([
      'paged Opsgenie (ops): declared',
      'paged PagerDuty (primary): declared',
    ]);

    // containment acknowledges; resolving (the restart gate, overridden by the commander) resolves
    pagers.expectPagerDuty(2);
    pagers.expectOpsgenie(`/v2/alerts/quell-${incident.id}/acknowledge?identifierType=alias`);
    pagers.expectOpsgenie(`/v2/alerts/quell-${incident.id}/close?identifierType=alias`);
    await local.runtime.services.incidents.setStatus(incident.id, LOCAL_IDS.alice, 'contained');
    await eventually(async () => expect(await pageEvents(incident.id)).toHaveLength(4));
    await local.runtime.services.resolution.service.forceResolve(
      incident.id,
      LOCAL_IDS.alice,
      'agent credentials revoked and the transfer recalled',
    );
    await eventually(async () => expect(await pageEvents(incident.id)).toHaveLength(6));
    expect(pagers.pagerDuty.slice(1)).toEqual([
      { routing_key: PAGERDUTY.routingKey, event_action: 'acknowledge', dedup_key: `quell-${incident.id}` },
      { routing_key: PAGERDUTY.routingKey, event_action: 'resolve', dedup_key: `quell-${incident.id}` },
    ]);
    expect(pagers.opsgenie.map((r) => r.path)).toEqual([
      '/v2/alerts',
      `/v2/alerts/quell-${incident.id}/acknowledge?identifierType=alias`,
      `/v2/alerts/quell-${incident.id}/close?identifierType=alias`,
    ]);
  });

  it('a severity below onDeclare is not paged at declare, but its escalation ladder step pages', async () => {
    const { incident } = await local.declareIncident({ title: 'Agent looped on refunds', severity: 'sev2' });
    // nothing was mocked: a page now would fail the test (strict nock); give the jobs a moment
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await pageEvents(incident.id)).toEqual([]);

    const pagers = recordPagers();
    pagers.expectPagerDuty(1);
    pagers.expectOpsgenie('/v2/alerts');
    const { jobs } = local.runtime.services;
    const overdue = jobs.definition('update-overdue')!;
    const dueAt = incident.nextUpdateDueAt!;
    await jobs.enqueue(overdue, {
      incidentId: incident.id,
      dueAt,
      overdueSince: dueAt,
      promptedAt: dueAt,
      step: 0,
      at: dueAt,
    });
    await eventually(async () => expect(await pageEvents(incident.id)).toHaveLength(2));
    expect(pagers.pagerDuty[0]).toMatchObject({
      event_action: 'trigger',
      dedup_key: `quell-${incident.id}`,
      payload: {
        severity: 'error',
        summary: `[SEV2] ${incident.id}: Agent looped on refunds (update overdue, escalation step 1)`,
      },
    });
    expect((await pageEvents(incident.id)).map((e) => e.text)).toContain(
      'paged PagerDuty (primary): no update: escalation step 1',
    );
  });

  it('a drill pages nobody and records what would have been paged', async () => {
    const { incident } = await local.declareIncident({
      title: 'Rehearsal',
      severity: 'sev1',
      flags: '--drill',
    });
    await eventually(async () => expect(await pageEvents(incident.id, 'page_skipped')).toHaveLength(2));
    expect((await pageEvents(incident.id, 'page_skipped')).map((e) => e.text).sort()).toEqual([
      'drill: did not page Opsgenie (ops) (a real incident would have: declared)',
      'drill: did not page PagerDuty (primary) (a real incident would have: declared)',
    ]);
    expect(await pageEvents(incident.id)).toEqual([]);
  });

  it('a throttled page (429) is sent again and recorded once', async () => {
    nock(PAGERDUTY.url).post(PAGERDUTY.path).reply(429, '');
    const pagers = recordPagers();
    pagers.expectPagerDuty(1);
    pagers.expectOpsgenie('/v2/alerts');
    const { incident } = await local.declareIncident({ title: 'Agent emailed customers', severity: 'sev1' });
    await eventually(async () => expect(await pageEvents(incident.id)).toHaveLength(2), 15_000);
    expect(pagers.pagerDuty).toHaveLength(1);
    expect((await pageEvents(incident.id)).filter((e) => e.data.pager === 'primary')).toHaveLength(1);
  });

  it('a bad routing key (400) is given up at once and the timeline says to page by hand', async () => {
    const pagers = recordPagers();
    pagers.expectPagerDuty(1, 400);
    pagers.expectOpsgenie('/v2/alerts');
    const { incident } = await local.declareIncident({ title: 'Agent posted secrets', severity: 'sev1' });
    const [failed] = await eventually(async () => {
      const events = await pageEvents(incident.id, 'page_failed');
      expect(events).toHaveLength(1);
      return events;
    });
    expect(failed?.text).toBe(
      "could not page PagerDuty (primary) (PagerDuty refused the request (400): Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)): page the on-call by hand",
    );
    expect(JSON.stringify(await timeline(incident.id))).not.toContain(PAGERDUTY.routingKey);
    expect(pagers.pagerDuty).toHaveLength(1);
  });
});
