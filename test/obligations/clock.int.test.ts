import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { GateBlockedError } from '../../src/resolution/index.js';
import { startWorkers } from '../../src/services.js';
import { tempEvidenceDir } from '../evidence/helpers.js';
import { eventually } from '../helpers/eventually.js';
import type { SlackCall } from '../helpers/fake-slack-api.js';
import { buildTestServices, type TestServices } from '../helpers/services.js';

/**
 * An EU AI Act Art. 73 obligation on the real job runtime (reminder worker on a private Redis):
 * reminders at its offsets, the escalation when the deadline passes unmet, the restart gate held
 * until it is submitted or waived, and the record in the postmortem and the evidence bundle.
 */
const DAY = 86_400_000;
const LEGAL = 'C0LEGAL001';
const COMMANDER = 'U0ALICE';
const yaml = (dir: string) => `
responders:
  users: [U0LEGAL01]
evidence:
  storage:
    directory: ${JSON.stringify(dir)}
resolution:
  postmortem:
    onResolve: true
obligations:
  proposeOnDeclare: true
  channel: ${LEGAL}
  escalateTo:
    users: [U0COUNSEL]
  types:
    ai-act-art73:
      reminders: [4s, 2s]
`;

const textOf = (c: SlackCall) => `${String(c.params.text)} ${JSON.stringify(c.params.blocks ?? '')}`;
const posts = (t: TestServices, needle: string) =>
  t.slack.callsTo('chat.postMessage').filter((c) => textOf(c).includes(needle));

