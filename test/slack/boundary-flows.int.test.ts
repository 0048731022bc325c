import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/incidents/model.js';
import { gateResolveAction } from '../../src/slack/listeners/actions/resolution.js';
import { postUpdateAction } from '../../src/slack/listeners/actions/update-prompt.js';
import { incidentCommand } from '../../src/slack/listeners/commands/incident/index.js';
import { declareView } from '../../src/slack/listeners/views/declare.js';
import { updateView } from '../../src/slack/listeners/views/update.js';
import {
  actionArgs,
  commandArgs,
  invoke,
  listenerOf,
  slackPlatformError,
  viewArgs,
} from '../helpers/bolt-args.js';
import { useServices } from './services-env.js';

/** Slack's trigger_id is valid for 3 s; a modal must be open well inside it. */
const TRIGGER_WINDOW_MS = 3_000;
const USER = 'U0ALICE';

const env = useServices();

async function declare(title: string): Promise<Incident> {
  const { incident } = await env.services.incidents.declare({
    title,
    severity: 'sev2',
    declaredBy: USER,
    idempotencyKey: `flows-${title}`,
  });
  return incident;
}

function updateFormValues() {
  return {
    update_impact: { impact: { type: 'plain_text_input', value: 'one customer' } },
    update_containment: { containment: { type: 'plain_text_input', value: 'posting off' } },
    update_investigation: { investigation: { type: 'plain_text_input', value: 'reading logs' } },
    update_next: { next_update: { type: 'datetimepicker', selected_date_time: null } },
  };
}

describe('forms open inside the trigger window', () => {
  it('while the interactive lane is full of slow work (archives, rate-limited declares)', async () => {
    const incident = await declare('Agent loops on refunds');
    // slow promised work that holds worker slots until the test lets it go
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let slowDone = 0;
    for (let i = 0; i < 12; i++)
      await env.services.requests.accept('test slow-work', `slow-${i}`, {}, async () => {
        await held;
        slowDone += 1;
      });

    const opens: { what: string; ms: number }[] = [];
    const forms = [
      { what: 'declare', channel: 'C0GENERAL', text: 'declare' },
      { what: 'triage', channel: 'C0GENERAL', text: 'triage' },
      { what: 'update', channel: incident.channelId!, text: 'update' },
    ];
    for (const form of forms) {
      const call = commandArgs('/incident', form.text, { channel: form.channel, user: USER });
      const started = performance.now();
      await listenerOf(incidentCommand, env.services)(call.args);
      const [open] = call.callsTo('views.open');
      expect(open, form.what).toBeDefined();
      opens.push({ what: form.what, ms: performance.now() - started });
      expect(call.ack).toHaveBeenCalledWith();
    }
    const button = actionArgs(
      'quell_update_post',
      { value: JSON.stringify({ i: incident.id, d: incident.nextUpdateDueAt, o: incident.nextUpdateDueAt }) },
      { channel: incident.channelId!, user: USER },
    );
    const started = performance.now();
    await listenerOf(postUpdateAction, env.services)(button.args);
    expect(button.callsTo('views.open')).toHaveLength(1);
    opens.push({ what: 'post update button', ms: performance.now() - started });

    expect(slowDone).toBe(0); // the slow work is still queued: the forms did not wait for it
    for (const open of opens) expect(open.ms, open.what).toBeLessThan(TRIGGER_WINDOW_MS / 3);
    release();
    await env.services.requests.drain();
    expect(slowDone).toBe(12);
  });
});

