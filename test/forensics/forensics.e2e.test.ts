import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evidenceVerifyCommand } from '../../src/evidence/index.js';
import { forensicsViews } from '../../src/slack/blocks/forensics.js';
import { eventually } from '../helpers/eventually.js';
import { buildTestServices, type TestServices } from '../helpers/services.js';
import { litellmFixture, otelFixture, SECRET_PROMPT } from './fixtures.js';
import { tempDir } from './harness.js';

const DECLARER = 'U0DECLARER1';
const RAW_SECRETS = ['jane.doe@example.com', '4111 1111 1111 1111', 'sk_live_51HxAbCdEfGhIjKlMnOpQr'];

/**
 * A SEV1 declared with agent facts runs the configured collectors as long-lane jobs; the archive
 * carries their files in the signed bundle, `quell evidence verify` passes, the agent timeline
 * merges two sources in time order, a drill sends nothing, and the prompt's secret and personal
 * data are raw in the bundle but masked in the readable timeline and in Slack.
 */
describe('forensic collection end to end', () => {
  let t: TestServices;
  let evidenceDir: { dir: string; cleanup: () => Promise<void> };
  let stagingDir: { dir: string; cleanup: () => Promise<void> };
  const unmatched: string[] = [];
  const onNoMatch = (req: { method?: string; path?: string; hostname?: string }) => {
    if (!String(req.hostname ?? '').match(/^(127\.0\.0\.1|localhost)$/))
      unmatched.push(`${req.method} ${req.hostname}${req.path}`);
  };

  beforeEach(async () => {
    evidenceDir = await tempDir();
    stagingDir = await tempDir();
    unmatched.length = 0;
    nock.emitter.on('no match', onNoMatch);
    t = await buildTestServices({
      slack: { users: [{ id: DECLARER, name: 'Dana Declarer' }] },
      secrets: {
        LITELLM_MASTER_KEY: litellmFixture.secrets.masterKey!,
        JAEGER_TOKEN: otelFixture.secrets.token!,
      },
      yaml: `
evidence:
  storage:
    directory: ${JSON.stringify(evidenceDir.dir)}
forensics:
  staging: ${JSON.stringify(stagingDir.dir)}
  collectors:
    gateway:
      collector: litellm
      settings: ${JSON.stringify(litellmFixture.settings)}
      secrets: { masterKey: LITELLM_MASTER_KEY }
    traces:
      collector: otel-traces
      settings: ${JSON.stringify(otelFixture.settings)}
      secrets: { token: JAEGER_TOKEN }
      auto: [sev1]
`,
    });
    await t.services.jobs.startWorkers({ lanes: ['long'] });
  });

  afterEach(async () => {
    nock.emitter.removeListener('no match', onNoMatch);
    await t.cleanup();
    await evidenceDir.cleanup();
    await stagingDir.cleanup();
  });

  const declare = (drill: boolean, key: string) =>
    t.services.incidents.declare({
      title: 'Refund agent issued refunds it was not allowed to',
      severity: 'sev1',
      drill,
      agent: { name: 'refund-bot', version: '4.2.0', model: 'gpt-4.1' },
      startedAt: new Date('2026-11-21T13:00:00Z'),
      declaredBy: DECLARER,
      idempotencyKey: key,
    });

  const kinds = async (id: string) => (await t.services.incidents.timeline(id)).map((e) => e.kind);

  it('collects on declare, merges two sources, seals the files in the bundle, masks readable views', async () => {
    litellmFixture.happy(nock(litellmFixture.base));
    otelFixture.happy(nock(otelFixture.base));
    const { incident } = await declare(false, 'trigger-e2e-1');

    await eventually(
      async () =>
        expect((await kinds(incident.id)).filter((k) => k === 'forensics_collected')).toHaveLength(2),
      15_000,
    );

    // one clock, two sources: the gateway's tool calls around the tracer's
    const timeline = await t.services.forensics.agentTimeline(incident.id);
    const tools = timeline.filter((e) => e.kind === 'tool_call').map((e) => [e.name, e.source.collector]);
    expect(tools).toEqual([
      ['issue_refund', 'gateway'],
      ['delete_records', 'traces'],
      ['send_email', 'gateway'],
    ]);
    const ats = timeline.map((e) => e.at);
    expect([...ats].sort()).toEqual(ats);

    // a responder marks the tracer's delete as the first unauthorized action
    const deleteCall = timeline.find((e) => e.name === 'delete_records')!;
    await t.services.forensics.markFirstUnauthorized(incident.id, DECLARER, deleteCall.id);
    const marked = (await t.services.incidents.timeline(incident.id)).find(
      (e) => e.kind === 'first_unauthorized_action',
    );
    expect(marked?.text).toContain('delete_records at 2026-11-21T13:08:00.000Z');

    // Slack: the agent timeline message masks the prompt's secret and personal data
    const last = await t.services.forensics.lastCalls(incident.id, DECLARER, 10);
    const message = JSON.stringify(forensicsViews().agentTimeline({ incidentId: incident.id, ...last }));
    for (const raw of RAW_SECRETS) expect(message).not.toContain(raw);
    expect(message).toContain('[REDACTED]');
    for (const call of t.slack.calls)
      for (const raw of RAW_SECRETS) expect(JSON.stringify(call.params)).not.toContain(raw);

    // the bundle: raw pages, queries and run records under forensics/<collector>/<run>/, the merged timeline
    t.slack.seedChannel(incident.channelId!, []);
    const outcome = await t.services.evidence.archive({
      incidentId: incident.id,
      actor: DECLARER,
      trigger: 'command',
    });
    const paths = outcome.manifest.files.map((f) => f.path);
    const gatewayPage = paths.find((p) => /^forensics\/gateway\/[^/]+\/spend-logs\.page-0001\.json$/.test(p));
    expect(gatewayPage).toBeDefined();
    expect(paths.some((p) => /^forensics\/traces\/[^/]+\/traces\.json$/.test(p))).toBe(true);
    expect(paths.some((p) => /^forensics\/gateway\/[^/]+\/queries\.jsonl$/.test(p))).toBe(true);
    expect(paths.some((p) => /^forensics\/gateway\/[^/]+\/run\.json$/.test(p))).toBe(true);
    expect(paths).toContain('forensics/agent-timeline/agent-timeline.jsonl');
    expect(paths).toContain('forensics/agent-timeline/agent-timeline.md');
    expect(outcome.manifest.files.find((f) => f.path === gatewayPage)?.collector).toBe('forensics.gateway');

    const location = outcome.reservation.location;
    const raw = await readFile(join(location, gatewayPage!), 'utf8');
    expect(raw).toContain(JSON.stringify(SECRET_PROMPT).slice(1, -1));
    const readable = await readFile(join(location, 'forensics/agent-timeline/agent-timeline.md'), 'utf8');
    for (const secret of RAW_SECRETS) expect(readable).not.toContain(secret);
    expect(readable).toContain('delete_records **← first unauthorized action**');

    const out: string[] = [];
    expect(
      await evidenceVerifyCommand(
        [location],
        (l) => out.push(l),
        (l) => out.push(l),
        {},
      ),
    ).toBe(0);
    expect(unmatched).toEqual([]);
  }, 30_000);

  it('a containment state change collects again (the "after" picture) into a new run folder', async () => {
    litellmFixture.happy(nock(litellmFixture.base));
    otelFixture.happy(nock(otelFixture.base));
    const { incident } = await declare(false, 'trigger-e2e-after');
    const collected = async () =>
      (await kinds(incident.id)).filter((k) => k === 'forensics_collected').length;
    await eventually(async () => expect(await collected()).toBe(2), 15_000);
    litellmFixture.happy(nock(litellmFixture.base));
    otelFixture.happy(nock(otelFixture.base));
    await t.services.incidents.record(
      incident.id,
      DECLARER,
      'containment_verified',
      'key blocked (verified)',
      { action: 'block-key' },
    );
    await eventually(async () => expect(await collected()).toBe(4), 15_000);
    const runs = (await t.services.incidents.timeline(incident.id)).filter(
      (e) => e.kind === 'forensics_collected',
    );
    expect(new Set(runs.map((e) => e.data.run)).size).toBe(4);
    // the same calls seen twice appear once in the merged timeline
    const tools = (await t.services.forensics.agentTimeline(incident.id)).filter(
      (e) => e.kind === 'tool_call',
    );
    expect(tools.map((e) => e.name)).toEqual(['issue_refund', 'delete_records', 'send_email']);
  }, 30_000);

  it('a drill plans every collector and sends no request to any target', async () => {
    const { incident } = await declare(true, 'trigger-e2e-drill');
    await eventually(
      async () => expect((await kinds(incident.id)).filter((k) => k === 'forensics_planned')).toHaveLength(2),
      15_000,
    );
    const events = await t.services.incidents.timeline(incident.id);
    expect(events.some((e) => e.kind === 'forensics_collected' || e.kind === 'forensics_failed')).toBe(false);
    const planned = events.find((e) => e.kind === 'forensics_planned' && e.data.collector === 'gateway');
    expect(JSON.stringify(planned?.data.requests)).toContain('/spend/logs/ui');
    expect(JSON.stringify(planned?.data.requests)).not.toContain(litellmFixture.secret);
    expect(unmatched).toEqual([]);
  }, 30_000);

  it('revoked credentials: the run says so on the timeline and in the channel, the incident carries on', async () => {
    litellmFixture.refused(nock(litellmFixture.base));
    otelFixture.happy(nock(otelFixture.base));
    const { incident } = await declare(false, 'trigger-e2e-refused');
    await eventually(async () => {
      const k = await kinds(incident.id);
      expect(k).toContain('forensics_failed');
      expect(k).toContain('forensics_collected');
    }, 15_000);
    const failed = (await t.services.incidents.timeline(incident.id)).find(
      (e) => e.kind === 'forensics_failed',
    )!;
    expect(failed.text).toContain('credentials refused');
    expect(failed.text).not.toContain(litellmFixture.secret);
    const posted = [...t.slack.callsTo('chat.update'), ...t.slack.callsTo('chat.postMessage')].map((c) =>
      JSON.stringify(c.params),
    );
    expect(posted.some((p) => p.includes('credentials refused'))).toBe(true);
    // the incident is unaffected: a note still lands
    await t.services.incidents.addNote(incident.id, DECLARER, 'still investigating');
    expect(await kinds(incident.id)).toContain('note');
  }, 30_000);
});
