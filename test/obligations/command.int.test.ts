import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/incidents/model.js';
import { incidentCommand } from '../../src/slack/listeners/commands/incident/index.js';
import { invoke } from '../helpers/bolt-args.js';
import { buildTestServices, TEST_BOT_TOKEN, TestClock, type TestServices } from '../helpers/services.js';

/**
 * `/incident obligation …` and `/incident obligations` through the boundary: bad input (unknown
 * type, awareness in the future or unparseable, "submitted" for an obligation the incident does not
 * have) is answered ephemerally and changes nothing; the happy path is a durable job.
 */
type Reply = Record<string, unknown> | undefined;
function recorder() {
  const acks: Reply[] = [];
  const responses: Record<string, unknown>[] = [];
  return {
    acks,
    responses,
    ack: async (reply?: Reply) => void acks.push(reply),
    respond: async (reply: Record<string, unknown>) => void responses.push(reply),
  };
}

const COMMANDER = 'U0ALICE';

describe('/incident obligation', () => {
  let t: TestServices;
  let incident: Incident;
  let clock: TestClock;
  let trigger = 0;

  beforeEach(async () => {
    clock = new TestClock(new Date('2026-11-21T14:00:00Z'));
    t = await buildTestServices({ clock, yaml: 'obligations:\n  proposeOnDeclare: false\n' });
    ({ incident } = await t.services.incidents.declare({
      title: 'Agent exported customer records',
      severity: 'sev1',
      declaredBy: COMMANDER,
      idempotencyKey: 'c1',
    }));
  });

  afterEach(async () => {
    await t.cleanup();
  });

  async function run(text: string, user = COMMANDER) {
    const r = recorder();
    await invoke(incidentCommand, t.services, {
      command: {
        text,
        user_id: user,
        channel_id: incident.channelId,
        trigger_id: `T-${++trigger}`,
        command: '/incident',
      },
      ack: r.ack,
      respond: r.respond,
      client: new WebClient(TEST_BOT_TOKEN, { retryConfig: { retries: 0 } }),
    } as never);
    await t.services.requests.drain();
    const said = [...r.acks, ...r.responses]
      .filter((m): m is Record<string, unknown> => Boolean(m))
      .map((m) => String(m.text));
    return { r, said: said.join('\n') };
  }

  const stored = async () => (await t.services.store.require(incident.id)).obligations ?? [];

  it('bad input gets a clear ephemeral answer and changes nothing', async () => {
    const version = (await t.services.store.require(incident.id)).version;
    const cases: [string, RegExp][] = [
      [
        'obligation add hipaa',
        /`hipaa` is not an obligation type\. Known types: `ai-act-art73`, `ai-act-art73-death`, `ai-act-art73-widespread`, `gdpr-art33`/,
      ],
      ['obligation add gdpr-art33 --aware 2026-11-21T15:00Z', /The awareness time is in the future/],
      [
        'obligation add gdpr-art33 --aware yesterday-ish',
        /"yesterday-ish" is not a time; use 2026-11-21T13:20Z/,
      ],
      ['obligation add gdpr-art33 --aware', /only `--aware <time>`/],
      [
        'obligation submitted gdpr-art33 REF-1',
        new RegExp(`${incident.id} has no obligation \`gdpr-art33\`\\. Add it first`),
      ],
      ['obligation waive gdpr-art33', /Say why it is waived/],
      ['obligation frobnicate', /Say `add`, `submitted` or `waive`/],
    ];
    for (const [text, expected] of cases) {
      const { r, said } = await run(text);
      expect(said, text).toMatch(expected);
      for (const reply of [...r.acks, ...r.responses].filter(Boolean))
        expect((reply as Record<string, unknown>).response_type ?? 'ephemeral', text).toBe('ephemeral');
    }
    expect(await stored()).toEqual([]);
    expect((await t.services.store.require(incident.id)).version).toBe(version);
    expect(
      (await t.services.incidents.timeline(incident.id)).filter((e) => e.kind.startsWith('obligation_')),
    ).toEqual([]);
  });

  it('adds with --aware, lists, records an initial then the complete report, and refuses a second add', async () => {
    const added = await run('obligation add AI-ACT-ART73 --aware 2026-11-21T09:30Z');
    const deadline = '2026-12-06T09:30:00.000Z';
    expect(added.said).toContain(
      `Started the EU AI Act serious-incident report clock for ${incident.id}: due <!date^${Date.parse(deadline) / 1000}^`,
    );
    expect(await stored()).toMatchObject([
      { type: 'ai-act-art73', awareAt: '2026-11-21T09:30:00.000Z', deadlineAt: deadline, addedBy: COMMANDER },
    ]);

    const again = await run('obligation add ai-act-art73');
    expect(again.said).toContain('already has the EU AI Act serious-incident report');
    expect(await stored()).toHaveLength(1);

    const list = await run('obligations');
    expect(list.said).toContain(`${incident.id}: 1 notification obligation`);
    const blocks = JSON.stringify(list.r.responses.at(-1)?.blocks ?? list.r.acks.at(-1));
    expect(blocks).toContain(`<!date^${Date.parse(deadline) / 1000}^`);
    expect(blocks).toContain('`gdpr-art33` GDPR personal-data breach notification (3d)');

    clock.advance(3_600_000);
    await run('obligation submitted ai-act-art73 --initial MSA-INIT-7');
    expect((await stored())[0]).toMatchObject({
      status: 'open',
      initial: { by: COMMANDER, reference: 'MSA-INIT-7' },
    });
    // the initial report meets the deadline but the gate still waits for the complete one
    const gate = await t.services.resolution.service.gate(await t.services.store.require(incident.id));
    expect(gate.items.find((i) => i.id === 'obligations')).toMatchObject({ required: true, done: false });

    await run('obligation submitted ai-act-art73 MSA-2026-0042 (portal receipt)');
    expect((await stored())[0]).toMatchObject({
      status: 'submitted',
      submitted: {
        by: COMMANDER,
        reference: 'MSA-2026-0042 (portal receipt)',
        at: '2026-11-21T15:00:00.000Z',
      },
    });
    const kinds = (await t.services.incidents.timeline(incident.id))
      .map((e) => e.kind)
      .filter((k) => k.startsWith('obligation_'));
    expect(kinds).toEqual(['obligation_added', 'obligation_initial', 'obligation_submitted']);
    const gateAfter = await t.services.resolution.service.gate(await t.services.store.require(incident.id));
    expect(gateAfter.items.find((i) => i.id === 'obligations')).toMatchObject({ done: true });
  });

  it('the legal template drafts the notice with each obligation, its deadline, citation and what was submitted', async () => {
    await run('obligation add gdpr-art33 --aware 2026-11-21T09:30Z');
    await run('obligation submitted gdpr-art33 SA-CASE-19');
    const { text } = await t.services.comms.render(incident.id, 'legal');
    expect(text).toContain('*Notification obligations*:');
    expect(text).toContain(
      '• GDPR personal-data breach notification to the competent supervisory authority (Art. 55/56): aware since 09:30 UTC on 21 November 2026, due by 09:30 UTC on 24 November 2026',
    );
    expect(text).toContain('Art. 33(1)');
    expect(text).toContain(
      'Status: submitted, submitted 14:00 UTC on 21 November 2026, reference SA-CASE-19.',
    );
  });

  it('someone not allowed cannot add, submit or waive; the refusal is recorded, nothing else changes', async () => {
    const refused = await run('obligation add gdpr-art33', 'U0STRANGR');
    expect(refused.said).toContain('You may not add a notification obligation');
    expect(await stored()).toEqual([]);
    await run('obligation add gdpr-art33');
    const waive = await run('obligation waive gdpr-art33 not personal data, says the DPO', 'U0STRANGR');
    expect(waive.said).toContain('You may not waive a notification obligation');
    expect((await stored())[0]!.status).toBe('open');
    const kinds = (await t.services.incidents.timeline(incident.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'permission_refused')).toHaveLength(2);
  });
});