describe('notification obligations (EU AI Act Art. 73)', () => {
  let t: TestServices;
  let evidenceDir: Awaited<ReturnType<typeof tempEvidenceDir>>;

  beforeEach(async () => {
    evidenceDir = await tempEvidenceDir();
    t = await buildTestServices({ yaml: yaml(evidenceDir.dir), clock: systemClock });
    await startWorkers(t.services, { lanes: ['background'] });
  });

  afterEach(async () => {
    await t.cleanup();
    await evidenceDir.remove();
  });

  it('reminds at its offsets, escalates when missed, blocks resolution until submitted, and is in the postmortem and the bundle', async () => {
    const { services } = t;
    // SEV4: the configured gate requires nothing, so the obligation is what holds the restart
    const { incident } = await services.incidents.declare({
      title: 'Agent denied benefits to eligible applicants',
      severity: 'sev4',
      declaredBy: COMMANDER,
      idempotencyKey: 'o1',
    });
    const channel = incident.channelId!;
    // awareness 15 days ago less 6 seconds: the 15-day deadline is 6 s away
    const awareAt = new Date(Date.now() - 15 * DAY + 6_000);
    const added = await services.obligations.add(incident.id, COMMANDER, { type: 'ai-act-art73', awareAt });
    expect(added).toMatchObject({
      type: 'ai-act-art73',
      status: 'open',
      drill: false,
      phased: true,
      awareAt: awareAt.toISOString(),
      deadlineAt: new Date(awareAt.getTime() + 15 * DAY).toISOString(),
    });
    expect(added.citation).toContain('Art. 73(2)');
    expect(added.citation).toContain('https://eur-lex.europa.eu/eli/reg/2024/1689/oj');
    const deadlineMs = Date.parse(added.deadlineAt);
    const deadlineToken = `<!date^${Math.floor(deadlineMs / 1000)}^`;

    // the pinned summary shows it, with the deadline as a date token (each reader's time zone)
    const summary = await eventually(() => {
      const update = t.slack
        .callsTo('chat.update')
        .find((c) => c.params.ts === incident.summaryTs && textOf(c).includes('Notification deadlines'));
      expect(update).toBeDefined();
      return update!;
    });
    expect(textOf(summary)).toContain(deadlineToken);
    expect(textOf(summary)).toContain('EU AI Act serious-incident report');

    // two reminders (4 s and 2 s before), each once, in the incident channel and legal's
    const reminders = await eventually(() => {
      const list = posts(t, 'is due').filter((c) => textOf(c).includes('serious-incident report for'));
      expect(list).toHaveLength(4);
      return list;
    }, 8_000);
    expect(reminders.map((c) => c.params.channel).sort()).toEqual([channel, channel, LEGAL, LEGAL].sort());
    expect(Date.now()).toBeLessThan(deadlineMs + 500);
    // then the escalation at the deadline: commander and counsel, both channels
    const escalations = await eventually(() => {
      const list = posts(t, 'Deadline missed');
      expect(list).toHaveLength(2);
      return list;
    }, 6_000);
    expect(Date.now()).toBeGreaterThanOrEqual(deadlineMs);
    expect(String(escalations[0]!.params.text)).toContain(`<@${COMMANDER}> <@U0COUNSEL>`);
    // on the timeline once each (recorded right after the posts)
    await eventually(async () => {
      const timeline = await services.incidents.timeline(incident.id);
      expect(timeline.filter((e) => e.kind === 'obligation_reminded').map((e) => e.data.beforeMs)).toEqual([
        4_000, 2_000,
      ]);
      expect(timeline.filter((e) => e.kind === 'obligation_overdue')).toHaveLength(1);
    });

    // the restart gate holds the resolution while it is open
    const gate = await services.resolution.service.gate(await services.store.require(incident.id));
    expect(gate.missing).toEqual(['obligations']);
    expect(gate.items.find((i) => i.id === 'obligations')!.check!.reason).toContain(
      'EU AI Act serious-incident report',
    );
    await expect(services.resolution.service.resolve(incident.id, COMMANDER)).rejects.toBeInstanceOf(
      GateBlockedError,
    );
    expect((await services.store.require(incident.id)).status).not.toBe('resolved');

    // submitted with its reference: the gate passes, the record says who and when
    const submitted = await services.obligations.submit(incident.id, COMMANDER, {
      type: 'ai-act-art73',
      reference: 'MSA-2026-0042',
    });
    expect(submitted).toMatchObject({
      status: 'submitted',
      submitted: { by: COMMANDER, reference: 'MSA-2026-0042' },
    });
    const event = (await services.incidents.timeline(incident.id)).find(
      (e) => e.kind === 'obligation_submitted',
    )!;
    expect(event.data).toMatchObject({
      type: 'ai-act-art73',
      by: COMMANDER,
      reference: 'MSA-2026-0042',
      onTime: false,
    });

    // the bundle holds what was submitted, when, by whom, with the reference
    t.slack.seedChannel(channel, []);
    const archived = await services.evidence.archive({
      incidentId: incident.id,
      actor: COMMANDER,
      trigger: 'command',
    });
    const lines = (await readFile(join(archived.reservation.location, 'obligations.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        type: 'ai-act-art73',
        status: 'submitted',
        deadlineAt: added.deadlineAt,
        submitted: { at: submitted.submitted!.at, by: COMMANDER, reference: 'MSA-2026-0042' },
      }),
    ]);

    // resolving now passes the gate and drafts the postmortem with the obligation in it
    await services.resolution.service.resolve(incident.id, COMMANDER);
    const markdown = await eventually(() => {
      const upload = t.slack.fileUploads.find((f) => f.body.includes('## Notification obligations'));
      expect(upload).toBeDefined();
      return upload!.body;
    });
    expect(markdown).toMatch(
      /\| EU AI Act serious-incident report \(`ai-act-art73`\) \| market surveillance authority/,
    );
    expect(markdown).toContain('| MSA-2026-0042 |');
    expect(markdown).toContain('(late or missing)');
    expect(markdown).toContain('Art. 73(2)');

    // no timer posts anything more once it is submitted
    const count = t.slack
      .callsTo('chat.postMessage')
      .filter((c) => textOf(c).includes('serious-incident')).length;
    await new Promise((r) => setTimeout(r, 500));
    expect(
      t.slack.callsTo('chat.postMessage').filter((c) => textOf(c).includes('serious-incident')),
    ).toHaveLength(count);
  }, 40_000);

  it('a waiver needs someone allowed and a reason; it settles the gate item, and stops the reminders', async () => {
    const { services } = t;
    const { incident } = await services.incidents.declare({
      title: 'Agent exported a customer list',
      severity: 'sev4',
      declaredBy: COMMANDER,
      idempotencyKey: 'o2',
    });
    await services.obligations.add(incident.id, COMMANDER, {
      type: 'gdpr-art33',
      awareAt: new Date(Date.now() - 72 * 3_600_000 + 3_000),
    });
    const version = (await services.store.require(incident.id)).version;
    await expect(
      services.obligations.waive(incident.id, 'U0STRANGR', {
        type: 'gdpr-art33',
        reason: 'no personal data in the export',
      }),
    ).rejects.toThrow(/may not waive a notification obligation/);
    await expect(
      services.obligations.waive(incident.id, COMMANDER, { type: 'gdpr-art33', reason: 'n/a' }),
    ).rejects.toThrow(/at least 10 characters/);
    expect((await services.store.require(incident.id)).version).toBe(version);

    const waived = await services.obligations.waive(incident.id, COMMANDER, {
      type: 'gdpr-art33',
      reason: 'DPO: the export held no personal data',
    });
    expect(waived).toMatchObject({
      status: 'waived',
      waived: { by: COMMANDER, reason: 'DPO: the export held no personal data' },
    });
    const gate = await services.resolution.service.gate(await services.store.require(incident.id));
    expect(gate.items.find((i) => i.id === 'obligations')).toMatchObject({ done: true, required: true });
    expect(gate.passed).toBe(true);
    // the deadline passes: no escalation for a waived clock
    await new Promise((r) => setTimeout(r, 3_500));
    expect(posts(t, 'Deadline missed')).toHaveLength(0);
  }, 20_000);

  it('a drill keeps its clock marked as drill and reminds only in the drill channel', async () => {
    const { services } = t;
    const { incident } = await services.incidents.declare({
      title: 'Game day: agent leaks a prompt',
      severity: 'sev1',
      declaredBy: COMMANDER,
      drill: true,
      idempotencyKey: 'o3',
    });
    const added = await services.obligations.add(incident.id, COMMANDER, {
      type: 'ai-act-art73',
      awareAt: new Date(Date.now() - 15 * DAY + 4_500),
    });
    expect(added.drill).toBe(true);
    const reminders = await eventually(() => {
      const list = posts(t, 'serious-incident report for');
      expect(list.length).toBeGreaterThanOrEqual(1);
      return list;
    }, 6_000);
    await eventually(() => expect(posts(t, 'Deadline missed')).toHaveLength(1), 6_000);
    for (const post of [...posts(t, 'serious-incident report for'), ...posts(t, 'Deadline missed')]) {
      expect(post.params.channel).toBe(incident.channelId);
      expect(String(post.params.text)).toContain('[DRILL]');
    }
    expect(reminders.every((c) => c.params.channel !== LEGAL)).toBe(true);
    expect(t.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === LEGAL)).toHaveLength(0);
  }, 20_000);

  it('a declared incident that matches a type gets one proposal per type, with the command to add it', async () => {
    const { services } = t;
    const { incident } = await services.incidents.declare({
      title: 'Agent emailed the wrong customer records',
      severity: 'sev2',
      declaredBy: COMMANDER,
      idempotencyKey: 'o4',
    });
    const proposal = await eventually(() => {
      const list = posts(t, 'may start a notification clock');
      expect(list).toHaveLength(1);
      return list[0]!;
    });
    expect(proposal.params.channel).toBe(incident.channelId);
    expect(textOf(proposal)).toContain('GDPR personal-data breach notification');
    expect(textOf(proposal)).toContain('/incident obligation add gdpr-art33 --aware');
    await new Promise((r) => setTimeout(r, 500));
    expect(posts(t, 'may start a notification clock')).toHaveLength(1);
    expect(
      (await services.incidents.timeline(incident.id)).filter((e) => e.kind === 'obligation_proposed'),
    ).toHaveLength(1);
  });
});
