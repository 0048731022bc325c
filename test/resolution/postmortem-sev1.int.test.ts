import { afterEach, describe, expect, it } from 'vitest';
import { confirmToken } from '../containment/harness.js';
import { message, tempEvidenceDir } from '../evidence/helpers.js';
import { click } from './gate-helpers.js';
import { APPROVER, COMMANDER, type ResolutionHarness, resolutionHarness, TECH_LEAD } from './harness.js';

let h: ResolutionHarness;
let storage: Awaited<ReturnType<typeof tempEvidenceDir>> | undefined;
afterEach(async () => {
  await h?.close();
  await storage?.remove();
});

const config = (dir: string) => `
responders:
  users: [${TECH_LEAD}]
resolution:
  gate:
    approvers:
      users: [${APPROVER}]
  postmortem:
    onResolve: true
evidence:
  storage:
    directory: ${JSON.stringify(dir)}
  archiveOnResolve: false
containment:
  actions:
    revoke-mailbox-scope:
      adapter: recording
      description: Revoke the agent's mailbox.delete scope
    pause-support-queue:
      adapter: recording
      description: Pause the agent's ticket queue
`;

/**
 * A realistic SEV1 resolved on the record: the agent started misbehaving before anyone declared,
 * two controls contain it, the channel is archived as evidence, every changed mailbox is in the
 * rollback inventory, the root cause is confirmed and the fix has an owner. The restart gate passes
 * with only the manual items ticked, and the postmortem names people, links the bundle and lists
 * the inventory and the containment audit.
 */
