import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { startWorkers } from '../../src/services.js';
import { eventually } from '../helpers/eventually.js';
import { buildTestServices } from '../helpers/services.js';

type Built = Awaited<ReturnType<typeof buildTestServices>>;
let h: Built | undefined;
afterEach(async () => h?.cleanup());

describe('the pinned summary in the running services', () => {
  it('a render refused with 503 is corrected by the summary-refresh job with the latest state', async () => {
    h = await buildTestServices({ clock: systemClock });
    const { services, slack } = h;
    await startWorkers(services, { lanes: ['background'] });
    const { incident } = await services.incidents.declare({
      title: 'Agent leaks refund codes',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'summary-503',
    });
    slack.queue('chat.update', () => ({ status: 503, body: { ok: false, error: 'service_unavailable' } }));
    await services.incidents.setSeverity(incident.id, 'U0ALICE', 'sev1');
    const [refused] = slack.callsTo('chat.update');
    expect(refused).toBeDefined();
    // Slack still shows the SEV2 render; the retry job re-renders the stored state a few seconds later
    const corrected = await eventually(() => {
      const updates = slack.callsTo('chat.update');
      expect(updates).toHaveLength(2);
      return updates[1]!;
    }, 10_000);
    expect(corrected.params.channel).toBe(incident.channelId);
    expect(String(corrected.params.text)).toContain('SEV1');
  }, 20_000);
});
