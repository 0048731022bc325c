import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateMessageBlocks } from '../../src/local/emulator/validate/index.js';
import { containmentViews } from '../../src/slack/blocks/containment.js';
import {
  containmentCancelAction,
  containmentConfirmAction,
  containmentReapplyAction,
  containmentRetryAction,
} from '../../src/slack/listeners/actions/containment.js';
import { containCommand, parseContainCommand } from '../../src/slack/listeners/commands/contain.js';
import { invoke, stubbedClient } from '../helpers/bolt-args.js';
import { COMMANDER, confirmToken, containmentHarness, type Harness, OUTSIDER, TECH_LEAD } from './harness.js';

/**
 * The /contain flow at the Slack boundary: listeners called directly with fake ack/respond (the
 * starter-template style), their after-ack work awaited, the Web API faked, asserting exactly what Slack receives.
 */
const CONTAINMENT = {
  actions: {
    'block-agent-key': { adapter: 'recording', description: "Block the support agent's model key" },
    'scale-workers': { adapter: 'recording', settings: { outcome: 'fail' } },
    'delete-openai-key': {
      adapter: 'recording',
      description: 'Delete the agent project key at OpenAI',
      settings: { irreversible: true, undoable: false, label: 'Delete OpenAI project key key_abc' },
    },
  },
  playbooks: { 'freeze-agent': { steps: [['block-agent-key', 'scale-workers']] } },
};

let harness: Harness;
afterEach(async () => {
  await harness?.close();
  // closed once: a test without a harness must not close the previous one again
  harness = undefined as unknown as Harness;
});

/** Each invocation has its own trigger id, as in Slack (the boundary dedupes work by it). */
let triggerSeq = 0;

function commandArgs(text: string, overrides: { user?: string; channel?: string } = {}) {
  const ack = vi.fn(async (_response?: unknown) => {});
  const respond = vi.fn(async (_message: unknown) => {});
  return {
    ack,
    respond,
    args: {
      command: {
        text,
        user_id: overrides.user ?? COMMANDER,
        channel_id: overrides.channel ?? harness.incident.channelId!,
        command: '/contain',
        response_url: 'https://hooks.slack.com/commands/T0QUELL/1/abc',
        trigger_id: `1.2.abc${++triggerSeq}`,
      },
      ack,
      respond,
      client: stubbedClient().client,
    } as never,
  };
}

function buttonArgs(actionId: string, value: string, user = COMMANDER) {
  const ack = vi.fn(async () => {});
  const respond = vi.fn(async (_message: unknown) => {});
  return {
    ack,
    respond,
    args: {
      ack,
      respond,
      // each press has its own action_ts, as in Slack (the boundary dedupes work by it)
      action: { action_id: actionId, value, type: 'button', action_ts: `1700000000.${++triggerSeq}` },
      body: { user: { id: user } },
      client: stubbedClient().client,
    } as never,
  };
}

describe('/contain parsing', () => {
  it('reads actions, arguments, playbooks, undo and the dry-run flag', () => {
    expect(parseContainCommand('')).toEqual({ kind: 'list' });
    expect(parseContainCommand('status')).toEqual({ kind: 'status' });
    expect(parseContainCommand('undo R3')).toEqual({ kind: 'undo', runId: 'r3' });
    expect(parseContainCommand('playbook freeze-agent --dry-run')).toEqual({
      kind: 'run',
      target: 'playbook',
      name: 'freeze-agent',
      args: {},
      dryRun: true,
    });
    expect(parseContainCommand('notify-killswitch reason=“deleted mailboxes” ticket=SEC-12')).toEqual({
      kind: 'run',
      target: 'action',
      name: 'notify-killswitch',
      args: { reason: 'deleted mailboxes', ticket: 'SEC-12' },
      dryRun: false,
    });
    expect(() => parseContainCommand('block-agent-key now')).toThrow(
      '"now" is not an argument; arguments look like key=value.',
    );
    expect(() => parseContainCommand('undo 3')).toThrow('"3" is not a run id');
  });
});

