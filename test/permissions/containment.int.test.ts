import { createHmac } from 'node:crypto';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNATURE_REDACTED } from '../../src/http/redact.js';
import {
  COMMANDER,
  confirmToken,
  containmentHarness,
  type Harness,
  OUTSIDER,
} from '../containment/harness.js';

/**
 * Containment through the permission model: refusals in the containment audit and on the timeline;
 * and a drill's (dry run's) audit entry shows the request it did not send with its signature
 * redacted, so nobody can replay it against the in-house kill switch.
 */
const SECRET = 'whsec-0123456789abcdef-webhook';
const CONTAINMENT = {
  actions: {
    'kill-switch': {
      adapter: 'webhook',
      settings: { url: 'https://killswitch.internal.example/engage' },
      secrets: { signingSecret: 'KILL_SWITCH_SECRET' },
    },
  },
};

let harness: Harness;
afterEach(async () => {
  await harness?.close();
  nock.cleanAll();
});

async function run(h: Harness, user: string, dryRun = false) {
  const confirmation = await h.services.containment.requestRun({
    incident: h.incident,
    user,
    kind: 'action',
    name: 'kill-switch',
    args: {},
    dryRun,
  });
  return h.services.containment.confirm(confirmToken(confirmation), user);
}

describe('containment and the permission model', () => {
  it('a drill audits the webhook request without a usable signature', async () => {
    harness = await containmentHarness({
      drill: true,
      containment: CONTAINMENT,
      env: { KILL_SWITCH_SECRET: SECRET },
    });
    const report = await run(harness, COMMANDER);
    expect(report).toMatchObject({ dryRun: true });
    const [entry] = await harness.services.containment.audit(harness.incident.id);
    expect(entry).toMatchObject({ event: 'dry_run', outcome: 'dry_run' });
    const request = entry!.requests.find((r) => r.url === 'https://killswitch.internal.example/engage')!;
    expect(request.headers).toMatchObject({
      'x-quell-signature': SIGNATURE_REDACTED,
      'x-quell-timestamp': expect.any(String),
    });
    // no valid signature for that body anywhere in the audit, the timeline or what Slack was sent
    const timestamp = String(request.headers!['x-quell-timestamp']);
    const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    const valid = `v1=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
    const everything = JSON.stringify([
      await harness.services.containment.audit(harness.incident.id),
      await harness.services.incidents.timeline(harness.incident.id),
      harness.slack.calls,
    ]);
    expect(everything).not.toContain(valid.slice(3));
    expect(everything).not.toContain(SECRET);
  });

  it('an outsider is refused: in the containment audit and on the timeline, nothing sent', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT, env: { KILL_SWITCH_SECRET: SECRET } });
    await expect(
      harness.services.containment.requestRun({
        incident: harness.incident,
        user: OUTSIDER,
        kind: 'action',
        name: 'kill-switch',
        args: {},
        dryRun: false,
      }),
    ).rejects.toThrow(/not authorized to run `kill-switch`/);
    const audit = await harness.services.containment.audit(harness.incident.id);
    expect(audit.map((e) => [e.event, e.actor])).toEqual([['refused', OUTSIDER]]);
    const timeline = await harness.services.incidents.timeline(harness.incident.id);
    expect(timeline.at(-1)).toMatchObject({ kind: 'containment_refused', actor: OUTSIDER });
  });
});
