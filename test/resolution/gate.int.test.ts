import { afterEach, describe, expect, it } from 'vitest';
import { GATE_ITEM_IDS, type GateItemId } from '../../src/resolution/gate.js';
import { GateBlockedError, NotPermittedError } from '../../src/resolution/service.js';
import { click, MANUAL_GATE, manualGateWith } from './gate-helpers.js';
import {
  APPROVER,
  COMMANDER,
  OUTSIDER,
  type ResolutionHarness,
  resolutionHarness,
  TECH_LEAD,
} from './harness.js';

let h: ResolutionHarness;
afterEach(async () => {
  await h?.close();
});

const ALL_BUT_APPROVAL = GATE_ITEM_IDS.filter((i) => i !== 'approval');

async function kinds(id: string) {
  return (await h.services.incidents.timeline(id)).map((e) => e.kind);
}

describe('restart gate per severity', () => {
  it('SEV3 needs its four items; refuses with the missing ones listed, then resolves once ticked', async () => {
    h = await resolutionHarness(MANUAL_GATE);
    const gate = h.services.resolution.service;
    const id = await h.declare({ severity: 'sev3' });
    const refusal = await gate.resolve(id, COMMANDER).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(GateBlockedError);
    expect((refusal as GateBlockedError).missing).toEqual([
      'contained',
      'records-identified',
      'rollback',
      'owner-assigned',
    ]);
    expect((refusal as GateBlockedError).userMessage).toContain(
      '• Contained: the agent can no longer act\n• Affected records identified\n• Rollback complete, or explicitly accepted\n• Owner assigned for the fix',
    );
    expect((await h.services.store.require(id)).status).toBe('investigating');

    await click(h.services, id, TECH_LEAD, ['contained', 'records-identified', 'rollback']);
    await expect(gate.resolve(id, COMMANDER)).rejects.toMatchObject({ missing: ['owner-assigned'] });
    h.clock.advance(60_000);
    await click(h.services, id, COMMANDER, ['contained', 'records-identified', 'rollback', 'owner-assigned']);
    const resolved = await gate.resolve(id, COMMANDER);
    expect(resolved.status).toBe('resolved');

    const events = await h.services.incidents.timeline(id);
    const ticks = events.filter((e) => e.kind === 'gate_ticked');
    expect(ticks.map((e) => [e.actor, e.data.item, e.at])).toEqual([
      [TECH_LEAD, 'contained', '2026-11-21T14:00:00.000Z'],
      [TECH_LEAD, 'records-identified', '2026-11-21T14:00:00.000Z'],
      [TECH_LEAD, 'rollback', '2026-11-21T14:00:00.000Z'],
      [COMMANDER, 'owner-assigned', '2026-11-21T14:01:00.000Z'],
    ]);
    expect(events.slice(-2).map((e) => e.kind)).toEqual(['gate_passed', 'status_changed']);
    // re-submitting the same boxes does not move who/when of earlier ticks
    expect((await gate.gate(resolved)).ticks.contained).toEqual({
      by: TECH_LEAD,
      at: '2026-11-21T14:00:00.000Z',
    });
  });

  it('SEV1 needs every item including approval, which only the commander or a configured approver may give', async () => {
    h = await resolutionHarness(
      manualGateWith(`    approvers:\n      users: [${APPROVER}]\n      roles: [commander]\n`),
    );
    const gate = h.services.resolution.service;
    const id = await h.declare({ severity: 'sev1' });
    await click(h.services, id, TECH_LEAD, ALL_BUT_APPROVAL);
    await expect(gate.resolve(id, COMMANDER)).rejects.toMatchObject({ missing: ['approval'] });

    await expect(click(h.services, id, TECH_LEAD, [...ALL_BUT_APPROVAL, 'approval'])).rejects.toBeInstanceOf(
      NotPermittedError,
    );
    expect((await gate.gate(await h.services.store.require(id))).ticks.approval).toBeUndefined();

    await click(h.services, id, APPROVER, [...ALL_BUT_APPROVAL, 'approval']);
    // an approver's withdrawal is also theirs alone
    await expect(click(h.services, id, OUTSIDER, ALL_BUT_APPROVAL)).rejects.toBeInstanceOf(NotPermittedError);
    expect((await gate.resolve(id, COMMANDER)).status).toBe('resolved');
    expect((await kinds(id)).filter((k) => k === 'gate_ticked')).toHaveLength(9);
  });

  it('SEV2 needs approval by default; SEV4 needs nothing; unticking takes an item back', async () => {
    h = await resolutionHarness(MANUAL_GATE);
    const gate = h.services.resolution.service;
    const sev2 = await h.declare({ severity: 'sev2' });
    const required: GateItemId[] = [
      'contained',
      'records-identified',
      'rollback',
      'evidence-archived',
      'owner-assigned',
      'root-cause',
      'tests-passed',
    ];
    await click(h.services, sev2, COMMANDER, [...required, 'approval']);
    await click(h.services, sev2, TECH_LEAD, [...required.filter((i) => i !== 'rollback'), 'approval']);
    await expect(gate.resolve(sev2, COMMANDER)).rejects.toMatchObject({ missing: ['rollback'] });
    const untick = (await h.services.incidents.timeline(sev2)).at(-1)!;
    expect(untick).toMatchObject({ kind: 'gate_unticked', actor: TECH_LEAD, data: { item: 'rollback' } });

    const sev4 = await h.declare({ severity: 'sev4' });
    expect((await gate.resolve(sev4, COMMANDER)).status).toBe('resolved');
  });

  it('follows the configured required items per severity', async () => {
    h = await resolutionHarness(manualGateWith('    required:\n      sev1: [contained]\n'));
    const gate = h.services.resolution.service;
    const id = await h.declare({ severity: 'sev1' });
    await expect(gate.resolve(id, COMMANDER)).rejects.toMatchObject({ missing: ['contained'] });
    await click(h.services, id, COMMANDER, ['contained']);
    expect((await gate.resolve(id, COMMANDER)).status).toBe('resolved');
  });
});