describe('/contain in Slack', () => {
  it('lists the catalog in the ack itself', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { ack, respond, args } = commandArgs('');
    await invoke(containCommand, harness.services, args);
    expect(respond).not.toHaveBeenCalled();
    const reply = ack.mock.calls[0]![0] as { response_type: string; blocks: unknown[]; text: string };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe('Containment: 3 actions, 1 playbook');
    const blocks = JSON.stringify(reply.blocks);
    expect(blocks).toContain("• `block-agent-key` — Block the support agent's model key");
    expect(blocks).toContain(
      '`delete-openai-key` — Delete the agent project key at OpenAI\\n    _Delete OpenAI project key key_abc_ (*irreversible* · recording)',
    );
    expect(blocks).toContain('• `freeze-agent` — [block-agent-key + scale-workers]');
    expect(harness.slack.calls).toEqual([]);
  });

  it('answers bad input in the ack with the usage and changes nothing', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { ack, respond, args } = commandArgs('undo everything');
    await invoke(containCommand, harness.services, args);
    expect(ack).toHaveBeenCalledWith({
      response_type: 'ephemeral',
      text: ':warning: "everything" is not a run id; run ids look like r3 (one action) or p1 (a playbook run).\nUsage: `/contain undo <run-id>`',
    });
    expect(respond).not.toHaveBeenCalled();
    expect(await harness.services.containment.audit(harness.incident.id)).toEqual([]);
  });

  it('outside an incident channel it says where it works', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { respond, args } = commandArgs('block-agent-key', { channel: 'C0GENERAL' });
    await invoke(containCommand, harness.services, args);
    expect(respond).toHaveBeenCalledWith({
      response_type: 'ephemeral',
      text: ':warning: `/contain` works inside an incident channel. Run it there, or declare one with `/incident declare`.',
    });
  });

  it('refuses an unauthorized person with an ephemeral message', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { ack, respond, args } = commandArgs('block-agent-key', { user: OUTSIDER });
    await invoke(containCommand, harness.services, args);
    expect(ack).toHaveBeenCalledWith();
    const reply = respond.mock.calls[0]![0] as { response_type: string; text: string };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/^:warning: You are not authorized to run `block-agent-key`/);
    expect(harness.slack.calls).toEqual([]);
  });

  it('confirm → run → result in the channel: exact Slack calls', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { incident, slack, services } = harness;
    const command = commandArgs('block-agent-key');
    await invoke(containCommand, services, command.args);
    expect(command.ack).toHaveBeenCalledWith();
    const confirmation = command.respond.mock.calls[0]![0] as {
      response_type: string;
      text: string;
      blocks: never[];
    };
    expect(confirmation.response_type).toBe('ephemeral');
    expect(confirmation.text).toBe('Run block-agent-key: confirm or cancel');
    const token = confirmToken(confirmation);
    expect(confirmation.blocks).toContainEqual({
      type: 'actions',
      block_id: 'containment_confirm',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Run', emoji: true },
          action_id: 'quell_containment_confirm',
          value: token,
          style: 'danger',
        },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Cancel', emoji: true },
          action_id: 'quell_containment_cancel',
          value: token,
        },
      ],
    });
    expect(slack.calls).toEqual([]);

    const button = buttonArgs('quell_containment_confirm', token);
    await invoke(containmentConfirmAction, services, button.args);
    expect(button.ack).toHaveBeenCalledOnce();
    expect(button.respond.mock.calls.map((c) => c[0])).toEqual([
      {
        replace_original: true,
        text: ':hourglass_flowing_sand: Confirmed. Running now; results are posted in the channel.',
      },
      { replace_original: true, text: ':white_check_mark: Action block-agent-key: done; see the channel.' },
    ]);
    expect(slack.methods()).toEqual(['chat.postMessage', 'chat.update']);
    const [post] = slack.callsTo('chat.postMessage');
    expect(post!.params).toMatchObject({
      channel: incident.channelId,
      text: 'Containment Action block-agent-key: running',
    });
    const update = slack.callsTo('chat.update')[0]!.params;
    expect(update).toMatchObject({
      channel: incident.channelId,
      text: 'Containment Action block-agent-key: done, all verified',
    });
    // the same message is updated in place (the fake numbers timestamps 1700000000.000001, ...)
    expect(update.ts).toMatch(/^1700000000\.0000\d\d$/);
    const blocks = update.blocks as { text?: { text: string }; elements?: { text: string }[] }[];
    expect(blocks[0]!.text!.text).toMatch(
      /^\*Containment: Action block-agent-key\* — done, all verified · by <@U0COMMANDER> · \d+\.\d\d s$/,
    );
    expect(blocks[1]!.text!.text).toMatch(
      /^:large_green_circle: \*block-agent-key\* `r1` — ok: recorded · :white_check_mark: verified \(in force\) · \d+\.\d\d s$/,
    );
    expect(blocks[2]!.elements![0]!.text).toBe(
      'Undo: `/contain undo r1` · `/contain status` lists controls in force',
    );
  });

  it('an irreversible action is confirmed with its consequence in bold and Slack’s own second dialog', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const command = commandArgs('delete-openai-key');
    await invoke(containCommand, harness.services, command.args);
    const confirmation = command.respond.mock.calls[0]![0] as {
      blocks: { type: string; text?: { text: string }; elements?: Record<string, unknown>[] }[];
    };
    expect(confirmation.blocks[1]!.text!.text).toBe(
      ':warning: *IRREVERSIBLE:* *delete-openai-key cannot be undone (simulated).*',
    );
    const run = confirmation.blocks.find((b) => b.type === 'actions')!.elements![0]!;
    expect(run.text).toEqual({ type: 'plain_text', text: 'Run: I accept it is irreversible', emoji: true });
    expect(run.confirm).toEqual({
      title: { type: 'plain_text', text: 'This cannot be undone', emoji: true },
      text: { type: 'mrkdwn', text: 'delete-openai-key cannot be undone (simulated).' },
      confirm: { type: 'plain_text', text: 'Delete for good', emoji: true },
      deny: { type: 'plain_text', text: 'Keep it', emoji: true },
      style: 'danger',
    });
  });

  it('a partial playbook failure offers Retry, which asks the presser to confirm again', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, slack } = harness;
    const command = commandArgs('playbook freeze-agent');
    await invoke(containCommand, services, command.args);
    const button = buttonArgs(
      'quell_containment_confirm',
      confirmToken(command.respond.mock.calls[0]![0] as never),
    );
    await invoke(containmentConfirmAction, services, button.args);
    expect(button.respond.mock.calls[1]![0]).toEqual({
      replace_original: true,
      text: ':warning: Playbook freeze-agent (p1): 1 step(s) failed; see the channel for details and Retry.',
    });
    const final = slack.callsTo('chat.update').at(-1)!.params;
    const failedBlock = (final.blocks as { accessory?: { action_id: string; value: string } }[]).find(
      (b) => b.accessory,
    )!;
    expect(failedBlock.accessory).toMatchObject({
      action_id: 'quell_containment_retry',
      value: `${harness.incident.id}|r2`,
    });

    const retry = buttonArgs('quell_containment_retry', failedBlock.accessory!.value);
    await invoke(containmentRetryAction, services, retry.args);
    const prompt = retry.respond.mock.calls[0]![0] as {
      response_type: string;
      replace_original: boolean;
      text: string;
    };
    expect(prompt).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'Retry scale-workers (r2): confirm or cancel',
    });
  });

  it('Cancel replaces the prompt and runs nothing', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const command = commandArgs('block-agent-key');
    await invoke(containCommand, harness.services, command.args);
    const cancel = buttonArgs(
      'quell_containment_cancel',
      confirmToken(command.respond.mock.calls[0]![0] as never),
    );
    await invoke(containmentCancelAction, harness.services, cancel.args);
    expect(cancel.respond).toHaveBeenCalledWith({
      replace_original: true,
      text: 'Cancelled: nothing was run.',
    });
    expect(harness.slack.calls).toEqual([]);
    expect((await harness.services.containment.audit(harness.incident.id)).map((e) => e.event)).toEqual([
      'cancelled',
    ]);
  });

  it('/contain status lists the controls in force', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services } = harness;
    const command = commandArgs('block-agent-key');
    await invoke(containCommand, services, command.args);
    await invoke(
      containmentConfirmAction,
      services,
      buttonArgs('quell_containment_confirm', confirmToken(command.respond.mock.calls[0]![0] as never)).args,
    );
    const status = commandArgs('status');
    await invoke(containCommand, services, status.args);
    const reply = status.respond.mock.calls[0]![0] as { text: string; blocks: { text?: { text: string } }[] };
    expect(reply.text).toBe(`1 containment control(s) in force for ${harness.incident.id}`);
    expect(reply.blocks[1]!.text!.text).toMatch(
      /^• `r1` \*block-agent-key\* — in force since <!date\^\d+\^\{time\}\|2026-11-21 14:00 UTC> by <@U0COMMANDER> · Record block-agent-key \(no real target\) · verified \(in force\) · undo: `\/contain undo r1`$/,
    );
  });
});

