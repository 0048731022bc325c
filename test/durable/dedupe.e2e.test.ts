import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TimelineKind } from '../../src/incidents/timeline.js';
import type { LocalQuell } from '../../src/local/harness.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { startLocalSlack } from '../helpers/local-slack.js';
import { DoubleDelivery } from './double-delivery.js';
import { until } from './harness.js';

/**
 * Every command, button and form delivered twice with the same idempotency key (a double click, a
 * client resend, a Slack retry) has one effect: the request's job id is its key, so the second
 * delivery maps to the job the first one stored. Through the real HTTP receiver, signed, against
 * the local Slack, with a proxy that delivers each request a second time byte for byte.
 */
const ALICE = LOCAL_IDS.alice;
const CONFIG = `
workspace: { teamIds: ["${LOCAL_IDS.team}"], appId: "${LOCAL_IDS.app}" }
comms:
  audiences:
    customer: { destination: none }
containment:
  actions:
    kill-switch: { adapter: recording, description: Engage the kill switch }
`;

describe('a request delivered twice has one effect', () => {
  let local: LocalQuell & { prefix: string };
  let proxy: DoubleDelivery;
  let incidentId: string;
  let channel: string;

  beforeEach(async () => {
    local = await startLocalSlack({ configYaml: CONFIG });
    proxy = await DoubleDelivery.start(local.requestUrl!, local.slack.signingSecret);
    local.slack.setRequestUrl(proxy.url);
    const declared = await local.declareIncident({ title: 'Agent refunds every ticket', severity: 'sev2' });
    incidentId = declared.incident.id;
    channel = declared.channel;
  });
  afterEach(async () => {
    local.slack.setRequestUrl(local.requestUrl);
    await proxy.close();
    await local.stop();
  });

  /** Runs `act` with every delivery doubled, then waits until both copies were answered and all work ran. */
  async function twice(act: () => Promise<unknown>): Promise<void> {
    const before = proxy.answered.length;
    proxy.twice = true;
    await act();
    await until(
      () => proxy.answered.slice(before).some((a) => a.copy === 2),
      10_000,
      'the second delivery answered',
    );
    proxy.twice = false;
    // (events Quell's own posts cause are delivered twice as well while doubling is on)
    expect(proxy.answered.slice(before).every((a) => a.status === 200)).toBe(true);
    await local.runtime.services.jobs.idle(['interactive']);
    await local.runtime.services.requests.drain();
  }

  async function count(kind: TimelineKind): Promise<number> {
    return (await local.runtime.services.incidents.timeline(incidentId)).filter((e) => e.kind === kind)
      .length;
  }

  const command = (text: string, command = '/incident') =>
    local.slack.sendCommand({ user: ALICE, channel, text, command });

  it('/incident declare: one incident, one channel', async () => {
    const channelsBefore = local.slack.channels().length;
    await twice(() =>
      local.slack.sendCommand({
        user: ALICE,
        channel: LOCAL_IDS.support,
        text: 'declare sev1 Agent wires money to a vendor twice',
        command: '/incident',
      }),
    );
    const incidents = await local.runtime.services.store.listActive();
    expect(incidents.map((i) => i.title).filter((t) => t.startsWith('Agent wires money'))).toHaveLength(1);
    expect(local.slack.channels()).toHaveLength(channelsBefore + 1);
  });

  it('/incident note: one note', async () => {
    await twice(() => command('note Vendor confirmed the duplicate transfer'));
    expect(await count('note')).toBe(1);
  });

  it('/incident action: one corrective action', async () => {
    await twice(() => command("action @bob 3d Rotate the agent's payment API key"));
    expect(await count('action_added')).toBe(1);
  });

  it('/incident update (inline): one update, posted once', async () => {
    await twice(() =>
      command('update impact: two transfers containment: payments tool off investigation: reading the trace'),
    );
    expect(await count('update')).toBe(1);
    const posted = local.slack
      .messages(channel)
      .filter((m) => String(m.text).includes(`${incidentId} update from`));
    expect(posted).toHaveLength(1);
  });

  it('/comms draft: one draft', async () => {
    await twice(() => command('draft customer', '/comms'));
    expect(await count('comms_drafted')).toBe(1);
  });

  it('the update form: one update', async () => {
    await command('update');
    await until(() => local.slack.modal(ALICE), 10_000, 'the update form');
    await twice(() =>
      local.slack.submitView({
        user: ALICE,
        values: {
          update_impact: { impact: { type: 'plain_text_input', value: 'two transfers' } },
          update_containment: { containment: { type: 'plain_text_input', value: 'payments tool off' } },
          update_investigation: { investigation: { type: 'plain_text_input', value: 'reading the trace' } },
        },
      }),
    );
    expect(await count('update')).toBe(1);
  });

  it('the comms edit form: one new version', async () => {
    await command('draft customer', '/comms');
    const draft = await until(
      () =>
        local.slack
          .messages(channel)
          .find((m) => JSON.stringify(m.blocks ?? []).includes('quell_comms_edit')),
      10_000,
      'the draft with its Edit button',
    );
    await local.slack.clickAction({
      user: ALICE,
      container: { type: 'message', channel, ts: String(draft.ts) },
      actionId: 'quell_comms_edit',
    });
    const modal = await until(() => local.slack.modal(ALICE), 10_000, 'the edit form');
    const input = (
      modal.blocks as { type: string; block_id: string; element?: { action_id: string } }[]
    ).find((b) => b.type === 'input')!;
    await twice(() =>
      local.slack.submitView({
        user: ALICE,
        values: {
          [input.block_id]: {
            [input.element!.action_id]: {
              type: 'plain_text_input',
              value: 'We found a problem with refunds and stopped it. Your account is safe.',
            },
          },
        },
      }),
    );
    expect(await count('comms_edited')).toBe(1);
  });

  it('the "Add to incident timeline" shortcut: one entry', async () => {
    const [message] = local.slack.seedMessages(channel, [
      { user: LOCAL_IDS.bob, text: 'The vendor says both transfers landed.' },
    ]);
    await twice(() =>
      local.slack.messageShortcut({
        user: ALICE,
        channel,
        ts: message!.ts,
        callbackId: 'quell_add_to_timeline',
      }),
    );
    expect(await count('message_added')).toBe(1);
  });

  it('the containment Run button: one run, one request to the target', async () => {
    await command('kill-switch', '/contain');
    const confirmation = await until(
      () =>
        local.slack
          .ephemerals({ user: ALICE })
          .find((e) => JSON.stringify(e.blocks ?? []).includes('quell_containment_confirm')),
      10_000,
      'the Run confirmation',
    );
    await twice(() =>
      local.slack.clickAction({
        user: ALICE,
        container: { type: 'ephemeral', id: confirmation.id },
        actionId: 'quell_containment_confirm',
      }),
    );
    const runs = await local.runtime.services.containment.runs(incidentId);
    expect(runs.map((r) => [r.id, r.status])).toEqual([['r1', 'in_force']]);
    expect(await count('containment_executed')).toBe(1);
  });

  it('an Events API redelivery (X-Slack-Retry-Num) of app_home_opened publishes the Home tab once', async () => {
    local.slack.resetCalls();
    const before = proxy.answered.length;
    await twice(() => local.slack.openHome(ALICE));
    expect(proxy.answered.slice(before).some((a) => a.copy === 2 && a.retryNum === '1')).toBe(true);
    expect(local.slack.callCount('views.publish')).toBe(1);
  });
});
