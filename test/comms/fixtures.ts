import type { Incident } from '../../src/incidents/model.js';
import type { TimelineEvent } from '../../src/incidents/timeline.js';
import type { Services } from '../../src/services.js';

/** A realistic SEV1: an email agent sent customer data to the wrong people. Times are UTC. */
export const REALISTIC_INCIDENT: Incident = {
  id: 'INC-7',
  seq: 7,
  title: 'Support agent emailed order details to the wrong customers',
  description: 'The helpdesk agent replied to 41 tickets with another customer’s order history attached.',
  severity: 'sev1',
  status: 'contained',
  drill: false,
  channelId: 'C0INC0007',
  channelName: 'inc-20261121-support-agent-emailed-order-details',
  summaryTs: '1700000000.000001',
  roles: { commander: 'U0CMD', comms: 'U0COMMS', 'tech-lead': 'U0TECH' },
  agent: {
    name: 'helpdesk-agent',
    version: '2.3.1',
    model: 'model-x-2026-09',
    'prompt-hash': 'sha256:9f2c41',
    tools: 'tickets.reply, mail.send, orders.lookup',
    environment: 'production',
  },
  declaredBy: 'U0CMD',
  createdAt: '2026-11-21T14:05:00.000Z',
  updatedAt: '2026-11-21T14:20:00.000Z',
  nextUpdateDueAt: '2026-11-21T14:35:00.000Z',
  version: 6,
};

export const STRUCTURED_UPDATE = {
  impact:
    '41 customers received an email containing another customer’s order history (names, addresses, items).',
  containment: 'The mail.send tool is disabled for the agent and queued replies are paused.',
  investigation:
    'Facts: the wrong attachments started at 13:52 UTC. Hypothesis: order lookups reused a cached result.',
  nextUpdateAt: '2026-11-21T14:30:00.000Z',
};

export function realisticTimeline(incidentId = REALISTIC_INCIDENT.id): TimelineEvent[] {
  return [
    {
      incidentId,
      at: '2026-11-21T14:05:00.000Z',
      actor: 'U0CMD',
      kind: 'declared',
      text: 'Declared SEV1',
      data: { severity: 'sev1', drill: false },
    },
    {
      incidentId,
      at: '2026-11-21T14:09:00.000Z',
      actor: 'U0TECH',
      kind: 'containment_executed',
      text: 'disabled mail.send',
      data: { action: 'disable mail.send', adapter: 'webhook', outcome: 'verified', dryRun: false },
    },
    {
      incidentId,
      at: '2026-11-21T14:15:00.000Z',
      actor: 'U0CMD',
      kind: 'update',
      text: 'posted an update',
      data: STRUCTURED_UPDATE,
    },
  ];
}

/**
 * Declares the realistic incident through the real service (Slack faked), then records its facts,
 * roles, a containment action and a structured update the way the other features do.
 */
export async function declareRealisticIncident(
  services: Services,
  options: { drill?: boolean; update?: boolean; severity?: Incident['severity'] } = {},
): Promise<Incident> {
  const { incident } = await services.incidents.declare({
    title: REALISTIC_INCIDENT.title,
    severity: options.severity ?? 'sev1',
    description: REALISTIC_INCIDENT.description,
    drill: options.drill ?? false,
    announce: false,
    agent: REALISTIC_INCIDENT.agent,
    declaredBy: 'U0CMD',
    idempotencyKey: `fixture-${Math.random()}`,
  });
  await services.store.update(incident.id, (current) => ({
    incident: { ...current, roles: { ...current.roles, comms: 'U0COMMS', 'tech-lead': 'U0TECH' } },
    event: null,
  }));
  if (options.update !== false) {
    await services.incidents.record(incident.id, 'U0TECH', 'containment_executed', 'disabled mail.send', {
      action: 'disable mail.send',
      adapter: 'webhook',
      outcome: 'verified',
      dryRun: Boolean(options.drill),
    });
    await services.incidents.record(incident.id, 'U0CMD', 'update', 'posted an update', STRUCTURED_UPDATE);
  }
  return services.store.require(incident.id);
}