describe('postmortem of a realistic SEV1', () => {
  it('shows display names, the bundle, the inventory, the containment audit and when it started', async () => {
    storage = await tempEvidenceDir();
    h = await resolutionHarness(config(storage.dir));
    const { services, clock } = h;
    const { incident } = await services.incidents.declare({
      title: 'Support agent deletes customer mailboxes',
      severity: 'sev1',
      description: 'The support agent called mailbox.delete on customer mailboxes after a prompt injection.',
      declaredBy: COMMANDER,
      startedAt: new Date('2026-11-21T13:20:00Z'),
      agent: { name: 'support-agent', model: 'model-x-2026-09', environment: 'production' },
      idempotencyKey: 'declare-sev1-postmortem',
    });
    const id = incident.id;
    const channel = incident.channelId!;
    h.slack.seedChannel(channel, [
      message(20, COMMANDER, `<@${TECH_LEAD}> can you pull the mailbox audit log?`),
      message(80, TECH_LEAD, '3 mailboxes deleted, 1 export emailed out'),
    ]);
    await services.incidents.assignRole(id, COMMANDER, 'tech-lead', TECH_LEAD);

    clock.advance(3 * 60_000);
    for (const name of ['revoke-mailbox-scope', 'pause-support-queue']) {
      const confirmation = await services.containment.requestRun({
        incident: await services.store.require(id),
        user: TECH_LEAD,
        kind: 'action',
        name,
        args: {},
        dryRun: false,
      });
      await services.containment.confirm(confirmToken(confirmation), TECH_LEAD);
    }

    clock.advance(5 * 60_000);
    const gate = services.resolution.service;
    for (const [objectId, state, note] of [
      ['mbx-1001 (acme-billing@)', 'reversed', 'restored from the 13:00 backup'],
      ['mbx-1002 (acme-ops@)', 'reversed', 'restored from the 13:00 backup'],
    ] as const)
      await gate.recordAffected(id, TECH_LEAD, {
        system: 'mail',
        objectId,
        change: 'mailbox deleted',
        before: 'active, 4.1 GB',
        after: 'deleted',
        reversible: true,
        state,
        note,
      });
    await gate.recordAffected(id, TECH_LEAD, {
      system: 'mail',
      objectId: 'export-77',
      change: 'mailbox export emailed to an outside address',
      reversible: false,
      state: 'accepted',
      note: 'a sent email cannot be recalled',
      disclosure: `legal notified the customer at 14:25 UTC; <@${COMMANDER}> filed the breach report`,
    });

    clock.advance(2 * 60_000);
    await services.comms.confirmRootCause(id, TECH_LEAD, 'mailbox.delete accepted a wildcard owner argument');
    await gate.setRootCauseCategory(id, TECH_LEAD, 'tool-schema-mismatch');
    await services.resolution.actions.add({
      incidentId: id,
      actor: COMMANDER,
      owner: TECH_LEAD,
      dueAt: new Date('2026-12-01T23:59:59Z'),
      text: 'Reject wildcard owners in the mailbox.delete tool schema',
    });
    clock.advance(60_000);
    await services.evidence.archive({ incidentId: id, actor: COMMANDER, trigger: 'command' });
    const archived = (await services.incidents.timeline(id)).find((e) => e.kind === 'evidence_archived')!;
    expect(String(archived.data.location)).toBe(`${storage.dir}/${id}/v1`);
    expect(String(archived.data.manifestSha256)).toMatch(/^[0-9a-f]{64}$/);

    // every evaluated item passes from the record; only the manual ones are ticked
    await gate.showGate(id);
    await click(services, id, TECH_LEAD, ['records-identified', 'guardrails', 'tests-passed']);
    await click(services, id, APPROVER, ['records-identified', 'guardrails', 'tests-passed', 'approval']);
    const state = await gate.gate(await services.store.require(id));
    expect(state.missing).toEqual([]);
    expect(state.items.filter((i) => i.mode === 'evaluated').map((i) => [i.id, i.check?.ok])).toEqual([
      ['contained', true],
      ['rollback', true],
      ['evidence-archived', true],
      ['owner-assigned', true],
      ['root-cause', true],
    ]);
    clock.advance(60_000);
    await gate.resolve(id, COMMANDER);

    const markdown = h.slack.fileUploads.at(-1)!.body;
    // people by display name; their ids stay in the raw evidence only
    expect(markdown).not.toMatch(/U0COMMANDER|U0TECHLEAD|U0VPAPPROVE|<@/);
    expect(markdown).toContain('| Declared | 14:00 UTC on 21 November 2026 by Cora Mander |');
    expect(markdown).toContain('| Technical lead | Tess Lead |');
    expect(markdown).toContain('| Commander | Cora Mander |');
    // when it started, and the impact window from then
    expect(markdown).toContain('| Started | 13:20 UTC on 21 November 2026 |');
    expect(markdown).toContain(
      '| Impact window | 13:20 UTC on 21 November 2026 to 14:12 UTC on 21 November 2026 |',
    );
    // the evidence bundle, linked with its manifest hash
    expect(markdown).toContain(
      `| Evidence | bundle v1 at \`${archived.data.location}\` (manifest SHA-256 \`${archived.data.manifestSha256}\`, 14:11 UTC on 21 November 2026) |`,
    );
    // the containment audit, summarised, then in full
    expect(markdown).toMatch(
      /\d audit entries: (2 started, )?2 executed, 2 verified; in force now: r1 revoke-mailbox-scope, r2 pause-support-queue\./,
    );
    expect(markdown).toMatch(/\| Tess Lead \| revoke-mailbox-scope \(recording\) \|/);
    // the rollback inventory
    expect(markdown).toContain('3 affected objects: 2 reversed, 1 accepted as irreversible, 0 still open.');
    expect(markdown).toContain(
      '| mail/mbx-1001 (acme-billing@) | mailbox deleted | active, 4.1 GB → deleted | yes | reversed | restored from the 13:00 backup |  |',
    );
    expect(markdown).toContain(
      '| mail/export-77 | mailbox export emailed to an outside address | ? → ? | no | accepted | a sent email cannot be recalled | legal notified the customer at 14:25 UTC; Cora Mander filed the breach report |',
    );
    // the gate as the record showed it
    expect(markdown).toContain(
      '- [x] Contained: the agent can no longer act (required) · checked from the record: 2 controls in force, all verified (r1, r2) (as of 14:03 UTC on 21 November 2026)',
    );
    expect(markdown).toContain(
      '- [x] Evidence archived (required) · checked from the record: v1, manifest verified (as of 14:11 UTC on 21 November 2026)',
    );
    expect(markdown).toContain(
      '- [x] Owner assigned for the fix (required) · checked from the record: 1 corrective action, each with an owner (A1 Tess Lead)',
    );
    expect(markdown).toContain(
      '- [x] Root cause understood enough to remediate (required) · checked from the record: confirmed by Tess Lead: mailbox.delete accepted a wildcard owner argument (as of 14:10 UTC on 21 November 2026)',
    );
    expect(markdown).toContain(
      '- [x] Severity owner approved the restart (required): Vera Prove, 14:11 UTC on 21 November 2026',
    );
    expect(markdown).toContain(
      'Tess Lead: confirmed the root cause: mailbox.delete accepted a wildcard owner argument',
    );
  });
});
