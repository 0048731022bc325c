import { createHash } from 'node:crypto';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordedCalls } from '../../src/containment/adapters/recording.js';

const AGENT_KEY_HASH = createHash('sha256').update('sk-agent-9876543210fedcba').digest('hex');

import { ContainmentRefusedError } from '../../src/containment/service.js';
import { type QuellError, UsageError } from '../../src/errors.js';
import {
  COMMANDER,
  confirmToken,
  containmentHarness,
  GROUP_MEMBER,
  type Harness,
  OUTSIDER,
  RESPONDER,
  runContainment,
  TECH_LEAD,
} from './harness.js';

const CONTAINMENT = {
  authorized: { usergroups: ['S0CONTAIN'] },
  actions: {
    'block-agent-key': {
      adapter: 'recording',
      description: "Block the support agent's model key",
      settings: { delayMs: 50 },
      args: { key: 'hashed-abc' },
    },
    'disable-email-tool': { adapter: 'recording', settings: { delayMs: 50 } },
    'pause-queue': { adapter: 'recording', settings: { delayMs: 50 } },
    'scale-workers': { adapter: 'recording', settings: { outcome: 'fail' } },
    'flaky-flag': { adapter: 'recording', settings: { outcome: 'not-verified' } },
    'delete-openai-key': { adapter: 'recording', settings: { irreversible: true, undoable: false } },
    'commander-only': { adapter: 'recording', authorized: { roles: ['commander'], responders: false } },
  },
  playbooks: {
    'freeze-agent': {
      description: 'Cut the agent off from models, tools and work',
      steps: ['block-agent-key', ['disable-email-tool', 'pause-queue', 'scale-workers'], 'flaky-flag'],
    },
  },
};

let harness: Harness;

beforeEach(() => {
  recordedCalls.length = 0;
});

afterEach(async () => {
  await harness?.close();
});

const callsOf = (incidentId: string) => recordedCalls.filter((c) => c.incidentId === incidentId);

describe('containment authorization', () => {
  it('lets the commander, tech lead, configured responders and the containment group run; refuses others and records it', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    for (const user of [COMMANDER, TECH_LEAD, RESPONDER, GROUP_MEMBER])
      await expect(
        services.containment.requestRun({
          incident,
          user,
          kind: 'action',
          name: 'block-agent-key',
          args: {},
          dryRun: false,
        }),
      ).resolves.toMatchObject({ text: expect.stringContaining('Run block-agent-key') });

    const refusal = await services.containment
      .requestRun({
        incident,
        user: OUTSIDER,
        kind: 'action',
        name: 'block-agent-key',
        args: {},
        dryRun: false,
      })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ContainmentRefusedError);
    expect((refusal as QuellError).userMessage).toBe(
      'You are not authorized to run `block-agent-key`. It may be run by the incident commander, the technical lead, <!subteam^S0CONTAIN> or <@U0RESPONDER>. Ask one of them, or the incident commander to give you a role. This refusal is on the incident timeline.',
    );
    const timeline = await services.incidents.timeline(incident.id);
    expect(timeline.at(-1)).toMatchObject({
      actor: OUTSIDER,
      kind: 'containment_refused',
      text: 'was refused containment block-agent-key: not authorized to run block-agent-key',
      data: { action: 'block-agent-key', adapter: 'recording', outcome: 'refused', dryRun: false },
    });
    expect(await services.containment.audit(incident.id)).toEqual([
      expect.objectContaining({
        seq: 1,
        event: 'refused',
        actor: OUTSIDER,
        action: 'block-agent-key',
        outcome: 'refused',
      }),
    ]);
    expect(callsOf(incident.id)).toEqual([]);
  });

  it('a per-action rule narrows who may run it; a playbook needs every one of its actions', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    await expect(
      services.containment.requestRun({
        incident,
        user: TECH_LEAD,
        kind: 'action',
        name: 'commander-only',
        args: {},
        dryRun: false,
      }),
    ).rejects.toThrow(/not authorized to run `commander-only`. It may be run by the incident commander\./);
    await expect(
      services.containment.requestRun({
        incident,
        user: COMMANDER,
        kind: 'action',
        name: 'commander-only',
        args: {},
        dryRun: false,
      }),
    ).resolves.toBeDefined();
  });

  it('authorizes again when the button is pressed: a role taken away in between means no run', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    const confirmation = await services.containment.requestRun({
      incident,
      user: TECH_LEAD,
      kind: 'action',
      name: 'block-agent-key',
      args: {},
      dryRun: false,
    });
    await services.incidents.assignRole(incident.id, COMMANDER, 'tech-lead', COMMANDER);
    await expect(services.containment.confirm(confirmToken(confirmation), TECH_LEAD)).rejects.toBeInstanceOf(
      ContainmentRefusedError,
    );
    expect(callsOf(incident.id)).toEqual([]);
  });
});

