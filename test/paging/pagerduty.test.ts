import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { RetryLaterError } from '../../src/jobs/index.js';
import { PagerDutyEvents, PagerRefusedError } from '../../src/paging/index.js';
import { buildPage } from '../../src/paging/pages.js';
import { CONTEXT, incidentFixture, PAGERDUTY } from './fixtures.js';

// Conformance suite: the requests are the documented shapes of PagerDuty's Events API v2, exactly.
const pager = () =>
  new PagerDutyEvents({
    name: 'primary',
    routingKey: PAGERDUTY.routingKey,
    url: `${PAGERDUTY.url}${PAGERDUTY.path}`,
    timeoutMs: 2_000,
  });
const AT = '2026-12-01T14:02:05.000Z';

describe('PagerDuty Events API v2', () => {
  it('triggers with routing_key, dedup_key per incident, payload, links to the channel and custom_details', async () => {
    const incident = incidentFixture();
    const scope = nock(PAGERDUTY.url)
      .matchHeader('content-type', 'application/json')
      .post(PAGERDUTY.path, {
        routing_key: PAGERDUTY.routingKey,
        event_action: 'trigger',
        dedup_key: 'quell-INC-12',
        payload: {
          summary: '[SEV1] INC-12: Helpdesk agent refunded $4,200 without approval',
          source: 'quell',
          severity: 'critical',
          timestamp: AT,
          component: 'helpdesk-agent',
          group: 'production',
          class: 'ai-agent-incident',
          custom_details: {
            incident: 'INC-12',
            severity: 'SEV1',
            status: 'investigating',
            reason: 'declared',
            declared: '2026-12-01T14:02:00.000Z',
            agent: 'helpdesk-agent',
            model: 'gpt-4.1',
            environment: 'production',
          },
        },
        links: [
          {
            href: 'https://slack.com/app_redirect?channel=C0INC12',
            text: 'Slack channel #inc-20261201-helpdesk-agent-refunded',
          },
        ],
        client: 'Quell',
        client_url: 'https://slack.com/app_redirect?channel=C0INC12',
      })
      .reply(202, PAGERDUTY.accepted('quell-INC-12'));
    const receipt = await pager().send(buildPage(incident, 'trigger', { kind: 'declared' }, CONTEXT, AT));
    expect(receipt).toEqual({ reference: 'quell-INC-12', message: 'Event processed' });
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    ['sev2', 'error'],
    ['sev3', 'warning'],
    ['sev4', 'info'],
  ] as const)('maps %s to severity %s', async (severity, expected) => {
    let sent: { payload: { severity: string } } | undefined;
    nock(PAGERDUTY.url)
      .post(PAGERDUTY.path, (body) => {
        sent = body;
        return true;
      })
      .reply(202, PAGERDUTY.accepted('quell-INC-12'));
    await pager().send(
      buildPage(incidentFixture({ severity }), 'trigger', { kind: 'declared' }, CONTEXT, AT),
    );
    expect(sent?.payload.severity).toBe(expected);
  });

  it('resolves and acknowledges with only routing_key, event_action and the same dedup_key', async () => {
    const incident = incidentFixture({ status: 'resolved', resolvedAt: AT });
    nock(PAGERDUTY.url)
      .post(PAGERDUTY.path, {
        routing_key: PAGERDUTY.routingKey,
        event_action: 'resolve',
        dedup_key: 'quell-INC-12',
      })
      .reply(202, PAGERDUTY.accepted('quell-INC-12'))
      .post(PAGERDUTY.path, {
        routing_key: PAGERDUTY.routingKey,
        event_action: 'acknowledge',
        dedup_key: 'quell-INC-12',
      })
      .reply(202, PAGERDUTY.accepted('quell-INC-12'));
    await pager().send(buildPage(incident, 'resolve', { kind: 'resolved', at: AT }, CONTEXT, AT));
    await pager().send(buildPage(incident, 'acknowledge', { kind: 'contained' }, CONTEXT, AT));
  });

  it('a private incident pages without its title', async () => {
    let summary = '';
    nock(PAGERDUTY.url)
      .post(PAGERDUTY.path, (body) => {
        summary = body.payload.summary;
        return true;
      })
      .reply(202, PAGERDUTY.accepted('quell-INC-12'));
    await pager().send(
      buildPage(incidentFixture({ private: true }), 'trigger', { kind: 'declared' }, CONTEXT, AT),
    );
    expect(summary).toBe('[SEV1] INC-12: private incident');
  });

  it('a 400 invalid event (bad routing key) is a permanent refusal that names the reason, never the key', async () => {
    nock(PAGERDUTY.url).post(PAGERDUTY.path).reply(400, PAGERDUTY.invalid);
    const error = await pager()
      .send(buildPage(incidentFixture(), 'trigger', { kind: 'declared' }, CONTEXT, AT))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagerRefusedError);
    expect((error as Error).message).toBe(
      "PagerDuty refused the request (400): Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)",
    );
    expect((error as Error).message).not.toContain(PAGERDUTY.routingKey);
  });

  it('429 (throttled) and 5xx are retried later, honouring Retry-After', async () => {
    nock(PAGERDUTY.url)
      .post(PAGERDUTY.path)
      .reply(429, '', { 'retry-after': '7' })
      .post(PAGERDUTY.path)
      .reply(503, 'Service Unavailable');
    const page = buildPage(incidentFixture(), 'trigger', { kind: 'declared' }, CONTEXT, AT);
    const throttled = await pager()
      .send(page)
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(RetryLaterError);
    expect((throttled as RetryLaterError).retryAfterMs).toBe(7_000);
    const unavailable = await pager()
      .send(page)
      .catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(RetryLaterError);
    expect((unavailable as Error).message).toBe('PagerDuty answered 503: Service Unavailable');
  });

  it('a network failure is retried later', async () => {
    nock(PAGERDUTY.url).post(PAGERDUTY.path).replyWithError('socket hang up');
    const error = await pager()
      .send(buildPage(incidentFixture(), 'trigger', { kind: 'declared' }, CONTEXT, AT))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
  });
});
