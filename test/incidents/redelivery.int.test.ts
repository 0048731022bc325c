import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentChange } from '../../src/incidents/service.js';
import { type Services, startWorkers } from '../../src/services.js';
import { eventually } from '../helpers/eventually.js';
import { buildTestServices, type TestServices } from '../helpers/services.js';

/**
 * A subscriber that fails on a stored change (Redis away for a moment, Slack down) gets the change
 * again from a durable job, until it succeeds; the ones that succeeded are not told twice.
 */
describe('a change a subscriber failed on is handed to it again', () => {
  let h: TestServices;
  let services: Services;

  beforeEach(async () => {
    h = await buildTestServices();
    services = h.services;
    await startWorkers(services, { lanes: ['background'] });
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('redelivers the same change to the failing subscriber until it succeeds, and only to it', async () => {
    const flaky: IncidentChange[] = [];
    const steady: IncidentChange[] = [];
    let failuresLeft = 2;
    services.incidents.subscribe('flaky-test-subscriber', async (change) => {
      flaky.push(change);
      if (change.event.kind === 'severity_changed' && failuresLeft-- > 0)
        throw new Error('Connection is closed.');
    });
    services.incidents.subscribe('steady-test-subscriber', async (change) => {
      steady.push(change);
    });
    const { incident } = await services.incidents.declare({
      title: 'Agent sends refunds',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'redeliver-1',
    });
    await services.incidents.setSeverity(incident.id, 'U0ALICE', 'sev1');

    const severityChanges = (seen: IncidentChange[]) =>
      seen.filter((c) => c.event.kind === 'severity_changed');
    // told once, failed; redelivered (with the job runtime's backoff), failed; redelivered, succeeded
    await eventually(() => expect(severityChanges(flaky)).toHaveLength(3), 15_000);
    const [first, ...again] = severityChanges(flaky);
    for (const change of again) {
      expect(change.incident).toEqual(first!.incident);
      expect(change.event).toEqual(first!.event);
      expect(change.before?.severity).toBe('sev2');
    }
    expect(severityChanges(steady)).toHaveLength(1);
    // the job finished: no further deliveries
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(severityChanges(flaky)).toHaveLength(3);
  });

  it('refuses two subscribers with one name (a redelivery names whom it is for)', () => {
    services.incidents.subscribe('once-only', async () => {});
    expect(() => services.incidents.subscribe('once-only', async () => {})).toThrow(
      'two incident subscribers are named once-only',
    );
  });
});
