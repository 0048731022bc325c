import type { Incident } from '../../src/incidents/model.js';

/**
 * Conformance fixtures, copied from the vendors' documentation (the pages each adapter cites).
 * Requests are asserted field for field; responses are the documented sample answers.
 */

/** PagerDuty Events API v2, "Send an Alert Event": the 202, 400 and 429 answers. */
export const PAGERDUTY = {
  url: 'https://events.pagerduty.com',
  path: '/v2/enqueue',
  /** 32 characters, as the integration key is. */
  routingKey: 'R0123456789abcdef0123456789abcde',
  accepted: (dedupKey: string) => ({ status: 'success', message: 'Event processed', dedup_key: dedupKey }),
  invalid: {
    status: 'invalid event',
    message: 'Event object is invalid',
    errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"],
  },
} as const;

/** Opsgenie Alert API: "Request will be processed" with a requestId for create, acknowledge, close. */
export const OPSGENIE = {
  url: 'https://api.opsgenie.com',
  apiKey: 'eb243592-faa2-4ba2-a551q-1afdf565c889',
  accepted: {
    result: 'Request will be processed',
    took: 0.302,
    requestId: '43a29c5c-3dbf-4fa4-9c26-f4f71023e120',
  },
  unauthorized: {
    message: 'Could not authenticate',
    took: 0.001,
    requestId: 'a5ae1bfc-f8b8-4ea1-a45c-e72ff6cbc2e1',
  },
  unprocessable: {
    message: 'Request body is not processable. Please check the errors.',
    errors: { message: 'Message can not be empty.' },
    took: 0.083,
    requestId: '6a1e0ea9-2b43-4f2b-8d2c-4b6a7b2f0c11',
  },
} as const;

export function incidentFixture(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-12',
    seq: 12,
    title: 'Helpdesk agent refunded $4,200 without approval',
    description: '',
    severity: 'sev1',
    status: 'investigating',
    drill: false,
    channelId: 'C0INC12',
    channelName: 'inc-20261201-helpdesk-agent-refunded',
    roles: { commander: 'U0ALICE' },
    agent: { name: 'helpdesk-agent', model: 'gpt-4.1', environment: 'production' },
    declaredBy: 'U0ALICE',
    createdAt: '2026-12-01T14:02:00.000Z',
    updatedAt: '2026-12-01T14:02:00.000Z',
    nextUpdateDueAt: '2026-12-01T14:17:00.000Z',
    version: 1,
    ...overrides,
  } as Incident;
}

export const CONTEXT = {
  severityLabel: (incident: Incident) => incident.severity.toUpperCase(),
  channelLink: (incident: Incident) =>
    incident.channelId
      ? {
          href: `https://slack.com/app_redirect?channel=${incident.channelId}`,
          text: `Slack channel #${incident.channelName}`,
        }
      : undefined,
};
