import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesAdapter as kubernetesTyped } from '../../src/containment/adapters/kubernetes.js';
import { openaiAdapter as openaiTyped } from '../../src/containment/adapters/openai.js';
import type { AnyAdapter, RunContext } from '../../src/containment/contract.js';
import { nextSlot } from '../../src/containment/drift.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient } from '../../src/http/client.js';
import { redactor } from '../../src/http/redact.js';
import { jobIdOf } from '../../src/jobs/index.js';
import {
  COMMANDER,
  containmentHarness,
  type Harness,
  OUTSIDER,
  runContainment,
  TECH_LEAD,
} from './harness.js';

/**
 * Verify means the effect holds (pods stopped, caches expired), vendor rate limits are waited out,
 * an uncertain delete that meets 404 is done, Kubernetes credentials are read per call and its CA
 * trusted, and a control that stops holding is caught, alerted and re-applied in one click.
 * Vendor pages: https://launchdarkly.com/docs/api#rate-limiting,
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api,
 * https://developers.openai.com/api/reference/resources/organization/subresources/projects/subresources/api_keys/methods/delete,
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/,
 * https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/,
 * https://docs.litellm.ai/docs/proxy/virtual_keys, https://launchdarkly.com/docs/api/feature-flags/update-feature-flag.
 */

const NOW = new Date('2026-11-21T14:00:00Z');
const kubernetesAdapter = kubernetesTyped as AnyAdapter;
const openaiAdapter = openaiTyped as AnyAdapter;

function runContext(
  adapter: AnyAdapter,
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
  http: Partial<ConstructorParameters<typeof HttpClient>[0]> = {},
): RunContext<unknown, unknown> {
  return {
    settings: adapter.settingsSchema.parse(settings),
    args: adapter.argsSchema.parse({}),
    secrets,
    idempotencyKey: 'quell-INC-7-r1',
    now: NOW,
    incidentId: 'INC-7',
    actionName: 'contain',
    timeoutMs: 1_000,
    http: new HttpClient({
      ...DEFAULT_HTTP_OPTIONS,
      timeoutMs: 1_000,
      baseDelayMs: 1,
      maxDelayMs: 5,
      redact: redactor(secrets),
      ...http,
    }),
  };
}

