import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { GATE_ITEM_IDS } from '../../src/resolution/gate.js';
import { confirmToken } from '../containment/harness.js';
import { click } from './gate-helpers.js';
import { COMMANDER, type ResolutionHarness, resolutionHarness } from './harness.js';

let h: ResolutionHarness;
afterEach(async () => {
  await h?.close();
});

const CONFIG = `
channels:
  announcement: C0ANNOUNCE
resolution:
  gate:
    evaluated: { sev1: [], sev2: [], sev3: [], sev4: [] }
  postmortem:
    onResolve: true
containment:
  actions:
    block-agent-key:
      adapter: litellm
      settings: { baseUrl: 'https://litellm.test' }
      secrets: { masterKey: LITELLM_MASTER_KEY, agentKey: AGENT_KEY }
comms:
  audiences:
    status-page:
      destination: C0STATUS
      approvers: { roles: [commander] }
`;

/** The channel a Slack call writes to, if any. */
function channelOf(params: Record<string, unknown>): string | undefined {
  return (params.channel ?? params.channel_id) as string | undefined;
}

describe('drills', () => {
  it('/incident declare --drill runs the same flow: containment dry, everything marked DRILL, nothing outside the channel', async () => {
    h = await resolutionHarness(CONFIG);
    const attempted: string[] = [];
    const onNoMatch = (req: { href?: string; hostname?: string }) =>
      attempted.push(String(req.href ?? req.hostname));
    nock.emitter.on('no match', onNoMatch);
    try {
      const { services } = h;
      const declared = await h.command(
        'declare --drill sev1 Support agent deletes mailboxes',
        COMMANDER,
        'C0GENERAL',
      );
      expect(declared.ack).toEqual({
        response_type: 'ephemeral',
        text: 'Declaring SEV1 incident: Support agent deletes mailboxes…',
      });
      const [incident] = await services.store.listActive();
      expect(incident).toMatchObject({ drill: true, severity: 'sev1' });
      const channel = incident!.channelId!;
      expect(declared.responses).toEqual([
        { response_type: 'ephemeral', text: `[DRILL] ${incident!.id} is open in <#${channel}>.` },
      ]);

      // containment: the real HTTP adapter is planned, audited, and never called
      const confirmation = await services.containment.requestRun({
        incident: incident!,
        user: COMMANDER,
        kind: 'action',
        name: 'block-agent-key',
        args: {},
        dryRun: false,
      });
      const report = await services.containment.confirm(confirmToken(confirmation), COMMANDER);
      expect(report).toMatchObject({ dryRun: true, drill: true });
      const audit = await services.containment.audit(incident!.id);
      expect(audit.map((e) => [e.event, e.dryRun])).toEqual([['dry_run', true]]);

      // comms: an audience configured for an outside channel stays in the incident channel
      await services.reminders.updates.postUpdate(incident!.id, COMMANDER, {
        impact: 'Drill: 12 test mailboxes deleted.',
        containment: 'Drill: key block rehearsed (dry run).',
        investigation: 'Drill: none.',
        nextUpdateAt: new Date(h.clock.now().getTime() + 30 * 60_000),
      });
      const draft = await services.comms.draft(incident!.id, 'status-page', COMMANDER);
      const approved = await services.comms.approve({
        incidentId: incident!.id,
        draftId: draft.id,
        version: 1,
        actor: COMMANDER,
      });
      expect(approved.publication).toMatchObject({ kind: 'published', channel, drill: true });

      // resolution through the gate, and its postmortem
      await services.resolution.service.showGate(incident!.id);
      await click(services, incident!.id, COMMANDER, [...GATE_ITEM_IDS]);
      const resolved = await h.command('status resolved', COMMANDER, channel);
      expect(resolved.responses).toEqual([]);
      expect((await services.store.require(incident!.id)).status).toBe('resolved');

      expect(attempted).toEqual([]);
      const writes = h.slack.calls.filter((c) => channelOf(c.params) !== undefined);
      expect(writes.length).toBeGreaterThan(10);
      expect([...new Set(writes.map((c) => channelOf(c.params)))]).toEqual([channel]);
      expect(h.slack.calls.some((c) => JSON.stringify(c.params).includes('C0ANNOUNCE'))).toBe(false);
      // the outside channel is only named (the draft and the publication say where it would have gone)
      const mentionsStatus = h.slack.calls.filter((c) => JSON.stringify(c.params).includes('C0STATUS'));
      expect(mentionsStatus.map((c) => [c.method, c.params.channel])).toEqual([
        ['chat.postMessage', channel],
        ['chat.postMessage', channel],
        ['chat.update', channel],
      ]);

      // everything a person reads is marked DRILL
      const unmarked = h.slack.calls
        .filter((c) =>
          [
            'chat.postMessage',
            'chat.update',
            'conversations.setTopic',
            'conversations.setPurpose',
            'files.completeUploadExternal',
          ].includes(c.method),
        )
        .map((c) => String(c.params.text ?? c.params.topic ?? c.params.purpose ?? c.params.initial_comment))
        .filter((text) => !text.includes('DRILL'));
      expect(unmarked).toEqual([]);
      expect(h.slack.fileUploads.at(-1)!.body).toMatch(/^# \[DRILL\] Postmortem draft/);
      expect(h.slack.fileUploads.at(-1)!.body).toContain('This was a drill: containment ran dry');
    } finally {
      nock.emitter.removeListener('no match', onNoMatch);
    }
  });
});