describe('override', () => {
  it('only the override role may force it, with a written reason, which is recorded', async () => {
    h = await resolutionHarness(MANUAL_GATE);
    const gate = h.services.resolution.service;
    const id = await h.declare({ severity: 'sev1' });
    await click(h.services, id, COMMANDER, ['contained', 'rollback']);
    await expect(gate.forceResolve(id, OUTSIDER, 'the agent is deleted for good')).rejects.toBeInstanceOf(
      NotPermittedError,
    );
    await expect(gate.forceResolve(id, COMMANDER, 'because')).rejects.toThrow(/at least 10 characters/);
    expect((await h.services.store.require(id)).status).toBe('investigating');

    const resolved = await gate.forceResolve(
      id,
      COMMANDER,
      'Agent decommissioned; it will never be restarted.',
    );
    expect(resolved.status).toBe('resolved');
    const [override, status] = (await h.services.incidents.timeline(id)).slice(-2);
    expect(override).toMatchObject({
      kind: 'gate_overridden',
      actor: COMMANDER,
      data: {
        reason: 'Agent decommissioned; it will never be restarted.',
        missing: [
          'records-identified',
          'evidence-archived',
          'owner-assigned',
          'root-cause',
          'guardrails',
          'tests-passed',
          'approval',
        ],
      },
    });
    expect(override!.text).toContain('overrode the restart gate (missing: Affected records identified;');
    expect(status).toMatchObject({ kind: 'status_changed', data: { from: 'investigating', to: 'resolved' } });
  });

  it('a configured override user group can force it; the commander then cannot', async () => {
    // the override group's member is also a responder (resolving is a responder's operation)
    h = await resolutionHarness(
      manualGateWith('    override:\n      usergroups: [S0INCLEADS]\n      roles: []\n').replace(
        `users: [${TECH_LEAD}]`,
        `users: [${TECH_LEAD}, ${APPROVER}]`,
      ),
    );
    h.slack.queue('usergroups.users.list', () => ({ body: { ok: true, users: [APPROVER] } }));
    h.slack.queue('usergroups.users.list', () => ({ body: { ok: true, users: [APPROVER] } }));
    const gate = h.services.resolution.service;
    const id = await h.declare({ severity: 'sev2' });
    await expect(gate.forceResolve(id, COMMANDER, 'rollback accepted by legal')).rejects.toBeInstanceOf(
      NotPermittedError,
    );
    expect((await gate.forceResolve(id, APPROVER, 'rollback accepted by legal')).status).toBe('resolved');
  });
});