describe('vendor rate-limit headers are honoured', () => {
  it("LaunchDarkly's 429 with only X-Ratelimit-Reset (epoch ms) is waited out, not retried three times at once", async () => {
    const resetAt = Date.now() + 400;
    nock('https://app.launchdarkly.com')
      .get('/api/v2/flags/support/flag')
      .reply(
        429,
        { code: 'rate_limited', message: 'Too many requests' },
        { 'X-Ratelimit-Reset': String(resetAt) },
      )
      .get('/api/v2/flags/support/flag')
      .reply(200, { ok: true });
    const http = new HttpClient({ ...DEFAULT_HTTP_OPTIONS, baseDelayMs: 1, maxDelayMs: 5, redact: (t) => t });
    const started = Date.now();
    const { status } = await http.request(
      { method: 'GET', url: 'https://app.launchdarkly.com/api/v2/flags/support/flag', idempotent: true },
      (await import('zod')).z.unknown(),
    );
    expect(status).toBe(200);
    expect(Date.now()).toBeGreaterThanOrEqual(resetAt - 5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(http.attempts.map((a) => a.status)).toEqual([429, 200]);
  });

  it("GitHub's primary rate limit (403, x-ratelimit-remaining: 0, x-ratelimit-reset in epoch seconds) is waited out", async () => {
    const resetSeconds = Math.floor(Date.now() / 1000) + 2;
    nock('https://api.github.com')
      .put('/repos/acme/agent/actions/workflows/agent.yml/disable')
      .reply(
        403,
        { message: 'API rate limit exceeded for installation ID 4.' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetSeconds) },
      )
      .put('/repos/acme/agent/actions/workflows/agent.yml/disable')
      .reply(204);
    const waits: number[] = [];
    const http = new HttpClient({
      ...DEFAULT_HTTP_OPTIONS,
      redact: (t) => t,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const { status } = await http.request(
      {
        method: 'PUT',
        url: 'https://api.github.com/repos/acme/agent/actions/workflows/agent.yml/disable',
        idempotent: true,
      },
      (await import('zod')).z.unknown(),
    );
    expect(status).toBe(204);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(900);
    expect(waits[0]).toBeLessThanOrEqual(2_000);
  });

  it('a plain 403 (no rate-limit headers) is a refusal: not retried', async () => {
    nock('https://api.github.com')
      .put('/x')
      .reply(403, { message: 'Resource not accessible by integration' });
    const http = new HttpClient({ ...DEFAULT_HTTP_OPTIONS, redact: (t) => t });
    await expect(
      http.request(
        { method: 'PUT', url: 'https://api.github.com/x', idempotent: true },
        (await import('zod')).z.unknown(),
      ),
    ).rejects.toMatchObject({ details: { status: 403, retryable: false, attempts: 1 } });
  });
});

describe('an irreversible delete whose answer was lost', () => {
  const settings = { projectId: 'proj_abc', target: 'api_key', id: 'key_abc' };
  const secrets = { adminKey: 'sk-admin-0123456789abcdef-openai' };
  const path = '/v1/organization/projects/proj_abc/api_keys/key_abc';
  const existing = {
    object: 'organization.project.api_key',
    id: 'key_abc',
    name: 'support-agent',
    created_at: 1711471533,
  };

  it('meets 404 on the retry: reported done (confirmed gone), not failed', async () => {
    nock('https://api.openai.com')
      .get(path)
      .reply(200, existing)
      .delete(path)
      .delay(400)
      .reply(200, { object: 'organization.project.api_key.deleted', id: 'key_abc', deleted: true })
      .delete(path)
      .reply(404, { error: { message: 'No such API key: key_abc', type: 'invalid_request_error' } });
    const ctx = runContext(openaiAdapter, settings, secrets, { timeoutMs: 100 });
    const outcome = await openaiAdapter.execute(ctx);
    expect(outcome.detail).toMatch(
      /project API key deleted \(confirmed gone: 404 after an attempt whose answer was lost\)/,
    );
    expect(ctx.http.attempts.map((a) => a.error ?? a.status)).toEqual([200, 'timeout', 404]);
  });

  it('a 404 on the first attempt (nothing uncertain) is still a failure', async () => {
    nock('https://api.openai.com')
      .get(path)
      .reply(200, existing)
      .delete(path)
      .reply(404, { error: { message: 'No such API key: key_abc', type: 'invalid_request_error' } });
    await expect(openaiAdapter.execute(runContext(openaiAdapter, settings, secrets))).rejects.toMatchObject({
      details: { status: 404 },
    });
  });
});

describe('kubernetes: verify waits until no pod of the workload runs', () => {
  const origin = 'https://k8s.test:6443';
  const base = '/apis/apps/v1/namespaces/agents/deployments/support-agent';
  const secrets = { token: 'eyJhbGciOiJSUzI1NiJ9.k8s-token-0123456789' };
  const pods = (...phases: string[]) => ({
    items: phases.map((phase, i) => ({ metadata: { name: `support-agent-${i}` }, status: { phase } })),
  });
  const settings = (stopTimeoutSeconds: number) => ({
    apiServer: origin,
    namespace: 'agents',
    kind: 'deployment',
    name: 'support-agent',
    stopTimeoutSeconds,
    pollIntervalMs: 20,
  });
  const readBack = () =>
    nock(origin)
      .get(`${base}/scale`)
      .reply(200, { spec: { replicas: 0 }, status: { replicas: 2 } })
      .get(base)
      .reply(200, { spec: { selector: { matchLabels: { app: 'support-agent' } } } });

  it('replicas 0 with pods still terminating is not verified until the last one is gone', async () => {
    readBack()
      .get('/api/v1/namespaces/agents/pods')
      .query({ labelSelector: 'app=support-agent' })
      .reply(200, pods('Running', 'Running'))
      .get('/api/v1/namespaces/agents/pods')
      .query({ labelSelector: 'app=support-agent' })
      .reply(200, pods('Running', 'Succeeded'))
      .get('/api/v1/namespaces/agents/pods')
      .query({ labelSelector: 'app=support-agent' })
      .reply(200, pods('Succeeded', 'Failed'));
    const ctx = runContext(kubernetesAdapter, settings(10), secrets);
    const outcome = await kubernetesAdapter.verify(ctx, {}, 'execute');
    expect(outcome).toMatchObject({ verified: true, observed: 'replicas 0; no pod running' });
    expect(ctx.http.attempts.filter((a) => a.url.includes('/pods')).length).toBe(3);
  });

  it('the wait is bounded: pods still running after the stop timeout are named, not verified', async () => {
    readBack()
      .get('/api/v1/namespaces/agents/pods')
      .query({ labelSelector: 'app=support-agent' })
      .times(200)
      .reply(200, pods('Running'));
    const started = Date.now();
    const outcome = await kubernetesAdapter.verify(
      runContext(kubernetesAdapter, settings(1), secrets),
      {},
      'execute',
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(outcome).toMatchObject({
      verified: false,
      observed: 'replicas 0; 1 pod(s) still running after 1 s: support-agent-0',
      inFlight: ['support-agent-0'],
    });
    nock.cleanAll();
  });
});

describe('kubernetes credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quell-k8s-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a token file is read on every call: a rotated token is used at once, and never shown in a plan', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'projected-token-AAAA-0001\n');
    const seen: string[] = [];
    const scope = nock('https://k8s.test:6443')
      .persist()
      .get('/apis/batch/v1/namespaces/agents/cronjobs/agent-nightly')
      .reply(function () {
        seen.push(String(this.req.headers.authorization));
        return [200, { spec: { suspend: seen.length > 1 }, status: {} }];
      })
      .patch('/apis/batch/v1/namespaces/agents/cronjobs/agent-nightly')
      .reply(function () {
        seen.push(String(this.req.headers.authorization));
        return [200, { spec: { suspend: true } }];
      });
    const settings = {
      apiServer: 'https://k8s.test:6443',
      namespace: 'agents',
      kind: 'cronjob',
      name: 'agent-nightly',
      tokenFile,
    };
    const ctx = runContext(kubernetesAdapter, settings, {});
    const state = (await kubernetesAdapter.execute(ctx)).state!;
    writeFileSync(tokenFile, 'projected-token-BBBB-0002\n');
    await kubernetesAdapter.verify(
      { ...ctx, http: runContext(kubernetesAdapter, settings, {}).http },
      state,
      'execute',
    );
    expect(seen).toEqual([
      'Bearer projected-token-AAAA-0001',
      'Bearer projected-token-AAAA-0001',
      'Bearer projected-token-BBBB-0002',
    ]);
    const plan = JSON.stringify(kubernetesAdapter.plan('execute', ctx));
    expect(plan).toContain(`Bearer [token read from ${tokenFile}]`);
    expect(plan).not.toContain('projected-token');
    scope.persist(false);
    nock.cleanAll();
  });

  it('in a pod: the service account token and CA, and the in-cluster API server', () => {
    const ctx = runContext(
      kubernetesAdapter,
      { inCluster: true, namespace: 'agents', kind: 'deployment', name: 'agent' },
      {},
    );
    expect((ctx.settings as { apiServer: string }).apiServer).toBe('https://kubernetes.default.svc');
    const [read] = kubernetesAdapter.plan('execute', ctx);
    expect(read).toMatchObject({
      url: 'https://kubernetes.default.svc/apis/apps/v1/namespaces/agents/deployments/agent/scale',
      headers: {
        authorization: 'Bearer [token read from /var/run/secrets/kubernetes.io/serviceaccount/token]',
      },
    });
    expect(() =>
      kubernetesAdapter.settingsSchema.parse({ namespace: 'a', kind: 'deployment', name: 'b' }),
    ).toThrow(/set apiServer \(or inCluster: true\)/);
  });

  describe('a private-CA API server', () => {
    let server: Server;
    let origin: string;
    const caFile = join(dir, 'ca.crt');
    beforeAll(async () => {
      const keyFile = join(dir, 'server.key');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          keyFile,
          '-out',
          caFile,
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            spec: { replicas: 2 },
            status: { replicas: 2 },
            seenAuth: req.headers.authorization,
          }),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is trusted with the configured CA bundle, and refused without it', async () => {
      const settings = { apiServer: origin, namespace: 'agents', kind: 'deployment', name: 'agent' };
      const secrets = { token: 'eyJhbGciOiJSUzI1NiJ9.k8s-token-ca-0123' };
      const trusted = runContext(kubernetesAdapter, { ...settings, caFile }, secrets);
      const outcome = await kubernetesAdapter.execute(trusted);
      expect(outcome.state?.prior).toMatchObject({ value: { replicas: 2 } });

      const untrusted = runContext(kubernetesAdapter, settings, secrets, { maxAttempts: 1 });
      await expect(kubernetesAdapter.execute(untrusted)).rejects.toThrow(/could not connect/);
    });
  });
});