describe('containment confirmation', () => {
  it('runs nothing until confirmed, and a confirmation works once', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    const confirmation = await services.containment.requestRun({
      incident,
      user: COMMANDER,
      kind: 'action',
      name: 'block-agent-key',
      args: {},
      dryRun: false,
    });
    expect(callsOf(incident.id)).toEqual([]);
    expect(await services.containment.audit(incident.id)).toEqual([]);
    const token = confirmToken(confirmation);
    const report = await services.containment.confirm(token, COMMANDER);
    expect(report.groups[0]![0]).toMatchObject({ state: 'ok', runId: 'r1', verify: { outcome: 'verified' } });
    expect(callsOf(incident.id).map((c) => c.phase)).toEqual(['execute', 'verify']);
    const again = await services.containment.confirm(token, COMMANDER).catch((e: unknown) => e);
    expect((again as QuellError).code).toBe('confirmation_expired');
    expect(callsOf(incident.id)).toHaveLength(2);
  });

  it('cancel runs nothing and is recorded', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    const confirmation = await services.containment.requestRun({
      incident,
      user: COMMANDER,
      kind: 'playbook',
      name: 'freeze-agent',
      args: {},
      dryRun: false,
    });
    await services.containment.cancel(confirmToken(confirmation), COMMANDER);
    await expect(services.containment.confirm(confirmToken(confirmation), COMMANDER)).rejects.toThrow(
      /already used, cancelled or has expired/,
    );
    expect(callsOf(incident.id)).toEqual([]);
    expect((await services.incidents.timeline(incident.id)).at(-1)).toMatchObject({
      kind: 'containment_cancelled',
      actor: COMMANDER,
    });
  });

  it('an irreversible action says so, names the consequence and asks twice', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    const confirmation = await services.containment.requestRun({
      incident,
      user: COMMANDER,
      kind: 'action',
      name: 'delete-openai-key',
      args: {},
      dryRun: false,
    });
    const blocks = JSON.stringify(confirmation.blocks);
    expect(blocks).toContain(':warning: *IRREVERSIBLE:* *delete-openai-key cannot be undone (simulated).*');
    expect(blocks).toContain(
      '"confirm":{"title":{"type":"plain_text","text":"This cannot be undone","emoji":true}',
    );
    expect(confirmation.text).toContain('(IRREVERSIBLE)');
  });

  it('rejects unknown actions and bad arguments with the usage', async () => {
    harness = await containmentHarness({
      containment: {
        actions: {
          'block-key': {
            adapter: 'litellm',
            settings: { baseUrl: 'https://litellm.test' },
            secrets: { masterKey: 'LITELLM_MASTER_KEY' },
          },
        },
      },
      env: { LITELLM_MASTER_KEY: 'sk-master-abcdef0123456789' },
    });
    const { services, incident } = harness;
    await expect(
      services.containment.requestRun({
        incident,
        user: COMMANDER,
        kind: 'action',
        name: 'nope',
        args: {},
        dryRun: false,
      }),
    ).rejects.toThrow(
      new UsageError(
        'There is no containment action "nope". Actions: block-key.',
        '/contain <action> [key=value ...]',
      ),
    );
    await expect(
      services.containment.requestRun({
        incident,
        user: COMMANDER,
        kind: 'action',
        name: 'block-key',
        args: { colour: 'red' },
        dryRun: false,
      }),
    ).rejects.toThrow(/Bad arguments for block-key: arguments: Unrecognized key: "colour"/);
  });
});