describe('drift alert and its Re-apply button', () => {
  it('posts a valid alert in the channel; Re-apply runs once and tells the presser, a second press is told it was used', async () => {
    harness = await containmentHarness({
      containment: {
        actions: { 'flaky-flag': { adapter: 'recording', settings: { outcome: 'not-verified' } } },
      },
    });
    const { services, incident, slack } = harness;
    const token = confirmToken(
      await services.containment.requestRun({
        incident,
        user: COMMANDER,
        kind: 'action',
        name: 'flaky-flag',
        args: {},
        dryRun: false,
      }),
    );
    await services.containment.confirm(token, COMMANDER);
    slack.calls.length = 0;
    await services.containment.reverify(incident.id);
    const alert = slack.callsTo('chat.postMessage')[0]!;
    expect(alert.params.text).toBe('Containment drift: flaky-flag (r1) no longer holds');
    expect(validateMessageBlocks(alert.params.blocks)).toMatchObject({ ok: true });
    const actions = (
      alert.params.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    ).find((b) => b.type === 'actions')!;
    expect(actions.elements![0]!.action_id).toBe('quell_containment_reapply');

    const press = buttonArgs('quell_containment_reapply', actions.elements![0]!.value);
    await invoke(containmentReapplyAction, services, press.args);
    expect(press.ack).toHaveBeenCalled();
    expect(JSON.stringify(press.respond.mock.calls)).toContain('Re-apply flaky-flag (r1)');
    expect(slack.callsTo('chat.postMessage').at(-1)!.params.text).toMatch(
      /^Containment Re-apply flaky-flag \(r1\)/,
    );

    const again = buttonArgs('quell_containment_reapply', actions.elements![0]!.value, TECH_LEAD);
    await invoke(containmentReapplyAction, services, again.args);
    expect(JSON.stringify(again.respond.mock.calls)).toContain('already used');
    const reapplied = (await services.containment.audit(incident.id)).filter((e) => e.event === 'reapplied');
    expect(reapplied.length).toBeGreaterThan(0);
    expect(new Set(reapplied.map((e) => e.actor))).toEqual(new Set([COMMANDER]));
  });
});

describe('drift and status blocks at their worst', () => {
  it('a drift alert with a very long read-back (100 pods) and an 11-character W… user stays valid Block Kit', () => {
    const views = containmentViews();
    const observed = `replicas 0; 100 pod(s) still running after 60 s: ${Array.from({ length: 100 }, (_, i) => `support-agent-7d9c5b8f6d-${String(i).padStart(5, 'x')}`).join(', ')}`;
    const alert = views.drift({
      incidentId: 'INC-99999',
      runId: 'r123',
      action: 'scale-down-agent-workers-in-every-region',
      target: 'Scale Deployment agents/support-agent to 0 <script>&',
      observed,
      since: '2026-11-21T14:05:00.000Z',
      token: 'A'.repeat(16),
      playbook: { name: 'freeze-agent', id: 'p12' },
    });
    expect(validateMessageBlocks(alert.blocks)).toMatchObject({ ok: true });
    expect(JSON.stringify(alert.blocks)).toContain('&lt;script&gt;&amp;');
  });
});
