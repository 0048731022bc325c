import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordedCalls } from '../../src/containment/adapters/recording.js';
import { UsageError } from '../../src/errors.js';
import {
  COMMANDER,
  confirmToken,
  containmentHarness,
  type Harness,
  runContainment,
  undoContainment,
} from './harness.js';

/**
 * Undo restores what was there (not "on"), a Retry stays part of its playbook run, a request the
 * adapter cannot build is refused before the Run button, and a slow step does not hide fast ones.
 * Vendor fake: LaunchDarkly as documented at
 * https://launchdarkly.com/docs/api/feature-flags/get-feature-flag and
 * https://launchdarkly.com/docs/api/feature-flags/update-feature-flag.
 */

const LD = 'https://app.launchdarkly.com';
const FLAG_PATH = '/api/v2/flags/support/agent-email-tool';
const LD_TOKEN = 'api-0123456789abcdef-launchdarkly';
const flag = (on: boolean) => ({ key: 'agent-email-tool', environments: { production: { on } } });

function launchdarklyAction() {
  return {
    adapter: 'launchdarkly',
    settings: { projectKey: 'support', environmentKey: 'production', flagKey: 'agent-email-tool' },
    secrets: { apiToken: 'LD_TOKEN' },
  };
}

/** The PATCH bodies LaunchDarkly received, by instruction kind. */
function ldTarget(initiallyOn: boolean) {
  const patches: string[] = [];
  let on = initiallyOn;
  nock(LD)
    .persist()
    .get(FLAG_PATH)
    .query({ env: 'production' })
    .reply(() => [200, flag(on)]);
  nock(LD)
    .persist()
    .patch(FLAG_PATH)
    .reply((_uri, body) => {
      const kind = (body as { instructions: { kind: string }[] }).instructions[0]!.kind;
      patches.push(kind);
      on = kind === 'turnFlagOn';
      return [200, flag(on)];
    });
  return { patches, isOn: () => on };
}

let harness: Harness | undefined;