describe('dry runs and drills', () => {
  it('a drill runs every adapter dry: real adapters send nothing and the requests are shown and audited', async () => {
    harness = await containmentHarness({
      drill: true,
      containment: {
        actions: {
          'block-key': {
            adapter: 'litellm',
            settings: { baseUrl: 'https://litellm.test' },
            secrets: { masterKey: 'LITELLM_MASTER_KEY', agentKey: 'AGENT_KEY' },
          },
        },
      },
      env: { LITELLM_MASTER_KEY: 'sk-master-abcdef0123456789', AGENT_KEY: 'sk-agent-9876543210fedcba' },
    });
    const attempted: string[] = [];
    const onNoMatch = (req: { href?: string }) => attempted.push(String(req.href));
    nock.emitter.on('no match', onNoMatch);
    try {
      const { services, incident } = harness;
      const report = await runContainment(harness, COMMANDER, 'block-key');
      expect(report).toMatchObject({ dryRun: true, drill: true });
      expect(report.groups[0]![0]).toMatchObject({
        state: 'dry_run',
        // the key is named by its hashed token (SHA-256 of the raw key): the raw key is in no URL
        wouldSend: [
          { method: 'GET', url: `https://litellm.test/key/info?key=${AGENT_KEY_HASH}` },
          { method: 'POST', url: 'https://litellm.test/key/block', body: { key: AGENT_KEY_HASH } },
        ],
      });
      expect(attempted).toEqual([]);
      const [entry] = await services.containment.audit(incident.id);
      expect(entry).toMatchObject({ event: 'dry_run', outcome: 'dry_run', dryRun: true });
      const info = {
        method: 'GET',
        url: `https://litellm.test/key/info?key=${AGENT_KEY_HASH}`,
        headers: { authorization: 'Bearer [secret:masterKey]' },
      };
      expect(entry!.requests).toEqual([
        info,
        {
          method: 'POST',
          url: 'https://litellm.test/key/block',
          headers: { authorization: 'Bearer [secret:masterKey]', 'content-type': 'application/json' },
          body: { key: AGENT_KEY_HASH },
        },
        info,
      ]);
      expect(await services.containment.status(incident.id)).toEqual([]);
      const final = harness.slack.callsTo('chat.update').at(-1)!;
      expect(String(final.params.text)).toBe(
        '[DRILL] Containment Action block-key: dry run complete, nothing sent',
      );
    } finally {
      nock.emitter.removeListener('no match', onNoMatch);
    }
  });

  it('--dry-run outside a drill only shows what would be sent', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const report = await runContainment(harness, COMMANDER, 'freeze-agent', {
      kind: 'playbook',
      dryRun: true,
    });
    expect(report.groups.flat().map((s) => s.state)).toEqual([
      'dry_run',
      'dry_run',
      'dry_run',
      'dry_run',
      'dry_run',
    ]);
    expect(callsOf(harness.incident.id)).toEqual([]);
    const kinds = (await harness.services.incidents.timeline(harness.incident.id))
      .map((e) => e.kind)
      .filter((k) => k.startsWith('containment_'));
    expect(kinds).toEqual(Array(5).fill('containment_dry_run'));
  });
});

