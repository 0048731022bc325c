import { afterEach, describe, expect, it } from 'vitest';
import { GATE_ITEM_IDS } from '../../src/resolution/gate.js';
import { confirmToken } from '../containment/harness.js';
import { click } from './gate-helpers.js';
import { APPROVER, COMMANDER, type ResolutionHarness, resolutionHarness, TECH_LEAD } from './harness.js';

let h: ResolutionHarness;
afterEach(async () => {
  await h?.close();
});

// every gate item ticked by hand here; test/resolution/postmortem-sev1.test.ts has the evaluated gate
const CONFIG = `
responders:
  users: [${TECH_LEAD}]
resolution:
  gate:
    evaluated: { sev1: [], sev2: [], sev3: [], sev4: [] }
  postmortem:
    onResolve: true
containment:
  actions:
    revoke-mailbox-scope:
      adapter: recording
      description: Revoke the agent's mailbox.delete scope
`;

/**
 * A realistic SEV2 worked end to end through the real services (Slack faked): declared, roles and
 * agent facts, a structured update, a containment action with its audit, an approved and published
 * engineering update, a confirmed and categorized root cause, a reactivation plan, a corrective
 * action and the restart gate; then resolved. The postmortem is drafted from those records alone.
 */
describe('postmortem draft', () => {
  it('renders every section from the recorded data and posts it as a file in the channel on resolution', async () => {
    h = await resolutionHarness(CONFIG);
    const { services, clock } = h;
    const id = await h.declare({ severity: 'sev2', title: 'Support agent deletes customer mailboxes' });
    const channel = (await services.store.require(id)).channelId!;
    await services.incidents.assignRole(id, COMMANDER, 'tech-lead', TECH_LEAD);
    await services.incidents.setAgentFact(id, TECH_LEAD, 'name', 'support-agent');
    await services.incidents.setAgentFact(id, TECH_LEAD, 'model', 'model-x-2026-09');

    clock.advance(5 * 60_000);
    await services.reminders.updates.postUpdate(id, TECH_LEAD, {
      impact: '12 customer mailboxes deleted; restores from backup are possible.',
      containment: 'mailbox.delete scope revoked.',
      investigation: 'Facts: deletions came from tool calls after a ticket with injected instructions.',
      nextUpdateAt: null,
    });

    clock.advance(60_000);
    const incident = await services.store.require(id);
    const confirmation = await services.containment.requestRun({
      incident,
      user: COMMANDER,
      kind: 'action',
      name: 'revoke-mailbox-scope',
      args: {},
      dryRun: false,
    });
    await services.containment.confirm(confirmToken(confirmation), COMMANDER);

    clock.advance(60_000);
    const draft = await services.comms.draft(id, 'engineering', TECH_LEAD);
    await services.comms.approve({ incidentId: id, draftId: draft.id, version: 1, actor: COMMANDER });

    clock.advance(10 * 60_000);
    await services.comms.confirmRootCause(id, TECH_LEAD, 'mailbox.delete accepted a wildcard owner argument');
    await services.resolution.service.setRootCauseCategory(id, TECH_LEAD, 'tool-schema-mismatch');
    await services.incidents.setReactivationPlan(id, COMMANDER, [
      { stage: 'shadow', owner: TECH_LEAD, criteria: '48h of shadow runs' },
      { stage: 'limited', owner: COMMANDER, criteria: '10% of tickets' },
      { stage: 'full', owner: APPROVER, criteria: 'after a clean week' },
    ]);
    const action = await services.resolution.actions.add({
      incidentId: id,
      actor: COMMANDER,
      owner: TECH_LEAD,
      dueAt: new Date('2026-12-01T23:59:59Z'),
      text: 'Reject wildcard owners in the mailbox.delete tool schema',
    });
    await services.resolution.service.showGate(id);
    await click(
      services,
      id,
      TECH_LEAD,
      GATE_ITEM_IDS.filter((i) => i !== 'approval'),
    );
    clock.advance(60_000);
    await click(services, id, COMMANDER, [...GATE_ITEM_IDS]);
    h.slack.calls.length = 0;

    clock.advance(60_000);
    await services.resolution.service.resolve(id, COMMANDER);

    // after the incident's own notices (summary, status message): the checklist, then the file
    // (users.info: the draft names people by display name)
    expect(
      h.slack
        .methods()
        .filter((m) => m !== 'users.info')
        .slice(-3),
    ).toEqual(['chat.update', 'files.getUploadURLExternal', 'files.completeUploadExternal']);
    expect(h.slack.callsTo('chat.update').at(-1)!.params.text).toBe(`Restart gate for ${id}: resolved`);
    const complete = h.slack.callsTo('files.completeUploadExternal')[0]!.params;
    expect(complete).toMatchObject({
      channel_id: channel,
      files: [{ id: 'F0FILE0001', title: `${id} postmortem draft` }],
    });
    expect(h.slack.callsTo('files.getUploadURLExternal')[0]!.params.filename).toBe(
      `${id}-postmortem-draft.md`,
    );
    const markdown = h.slack.fileUploads[0]!.body;

    expect(markdown).toContain(`# Postmortem draft: ${id} Support agent deletes customer mailboxes`);
    expect(markdown).toContain('| Severity | SEV2 |');
    expect(markdown).toContain('| Status | resolved |');
    expect(markdown).toContain('| Declared | 14:00 UTC on 21 November 2026 by Cora Mander |');
    expect(markdown).toContain('| Resolved | 14:19 UTC on 21 November 2026 |');
    expect(markdown).toContain('| Duration | 19 minutes |');
    expect(markdown).toContain('| Technical lead | Tess Lead |');
    expect(markdown).toContain(
      '## Trigger\n\nThe support agent called mailbox.delete on 12 customer mailboxes after a prompt injection.',
    );
    expect(markdown).toContain('- Agent: support-agent\n- Version: not recorded\n- Model: model-x-2026-09');
    expect(markdown).toContain(
      'Last recorded impact: 12 customer mailboxes deleted; restores from backup are possible.',
    );
    // timeline: every event, in order, mentions made readable
    expect(markdown).toContain(
      '- 14:00 UTC on 21 November 2026 · Cora Mander: Declared SEV2: Support agent deletes customer mailboxes',
    );
    expect(markdown).toContain('Cora Mander: made Tess Lead technical lead');
    expect(markdown).toContain(
      'Tess Lead: confirmed the root cause: mailbox.delete accepted a wildcard owner argument',
    );
    // containment actions and results from the containment audit
    expect(markdown).toMatch(
      /\| 14:06 UTC on 21 November 2026 \| Cora Mander \| revoke-mailbox-scope \(recording\) \| [^|]+ \| executed \| ok/,
    );
    expect(markdown).toMatch(/\| revoke-mailbox-scope \(recording\) \| [^|]+ \| verified \| verified/);
    // comms sent, with the approved text
    expect(markdown).toContain(
      `- 14:07 UTC on 21 November 2026 · engineering v1 to #${channel}, approved by Cora Mander`,
    );
    expect(markdown).toContain(`  > *${id} engineering update`);
    // root cause: category from the gate, summary from /comms root-cause
    expect(markdown).toContain('- Category: Tool schema mismatch');
    expect(markdown).toContain(
      '- Confirmed by Tess Lead at 14:17 UTC on 21 November 2026: mailbox.delete accepted a wildcard owner argument',
    );
    // restart gate answers with who and when
    expect(markdown).toContain('Every required item was met before resolution.');
    expect(markdown).toContain(
      '- [x] Contained: the agent can no longer act (required): Tess Lead, 14:17 UTC on 21 November 2026',
    );
    expect(markdown).toContain('- [x] Guardrails changed: Tess Lead, 14:17 UTC on 21 November 2026');
    expect(markdown).toContain(
      '- [x] Severity owner approved the restart (required): Cora Mander, 14:18 UTC on 21 November 2026',
    );
    expect(markdown).toContain(
      '1. shadow: Tess Lead (48h of shadow runs)\n2. limited: Cora Mander (10% of tickets)\n3. full: Vera Prove (after a clean week)',
    );
    expect(markdown).toContain(
      `- [ ] ${action.id} Reject wildcard owners in the mailbox.delete tool schema: Tess Lead, due 23:59 UTC on 1 December 2026`,
    );
    expect(markdown).not.toMatch(/\[DRILL\]|<@|not yet|No containment action|No message was published/);

    const drafted = (await services.incidents.timeline(id)).find((e) => e.kind === 'postmortem_drafted')!;
    expect(drafted).toMatchObject({
      actor: COMMANDER,
      data: { fileIds: ['F0FILE0001'], bytes: Buffer.byteLength(markdown) },
    });
  });

  it('an override shows in the postmortem with its reason and what was missing; a failed upload is recorded', async () => {
    h = await resolutionHarness(CONFIG);
    const id = await h.declare({ severity: 'sev3' });
    await click(h.services, id, COMMANDER, ['contained']);
    h.slack.failNext('files.getUploadURLExternal', 'not_in_channel');
    await h.services.resolution.service.forceResolve(
      id,
      COMMANDER,
      'Rollback accepted: the records were test data.',
    );
    const events = await h.services.incidents.timeline(id);
    expect(events.at(-1)).toMatchObject({
      kind: 'postmortem_failed',
      data: { error: 'files.getUploadURLExternal failed: not_in_channel' },
    });

    const channel = (await h.services.store.require(id)).channelId!;
    const again = await h.command('postmortem', COMMANDER, channel);
    // said only once the channel is known to be the incident's
    expect(again.ack).toBeUndefined();
    expect(again.responses).toEqual([
      { response_type: 'ephemeral', text: `Drafting the postmortem of ${id}… it is posted here as a file.` },
    ]);
    const markdown = h.slack.fileUploads.at(-1)!.body;
    expect(markdown).toContain(
      '**Resolved with required items missing**, forced by Cora Mander at 14:00 UTC on 21 November 2026. Reason: Rollback accepted: the records were test data.. Missing: Affected records identified; Rollback complete, or explicitly accepted; Owner assigned for the fix.',
    );
    expect(markdown).toContain('No containment action was recorded.');
    expect(markdown).toContain('No message was published.');
    expect(markdown).toContain('- Category: TODO: not categorized yet');
  });
});