describe('in Slack', () => {
  it('/incident resolve posts the checklist; ticking updates it; /incident status resolved is refused with the missing items', async () => {
    h = await resolutionHarness(MANUAL_GATE);
    const id = await h.declare({ severity: 'sev3' });
    const channel = (await h.services.store.require(id)).channelId!;
    h.slack.calls.length = 0;

    const shown = await h.command('resolve', COMMANDER, channel);
    expect(shown.ack).toBeUndefined();
    const [post] = h.slack.callsTo('chat.postMessage');
    expect(post!.params.channel).toBe(channel);
    const blocks = post!.params.blocks as {
      type: string;
      block_id?: string;
      elements?: {
        type: string;
        action_id: string;
        options?: { value: string }[];
        initial_options?: unknown[];
        value?: string;
      }[];
    }[];
    // the block id carries what this message shows ticked (nothing yet): see checklistBlockId
    const checklist = blocks.find((b) => b.block_id === 'gate_checklist~0')!.elements![0]!;
    expect(checklist).toMatchObject({ type: 'checkboxes', action_id: 'quell_gate_checklist' });
    expect(checklist.options!.map((o) => o.value)).toEqual([...GATE_ITEM_IDS]);
    expect(checklist.initial_options).toBeUndefined();
    expect(
      blocks.find((b) => b.block_id === 'gate_buttons')!.elements!.map((e) => [e.action_id, e.value]),
    ).toEqual([
      ['quell_gate_resolve', id],
      ['quell_gate_override', id],
    ]);
    expect(String(post!.params.text)).toBe(`Restart gate for ${id}: 4 required item(s) missing`);

    await click(h.services, id, COMMANDER, ['contained']);
    const update = h.slack.callsTo('chat.update').at(-1)!;
    expect(update.params.ts).toBeDefined();
    expect(JSON.stringify(update.params.blocks)).toContain(
      '"initial_options":[{"text":{"type":"mrkdwn","text":"Contained: the agent can no longer act *(required)*"},"value":"contained"',
    );

    const refused = await h.command('status resolved', COMMANDER, channel);
    expect(refused.responses).toEqual([
      {
        response_type: 'ephemeral',
        text: `:warning: ${id} cannot be resolved yet: the restart gate is missing\n• Affected records identified\n• Rollback complete, or explicitly accepted\n• Owner assigned for the fix\nTick the manual items in the checklist (\`/incident resolve\`); items checked from the record pass once the record shows them. Someone allowed to override can accept an item, or force the resolution, with a reason.`,
      },
    ]);
    expect((await h.services.store.require(id)).status).toBe('investigating');

    await click(h.services, id, COMMANDER, ['contained', 'records-identified', 'rollback', 'owner-assigned']);
    const accepted = await h.command('status resolved', COMMANDER, channel);
    expect(accepted.responses).toEqual([]);
    expect((await h.services.store.require(id)).status).toBe('resolved');
  });

  it('/incident reactivate-plan records the plan and the pinned summary shows it', async () => {
    h = await resolutionHarness(MANUAL_GATE);
    const id = await h.declare({ severity: 'sev2' });
    const channel = (await h.services.store.require(id)).channelId!;
    h.slack.calls.length = 0;
    const bad = await h.command('reactivate-plan full: <@U0ANA> now', COMMANDER, channel);
    expect(String((bad.ack as { text: string }).text)).toContain('three stages in this order');
    await h.command(
      `reactivate-plan shadow: <@${TECH_LEAD}> 2 days of shadow runs limited: <@${COMMANDER}> 10% of tickets full: <@${APPROVER}> after a clean week`,
      COMMANDER,
      channel,
    );
    const incident = await h.services.store.require(id);
    expect(incident.reactivationPlan?.steps.map((s) => s.stage)).toEqual(['shadow', 'limited', 'full']);
    const summary = JSON.stringify(h.slack.callsTo('chat.update').at(-1)!.params.blocks);
    expect(summary).toContain(
      `*Reactivation plan*\\n1. *Shadow*: <@${TECH_LEAD}> (2 days of shadow runs)\\n2. *Limited*: <@${COMMANDER}> (10% of tickets)\\n3. *Full*: <@${APPROVER}> (after a clean week)`,
    );
    expect((await kinds(id)).at(-1)).toBe('reactivation_plan');
  });
});