describe('controls stay verified: drift', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  const LD = 'https://app.launchdarkly.com';
  const FLAG = '/api/v2/flags/support/agent-email-tool';
  const flag = (on: boolean) => ({ key: 'agent-email-tool', environments: { production: { on } } });

  async function ldHarness() {
    return containmentHarness({
      containment: {
        reverify: '5m',
        actions: {
          'flag-off': {
            adapter: 'launchdarkly',
            settings: { projectKey: 'support', environmentKey: 'production', flagKey: 'agent-email-tool' },
            secrets: { apiToken: 'LD_TOKEN' },
          },
        },
      },
      env: { LD_TOKEN: 'api-0123456789abcdef-launchdarkly' },
    });
  }

  /** A LaunchDarkly flag someone can flip behind Quell's back. */
  function flagTarget() {
    const state = { on: true, patches: [] as string[] };
    nock(LD)
      .persist()
      .get(FLAG)
      .query({ env: 'production' })
      .reply(() => [200, flag(state.on)]);
    nock(LD)
      .persist()
      .patch(FLAG)
      .reply((_uri, body) => {
        const kind = (body as { instructions: { kind: string }[] }).instructions[0]!.kind;
        state.patches.push(kind);
        state.on = kind === 'turnFlagOn';
        return [200, flag(state.on)];
      });
    return state;
  }

  it('a flag turned back on is caught, alerted with Re-apply, shown in status and to the restart gate, and re-applied in one click', async () => {
    harness = await ldHarness();
    const { services, incident, slack } = harness;
    const target = flagTarget();
    await runContainment(harness, COMMANDER, 'flag-off');

    // the next check is a durable job on the re-verify grid
    const [reverifyJob] = services.containment.jobTypes;
    const slot = nextSlot(harness.clock.now(), 5 * 60_000);
    expect(
      await services.jobs.job(reverifyJob!, jobIdOf('containment-reverify', incident.id, slot.getTime())),
    ).toBeDefined();

    // holds: nothing to report
    expect(await services.containment.reverify(incident.id)).toMatchObject([{ runId: 'r1', verified: true }]);
    expect(slack.callsTo('chat.postMessage').filter((c) => String(c.params.text).includes('drift'))).toEqual(
      [],
    );

    // someone turns the flag back on
    target.on = true;
    slack.calls.length = 0;
    const drifted = await services.containment.reverify(incident.id);
    expect(drifted).toMatchObject([
      { runId: 'r1', verified: false, driftSince: harness.clock.now().toISOString(), observed: 'on: true' },
    ]);
    expect(await services.containment.controls(incident.id)).toEqual(drifted);
    const audit = await services.containment.audit(incident.id);
    expect(audit.at(-1)).toMatchObject({
      event: 'drift',
      outcome: 'not_verified',
      actor: 'quell',
      runId: 'r1',
    });
    const timeline = await services.incidents.timeline(incident.id);
    expect(timeline.at(-1)).toMatchObject({ kind: 'containment_drift' });
    const alert = slack
      .callsTo('chat.postMessage')
      .find((c) => String(c.params.text).startsWith('Containment drift'))!;
    expect(alert.params.channel).toBe(incident.channelId);
    const button = JSON.stringify(alert.params.blocks).match(
      /"action_id":"quell_containment_reapply","value":"([^"]+)"/,
    );
    expect(button).not.toBeNull();
    const status = services.containment.statusMessage(
      incident.id,
      await services.containment.status(incident.id),
    );
    expect(JSON.stringify(status.blocks)).toContain('DRIFT since');

    // still drifting at the next check: no second alert
    slack.calls.length = 0;
    await services.containment.reverify(incident.id);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    // ...until the alert's Re-apply has expired (15 min): then a fresh alert with a fresh button
    harness.clock.advance(15 * 60_000);
    await services.containment.reverify(incident.id);
    const fresh = slack
      .callsTo('chat.postMessage')
      .filter((c) => String(c.params.text).startsWith('Containment drift'));
    expect(fresh).toHaveLength(1);
    expect(JSON.stringify(fresh[0]!.params.blocks)).not.toContain(button![1]!);
    expect((await services.containment.controls(incident.id))[0]!.driftSince).toBe(drifted[0]!.driftSince);

    // someone who may not re-apply is refused and does not use up the button
    const token = button![1]!;
    await expect(services.containment.reapply(token, OUTSIDER)).rejects.toThrow(/not authorized/);
    // two clicks at once: one re-apply
    const clicks = await Promise.allSettled([
      services.containment.reapply(token, TECH_LEAD),
      services.containment.reapply(token, COMMANDER),
    ]);
    expect(clicks.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
    expect(String((clicks.find((c) => c.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(
      /already used/,
    );
    const report = (
      clicks.find((c) => c.status === 'fulfilled') as PromiseFulfilledResult<{
        groups: { state: string; verify?: { outcome: string } }[][];
      }>
    ).value;
    expect(report.groups[0]![0]).toMatchObject({ state: 'ok', verify: { outcome: 'verified' } });
    expect(target.patches).toEqual(['turnFlagOff', 'turnFlagOff']);
    expect(target.on).toBe(false);
    expect(await services.containment.controls(incident.id)).toMatchObject([{ runId: 'r1', verified: true }]);
    expect((await services.containment.controls(incident.id))[0]!.driftSince).toBeUndefined();
    // undo still restores the state from before the incident (on), not the drifted one
    const [run] = await services.containment.runs(incident.id);
    expect(run!.state.prior).toMatchObject({ value: { on: true } });
    expect((await services.incidents.timeline(incident.id)).at(-1)).toMatchObject({
      kind: 'containment_reapplied',
    });
  });

  it('LiteLLM: "effective on every proxy by <time>" from the cache TTL, and a re-verify scheduled then', async () => {
    harness = await containmentHarness({
      containment: {
        actions: {
          'block-key': {
            adapter: 'litellm',
            settings: { baseUrl: 'https://litellm.test', keyCacheTtlSeconds: 90 },
            args: { key: '5f1c0e7a9b2d4c6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e' },
            secrets: { masterKey: 'LITELLM_MASTER_KEY' },
          },
        },
      },
      env: { LITELLM_MASTER_KEY: 'sk-master-0123456789abcdef' },
    });
    const key = '5f1c0e7a9b2d4c6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e';
    nock('https://litellm.test')
      .get('/key/info')
      .query({ key })
      .reply(200, { key, info: { blocked: false } })
      .post('/key/block', { key })
      .reply(200, { blocked: true })
      .get('/key/info')
      .query({ key })
      .reply(200, { key, info: { blocked: true } });
    const { services, incident, slack } = harness;
    const report = await runContainment(harness, COMMANDER, 'block-key');
    const effectiveBy = new Date(harness.clock.now().getTime() + 90_000).toISOString();
    expect(report.groups[0]![0]!.verify).toMatchObject({ outcome: 'verified', effectiveBy });
    expect(JSON.stringify(slack.callsTo('chat.update').at(-1)!.params.blocks)).toContain(
      'effective on every proxy by',
    );
    const [reverifyJob] = services.containment.jobTypes;
    expect(
      await services.jobs.job(
        reverifyJob!,
        jobIdOf('containment-reverify', incident.id, Date.parse(effectiveBy)),
      ),
    ).toBeDefined();
    expect(await services.containment.controls(incident.id)).toMatchObject([{ verified: true, effectiveBy }]);
  });
});