beforeEach(() => {
  recordedCalls.length = 0;
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('undo restores the recorded prior state', () => {
  it('a flag that was already off stays off after undo (nothing is turned on in production)', async () => {
    harness = await containmentHarness({
      containment: { actions: { 'flag-off': launchdarklyAction() } },
      env: { LD_TOKEN },
    });
    const target = ldTarget(false);
    const report = await runContainment(harness, COMMANDER, 'flag-off');
    expect(report.groups[0]![0]).toMatchObject({
      state: 'ok',
      detail: expect.stringContaining('was already off'),
    });
    const [run] = await harness.services.containment.runs(harness.incident.id);
    expect(run!.state.prior).toEqual({ known: true, summary: 'flag off', value: { on: false } });

    const { confirmation, report: undone } = await undoContainment(harness, COMMANDER, 'r1');
    expect(JSON.stringify(confirmation.blocks)).toContain(
      'leave the flag off (it was off before containment)',
    );
    expect(undone.groups[0]![0]).toMatchObject({
      state: 'ok',
      detail: 'flag was off before containment: left off',
      verify: { outcome: 'verified', observed: 'on: false' },
    });
    expect(target.patches).toEqual(['turnFlagOff']);
    expect(target.isOn()).toBe(false);
  });

  it('a flag that was on is turned back on, and the undo is audited with the prior state', async () => {
    harness = await containmentHarness({
      containment: { actions: { 'flag-off': launchdarklyAction() } },
      env: { LD_TOKEN },
    });
    const target = ldTarget(true);
    await runContainment(harness, COMMANDER, 'flag-off');
    await undoContainment(harness, COMMANDER, 'r1');
    expect(target.patches).toEqual(['turnFlagOff', 'turnFlagOn']);
    expect(target.isOn()).toBe(true);
    const executed = (await harness.services.containment.audit(harness.incident.id)).find(
      (e) => e.event === 'executed',
    );
    expect(executed!.requests[0]).toMatchObject({ method: 'GET', url: `${LD}${FLAG_PATH}?env=production` });
  });

  it('when the prior state is unknown, the undo confirmation says so and asks before anything is sent', async () => {
    harness = await containmentHarness({
      containment: {
        actions: {
          kill: {
            adapter: 'webhook',
            settings: { url: 'https://killswitch.test/kill', undoUrl: 'https://killswitch.test/revive' },
            secrets: { signingSecret: 'WEBHOOK_SECRET' },
          },
        },
      },
      env: { WEBHOOK_SECRET: 'whsec-0123456789abcdef' },
    });
    nock('https://killswitch.test').post('/kill').reply(202, {});
    await runContainment(harness, COMMANDER, 'kill');
    const unmatched: string[] = [];
    const onNoMatch = (req: { href?: string }) => unmatched.push(String(req.href));
    nock.emitter.on('no match', onNoMatch);
    const confirmation = await harness.services.containment.requestUndo(harness.incident, COMMANDER, 'r1');
    const text = JSON.stringify(confirmation.blocks);
    expect(text).toContain('the state before containment was not recorded');
    expect(text).toContain('Confirm only if that is what was there');
    // nothing was sent for the undo yet: it waits for the answer
    expect(unmatched).toEqual([]);
    nock.emitter.removeListener('no match', onNoMatch);
    const revive = nock('https://killswitch.test').post('/revive').reply(200, {});
    const report = await harness.services.containment.confirm(confirmToken(confirmation), COMMANDER);
    expect(revive.isDone()).toBe(true);
    expect(report.groups[0]![0]!.state).toBe('ok');
  });
});

describe('retries keep the playbook link', () => {
  it('a step that succeeded on Retry is lifted by /contain undo p1 and leaves /contain status', async () => {
    harness = await containmentHarness({
      containment: {
        retries: 0,
        actions: {
          'block-key': { adapter: 'recording' },
          'flag-off': launchdarklyAction(),
        },
        playbooks: { freeze: { steps: [['block-key', 'flag-off']] } },
      },
      env: { LD_TOKEN },
    });
    // the first PATCH is refused (a 400, not retried); the Retry succeeds
    nock(LD).get(FLAG_PATH).query({ env: 'production' }).reply(200, flag(true));
    nock(LD).patch(FLAG_PATH).reply(400, { code: 'invalid_request', message: 'conflict, try again' });
    const first = await runContainment(harness, COMMANDER, 'freeze', { kind: 'playbook' });
    const failed = first.groups[0]!.find((s) => s.state === 'failed')!;
    expect(failed.action).toBe('flag-off');

    const target = ldTarget(true);
    const retry = await harness.services.containment.requestRetry(
      harness.incident.id,
      failed.runId!,
      COMMANDER,
    );
    const retried = await harness.services.containment.confirm(confirmToken(retry), COMMANDER);
    expect(retried.groups[0]![0]!.state).toBe('ok');
    const runs = await harness.services.containment.runs(harness.incident.id);
    const retryRun = runs.find((r) => r.retryOf === failed.runId)!;
    expect(retryRun.playbook).toEqual({ name: 'freeze', id: 'p1' });

    const { report } = await undoContainment(harness, COMMANDER, 'p1');
    expect(
      report.groups
        .flat()
        .map((s) => `${s.action}:${s.state}`)
        .sort(),
    ).toEqual(['block-key:ok', 'flag-off:ok']);
    expect(target.patches).toEqual(['turnFlagOff', 'turnFlagOn']);
    expect(await harness.services.containment.status(harness.incident.id)).toEqual([]);
  });
});

describe('arguments are validated before the confirmation', () => {
  it('a litellm action with neither a key argument nor the agentKey secret is refused before any Run button', async () => {
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
      env: { LITELLM_MASTER_KEY: 'sk-master-0123456789abcdef' },
    });
    const asked = harness.services.containment.requestRun({
      incident: harness.incident,
      user: COMMANDER,
      kind: 'action',
      name: 'block-key',
      args: {},
      dryRun: false,
    });
    await expect(asked).rejects.toBeInstanceOf(UsageError);
    await expect(asked).rejects.toThrow(/block-key cannot run as asked: litellm needs the key to block/);
    // nothing was confirmed, sent or recorded as run
    expect(await harness.services.containment.runs(harness.incident.id)).toEqual([]);
    expect(harness.slack.calls).toEqual([]);
  });
});

describe('per-step progress in parallel groups', () => {
  it('with one slow target among fast ones, the fast results reach the channel before the slow one ends', async () => {
    harness = await containmentHarness({
      containment: {
        actions: {
          slow: { adapter: 'recording', settings: { delayMs: 1_500 } },
          'fast-1': { adapter: 'recording', settings: { delayMs: 50 } },
          'fast-2': { adapter: 'recording', settings: { delayMs: 50 } },
          'fast-3': { adapter: 'recording', settings: { delayMs: 50 } },
          'fast-4': { adapter: 'recording', settings: { delayMs: 50 } },
        },
        playbooks: { all: { steps: [['slow', 'fast-1', 'fast-2', 'fast-3', 'fast-4']] } },
      },
    });
    const { slack } = harness;
    const running = runContainment(harness, COMMANDER, 'all', { kind: 'playbook' });
    const started = Date.now();
    // wait for the first progress update, well before the slow step's 3 s (execute + verify)
    for (;;) {
      if (slack.callsTo('chat.update').length) break;
      if (Date.now() - started > 2_500) throw new Error('no progress update while the slow step ran');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(Date.now() - started).toBeLessThan(1_000);
    const shown = JSON.stringify(slack.callsTo('chat.update')[0]!.params.blocks);
    for (const fast of ['fast-1', 'fast-2', 'fast-3', 'fast-4'])
      expect(shown).toContain(`:large_green_circle: *${fast}*`);
    expect(shown).toContain(':hourglass_flowing_sand: *slow*');
    const report = await running;
    expect(report.groups[0]!.every((s) => s.state === 'ok')).toBe(true);
    const final = JSON.stringify(slack.callsTo('chat.update').at(-1)!.params.blocks);
    expect(final).toContain(':large_green_circle: *slow*');
  });
});