describe('playbooks', () => {
  it('runs groups in order and the steps of a group in parallel; reports a partial failure per step', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident, slack } = harness;
    const report = await runContainment(harness, COMMANDER, 'freeze-agent', { kind: 'playbook' });
    expect(report.title).toBe('Playbook freeze-agent (p1)');
    expect(report.groups.map((g) => g.map((s) => `${s.action}:${s.state}`))).toEqual([
      ['block-agent-key:ok'],
      ['disable-email-tool:ok', 'pause-queue:ok', 'scale-workers:failed'],
      ['flaky-flag:ok'],
    ]);
    expect(report.groups[1]![2]!.error).toBe('recording target failed: HTTP 503 unavailable');
    expect(report.groups[2]![0]!.verify).toEqual({ outcome: 'not_verified', observed: 'no effect observed' });
    const calls = callsOf(incident.id);
    const executes = calls.filter((c) => c.phase === 'execute').map((c) => c.actionName);
    expect(executes[0]).toBe('block-agent-key');
    expect(executes.slice(1, 4).sort()).toEqual(['disable-email-tool', 'pause-queue', 'scale-workers']);
    expect(executes[4]).toBe('flaky-flag');
    // the second group starts together: its three 50 ms calls begin before any of them could end
    const starts = calls
      .filter((c) => c.phase === 'execute')
      .slice(1, 4)
      .map((c) => Date.parse(c.at));
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(50);

    // one channel message, posted at the start, updated as steps finish (coalesced, at most once
    // a second) and at the end
    expect(slack.methods()[0]).toBe('chat.postMessage');
    expect(
      slack
        .methods()
        .slice(1)
        .every((m) => m === 'chat.update'),
    ).toBe(true);
    expect(slack.methods().length).toBeGreaterThanOrEqual(2);
    const final = slack.callsTo('chat.update').at(-1)!.params;
    expect(final.channel).toBe(incident.channelId);
    expect(final.text).toBe('Containment Playbook freeze-agent (p1): 1 of 5 failed');
    const blocks = JSON.stringify(final.blocks);
    expect(blocks).toContain(
      ':x: *scale-workers* `r4` — *failed*: recording target failed: HTTP 503 unavailable',
    );
    expect(blocks).toContain('"action_id":"quell_containment_retry","value":"INC-1|r4"');
    expect(blocks).toContain(':warning: *not verified* (no effect observed)');
    expect(blocks).toContain('Undo: `/contain undo p1` (all) or `/contain undo r1`');

    const audit = await services.containment.audit(incident.id);
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    expect(
      audit
        .filter((e) => e.event === 'executed')
        .map((e) => `${e.action}:${e.outcome}`)
        .sort(),
    ).toEqual([
      'block-agent-key:ok',
      'disable-email-tool:ok',
      'flaky-flag:ok',
      'pause-queue:ok',
      'scale-workers:failed',
    ]);
    expect(audit.find((e) => e.action === 'scale-workers' && e.event === 'executed')).toMatchObject({
      playbook: { name: 'freeze-agent', id: 'p1' },
      runId: 'r4',
      actor: COMMANDER,
      dryRun: false,
      error: 'recording target failed: HTTP 503 unavailable',
      requests: [{ method: 'RECORD', url: 'recording://scale-workers/execute' }],
    });
    const containmentEvents = (await services.incidents.timeline(incident.id)).filter((e) =>
      e.kind.startsWith('containment_'),
    );
    // the timeline has one event per run (with its verification); the audit has every step
    expect(containmentEvents.map((e) => `${e.kind}:${e.data.runId}:${e.data.outcome}`).sort()).toEqual([
      'containment_executed:r1:ok',
      'containment_executed:r2:ok',
      'containment_executed:r3:ok',
      'containment_executed:r4:failed',
      'containment_executed:r5:ok',
    ]);
    expect(containmentEvents.every((e) => e.data.dryRun === false && e.data.action && e.data.adapter)).toBe(
      true,
    );
    expect(containmentEvents.find((e) => e.data.runId === 'r5')).toMatchObject({
      text: expect.stringMatching(
        /^ran containment flaky-flag \(r5\): recorded, NOT verified \(no effect observed\) — Record flaky-flag \(no real target\) \(\d+\.\d\d s\)$/,
      ),
      data: { verify: { outcome: 'not_verified', observed: 'no effect observed' } },
    });
    expect(audit.filter((e) => e.event !== 'started')).toHaveLength(9);
  });

  it('Retry on a failed step confirms again and runs the same action as a new run', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    await runContainment(harness, COMMANDER, 'scale-workers');
    const confirmation = await services.containment.requestRetry(incident.id, 'r1', COMMANDER);
    expect(confirmation.text).toContain('Retry scale-workers (r1)');
    const report = await services.containment.confirm(confirmToken(confirmation), COMMANDER);
    expect(report.groups[0]![0]).toMatchObject({ action: 'scale-workers', runId: 'r2', state: 'failed' });
    expect((await services.containment.runs(incident.id)).map((r) => [r.id, r.retryOf])).toEqual([
      ['r1', undefined],
      ['r2', 'r1'],
    ]);
  });
});