describe('a declare form started in a channel Quell is not in', () => {
  it('still reaches the declarer, by DM, once the incident is open', async () => {
    const call = viewArgs(
      'quell_declare',
      {
        metadata: { channelId: 'C0NOTQUELLS' },
        values: {
          declare_title: { title: { type: 'plain_text_input', value: 'Agent emails customers' } },
          declare_severity: { severity: { type: 'static_select', selected_option: { value: 'sev2' } } },
        },
      },
      {
        user: USER,
        stubs: { 'chat.postEphemeral': () => Promise.reject(slackPlatformError('not_in_channel')) },
      },
    );
    await invoke(declareView, env.services, call.args);
    expect(call.ack).toHaveBeenCalledWith();
    expect(call.callsTo('chat.postEphemeral')[0]!.params).toMatchObject({
      channel: 'C0NOTQUELLS',
      user: USER,
    });
    const [dm] = call.callsTo('chat.postMessage');
    expect(dm!.params.channel).toBe(USER);
    expect(String(dm!.params.text)).toMatch(/^INC-\d+ is open in <#C\w+>\.$/);
  });
});

describe('bad metadata and a mismatched incident id', () => {
  it('non-JSON metadata on the update form is answered on the form and changes nothing', async () => {
    const incident = await declare('Agent deletes mailboxes');
    const before = await env.services.incidents.timeline(incident.id);
    const call = viewArgs('quell_update', {
      metadata: 'INC-1 please',
      values: updateFormValues(),
      blocks: [{ type: 'input', block_id: 'update_impact' }],
    });
    await invoke(updateView, env.services, call.args);
    expect(call.ack).toHaveBeenCalledWith({
      response_action: 'errors',
      errors: { update_impact: 'This form is out of date; open it again.' },
    });
    expect(await env.services.incidents.timeline(incident.id)).toEqual(before);
  });

  it('an update form naming another incident than its channel’s is refused with a message', async () => {
    const mine = await declare('Agent A misbehaves');
    const other = await declare('Agent B misbehaves');
    const before = [
      await env.services.incidents.timeline(mine.id),
      await env.services.incidents.timeline(other.id),
    ];
    const call = viewArgs(
      'quell_update',
      { metadata: { incidentId: other.id, channelId: mine.channelId }, values: updateFormValues() },
      { user: USER },
    );
    await invoke(updateView, env.services, call.args);
    const [told] = call.callsTo('chat.postEphemeral');
    expect(told!.params).toMatchObject({ channel: mine.channelId, user: USER });
    expect(String(told!.params.text)).toBe(
      `:warning: This belongs to ${other.id}, but this is ${mine.id}'s channel. Nothing was changed; use ${other.id}'s own channel.`,
    );
    expect([
      await env.services.incidents.timeline(mine.id),
      await env.services.incidents.timeline(other.id),
    ]).toEqual(before);
  });

  it('a Resolve button naming another incident than the channel’s is refused and resolves nothing', async () => {
    const mine = await declare('Agent C misbehaves');
    const other = await declare('Agent D misbehaves');
    const call = actionArgs(
      'quell_gate_resolve',
      { value: other.id },
      { channel: mine.channelId!, user: USER },
    );
    await invoke(gateResolveAction, env.services, call.args);
    expect(call.respond).toHaveBeenCalledWith({
      response_type: 'ephemeral',
      replace_original: false,
      text: expect.stringContaining(`This belongs to ${other.id}, but this is ${mine.id}'s channel.`),
    });
    expect((await env.services.incidents.require(other.id)).status).not.toBe('resolved');
    expect((await env.services.incidents.require(mine.id)).status).not.toBe('resolved');
  });

  it('a forged value that is not an incident id is answered as a stale button', async () => {
    const mine = await declare('Agent E misbehaves');
    const call = actionArgs(
      'quell_gate_resolve',
      { value: '{"i":"x"}' },
      { channel: mine.channelId!, user: USER },
    );
    await invoke(gateResolveAction, env.services, call.args);
    expect(call.respond).toHaveBeenCalledWith(
      expect.objectContaining({ text: expect.stringContaining('This checklist is out of date') }),
    );
    expect((await env.services.incidents.require(mine.id)).status).not.toBe('resolved');
  });
});

describe('the ack comes first, even when the worker is quicker', () => {
  it("a command's reply waits for its ack (here: an ack that takes 300 ms), though the job was queued before it", async () => {
    const call = commandArgs('/incident', 'note the agent is looping', {
      channel: 'C0NOTANINCIDENT',
      user: USER,
    });
    let ackedAt = 0;
    call.ack.mockImplementation(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      ackedAt = performance.now();
    });
    let answeredAt = 0;
    call.respond.mockImplementation(async () => {
      answeredAt = performance.now();
    });
    await listenerOf(incidentCommand, env.services)(call.args);
    await env.services.requests.drain();
    expect(call.respond).toHaveBeenCalledWith(
      expect.objectContaining({ text: expect.stringContaining('works inside an incident channel') }),
    );
    expect(ackedAt).toBeGreaterThan(0);
    expect(answeredAt).toBeGreaterThanOrEqual(ackedAt);
  });

  it('work accepted here without a listener ack waits at most the ack window, then runs', async () => {
    let ran = false;
    const never = new Promise<void>(() => {});
    const started = performance.now();
    await env.services.requests.accept(
      'test ack-window',
      `ack-window-${Date.now()}`,
      {},
      async () => {
        ran = true;
      },
      never,
    );
    await env.services.requests.drain();
    expect(ran).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2_900);
  });
});
