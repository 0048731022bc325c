import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { RetryLaterError } from '../../src/jobs/index.js';
import { OpsgenieAlerts, PagerRefusedError } from '../../src/paging/index.js';
import { buildPage } from '../../src/paging/pages.js';
import { CONTEXT, incidentFixture, OPSGENIE } from './fixtures.js';

// Conformance suite: the requests are the documented shapes of Opsgenie's Alert API, exactly.
const pager = (responders: { type: 'team'; name: string }[] = []) =>
  new OpsgenieAlerts({
    name: 'ops',
    apiKey: OPSGENIE.apiKey,
    url: OPSGENIE.url,
    responders,
    timeoutMs: 2_000,
  });
const AT = '2026-12-01T14:02:05.000Z';

describe("Opsgenie's Alert API", () => {
  it('creates an alert: GenieKey, alias as the dedup key, message, priority, responders, details with the channel', async () => {
    const scope = nock(OPSGENIE.url)
      .matchHeader('authorization', `GenieKey ${OPSGENIE.apiKey}`)
      .matchHeader('content-type', 'application/json')
      .post('/v2/alerts', {
        message: '[SEV1] INC-12: Helpdesk agent refunded $4,200 without approval',
        alias: 'quell-INC-12',
        description: [
          '[SEV1] INC-12: Helpdesk agent refunded $4,200 without approval',
          'Slack channel #inc-20261201-helpdesk-agent-refunded: https://slack.com/app_redirect?channel=C0INC12',
          'incident: INC-12',
          'severity: SEV1',
          'status: investigating',
          'reason: declared',
          'declared: 2026-12-01T14:02:00.000Z',
          'agent: helpdesk-agent',
          'model: gpt-4.1',
          'environment: production',
        ].join('\n'),
        responders: [{ type: 'team', name: 'ai-platform' }],
        tags: ['quell', 'sev1'],
        details: {
          incident: 'INC-12',
          severity: 'SEV1',
          status: 'investigating',
          reason: 'declared',
          declared: '2026-12-01T14:02:00.000Z',
          agent: 'helpdesk-agent',
          model: 'gpt-4.1',
          environment: 'production',
          channel: 'https://slack.com/app_redirect?channel=C0INC12',
        },
        entity: 'helpdesk-agent',
        source: 'Quell',
        priority: 'P1',
      })
      .reply(202, OPSGENIE.accepted);
    const receipt = await pager([{ type: 'team', name: 'ai-platform' }]).send(
      buildPage(incidentFixture(), 'trigger', { kind: 'declared' }, CONTEXT, AT),
    );
    expect(receipt).toEqual({ reference: OPSGENIE.accepted.requestId, message: 'Request will be processed' });
    expect(scope.isDone()).toBe(true);
  });

  it('keeps the message within 130 characters', async () => {
    let message = '';
    nock(OPSGENIE.url)
      .post('/v2/alerts', (body) => {
        message = body.message;
        return true;
      })
      .reply(202, OPSGENIE.accepted);
    await pager().send(
      buildPage(
        incidentFixture({ title: 'x'.repeat(200), severity: 'sev3' }),
        'trigger',
        { kind: 'declared' },
        CONTEXT,
        AT,
      ),
    );
    expect(message).toHaveLength(130);
    expect(message.endsWith('…')).toBe(true);
  });

  it('closes and acknowledges by alias (identifierType=alias) with source and note', async () => {
    const incident = incidentFixture({ status: 'resolved', resolvedAt: AT });
    nock(OPSGENIE.url)
      .matchHeader('authorization', `GenieKey ${OPSGENIE.apiKey}`)
      .post('/v2/alerts/quell-INC-12/close?identifierType=alias', {
        source: 'Quell',
        note: 'INC-12 resolved in Slack (Quell)',
      })
      .reply(202, OPSGENIE.accepted)
      .post('/v2/alerts/quell-INC-12/acknowledge?identifierType=alias', {
        source: 'Quell',
        note: 'INC-12 contained in Slack (Quell)',
      })
      .reply(202, OPSGENIE.accepted);
    await pager().send(buildPage(incident, 'resolve', { kind: 'resolved', at: AT }, CONTEXT, AT));
    await pager().send(buildPage(incident, 'acknowledge', { kind: 'contained' }, CONTEXT, AT));
  });

  it('a bad API key (401) and an invalid body (422) are permanent refusals without the key', async () => {
    nock(OPSGENIE.url)
      .post('/v2/alerts')
      .reply(401, OPSGENIE.unauthorized)
      .post('/v2/alerts')
      .reply(422, OPSGENIE.unprocessable);
    const page = buildPage(incidentFixture(), 'trigger', { kind: 'declared' }, CONTEXT, AT);
    const unauthorized = await pager()
      .send(page)
      .catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(PagerRefusedError);
    expect((unauthorized as Error).message).toBe(
      'Opsgenie refused the request (401): Could not authenticate',
    );
    const invalid = await pager()
      .send(page)
      .catch((e: unknown) => e);
    expect((invalid as Error).message).toBe(
      'Opsgenie refused the request (422): Request body is not processable. Please check the errors.: Message can not be empty.',
    );
    expect((invalid as Error).message).not.toContain(OPSGENIE.apiKey);
  });

  it('429 and 5xx are retried later', async () => {
    nock(OPSGENIE.url)
      .post('/v2/alerts')
      .reply(429, { message: 'Rate limit exceeded', took: 0, requestId: 'r' }, { 'retry-after': '2' })
      .post('/v2/alerts')
      .reply(500, { message: 'Internal Server Error' });
    const page = buildPage(incidentFixture(), 'trigger', { kind: 'declared' }, CONTEXT, AT);
    const throttled = await pager()
      .send(page)
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(RetryLaterError);
    expect((throttled as RetryLaterError).retryAfterMs).toBe(2_000);
    const failed = await pager()
      .send(page)
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RetryLaterError);
  });
});