describe('undo', () => {
  it('undoes one run, verifies it is lifted, records it, and refuses to undo twice', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    await runContainment(harness, COMMANDER, 'block-agent-key');
    expect((await services.containment.status(incident.id)).map((r) => r.id)).toEqual(['r1']);
    const confirmation = await services.containment.requestUndo(incident, TECH_LEAD, 'r1');
    expect(confirmation.text).toContain('Undo r1 (block-agent-key)');
    const report = await services.containment.confirm(confirmToken(confirmation), TECH_LEAD);
    expect(report.groups[0]![0]).toMatchObject({
      state: 'ok',
      detail: 'recorded undo',
      verify: { outcome: 'verified' },
    });
    expect(callsOf(incident.id).map((c) => c.phase)).toEqual(['execute', 'verify', 'undo', 'verify']);
    expect(await services.containment.status(incident.id)).toEqual([]);
    const run1 = (await services.containment.runs(incident.id))[0]!;
    expect(run1).toMatchObject({
      status: 'undone',
      undo: { outcome: 'ok', by: TECH_LEAD },
      undoVerify: { outcome: 'verified' },
    });
    const audit = await services.containment.audit(incident.id);
    // (`started` entries are the durable run's record of intent, written before the first request)
    expect(
      audit.filter((e) => e.event !== 'started').map((e) => `${e.event}:${e.outcome}:${e.actor}`),
    ).toEqual([
      `executed:ok:${COMMANDER}`,
      `verified:verified:${COMMANDER}`,
      `undone:ok:${TECH_LEAD}`,
      `verified:verified:${TECH_LEAD}`,
    ]);
    await expect(services.containment.requestUndo(incident, TECH_LEAD, 'r1')).rejects.toThrow(
      'r1 (block-agent-key) was already undone.',
    );
  });

  it('undoes a whole playbook run, last step first, skipping what failed', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    await runContainment(harness, COMMANDER, 'freeze-agent', { kind: 'playbook' });
    const report = await services.containment.confirm(
      confirmToken(await services.containment.requestUndo(incident, COMMANDER, 'p1')),
      COMMANDER,
    );
    expect(report.groups.map((g) => g[0]!.runId)).toEqual(['r5', 'r3', 'r2', 'r1']);
    expect(report.groups.flat().every((s) => s.state === 'ok')).toBe(true);
    expect((await services.containment.runs(incident.id)).map((r) => `${r.id}:${r.status}`)).toEqual([
      'r1:undone',
      'r2:undone',
      'r3:undone',
      'r4:failed',
      'r5:undone',
    ]);
  });

  it('refuses to undo irreversible, dry and unknown runs with a reason', async () => {
    harness = await containmentHarness({ containment: CONTAINMENT });
    const { services, incident } = harness;
    await runContainment(harness, COMMANDER, 'delete-openai-key');
    await runContainment(harness, COMMANDER, 'block-agent-key', { dryRun: true });
    await expect(services.containment.requestUndo(incident, COMMANDER, 'r1')).rejects.toThrow(
      'r1 (delete-openai-key) is irreversible and cannot be undone; restore the target by hand.',
    );
    await expect(services.containment.requestUndo(incident, COMMANDER, 'r2')).rejects.toThrow(
      'r2 was a dry run',
    );
    await expect(services.containment.requestUndo(incident, COMMANDER, 'r9')).rejects.toThrow(
      'There is no containment run r9',
    );
    await expect(services.containment.requestUndo(incident, OUTSIDER, 'r1')).rejects.toThrow();
  });
});
