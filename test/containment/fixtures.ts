import { createHash, createHmac } from 'node:crypto';
import { anthropicAdapter } from '../../src/containment/adapters/anthropic.js';
import { githubAdapter } from '../../src/containment/adapters/github.js';
import { kubernetesAdapter } from '../../src/containment/adapters/kubernetes.js';
import { launchdarklyAdapter } from '../../src/containment/adapters/launchdarkly.js';
import { litellmAdapter } from '../../src/containment/adapters/litellm.js';
import { openaiAdapter } from '../../src/containment/adapters/openai.js';
import { unleashAdapter } from '../../src/containment/adapters/unleash.js';
import { webhookAdapter } from '../../src/containment/adapters/webhook.js';
import type { AnyAdapter } from '../../src/containment/contract.js';
import { IDENTITY_FIXTURES } from './fixtures-identity.js';

/**
 * Per-adapter fixtures for the conformance suite, written from each vendor's documented HTTP API
 * (`docs` names the pages each request and answer is taken from): the prior-state read and the
 * change of execute, the read-backs of verify, undo to the recorded state (and when the target was
 * already contained), the cancellation of work in flight, and a documented error for the refusal.
 */
export interface ExpectedRequest {
  method: string;
  origin: string;
  path: string;
  query?: Record<string, string>;
  /** Exactly these headers (beyond transport ones such as host and content-length). */
  headers: Record<string, string>;
  json?: unknown;
  rawBody?: string;
  /** Its target is found at run time (a run id, a Job name): the plan shows it as a template. */
  dynamic?: true;
  /** Headers as the plan shows them when they differ from the wire (a JWT signed at run time). */
  plannedHeaders?: Record<string, string>;
  /** The body as the plan shows it when it differs from the wire (an assertion signed at run time). */
  plannedRawBody?: string;
  /** Fetches an access token (OAuth): it comes before the prior-state read and changes nothing. */
  credential?: true;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Exchange extends ExpectedRequest {
  reply: Reply;
}

export interface FixtureContext {
  incidentId: string;
  actionName: string;
  idempotencyKey: string;
  now: Date;
}

export interface AdapterFixture {
  name: string;
  adapter: AnyAdapter;
  /** The vendor pages the exchanges come from. */
  docs: string[];
  settings: Record<string, unknown>;
  args?: Record<string, string>;
  secrets: Record<string, string>;
  /** Against a target in its normal state: prior-state read, then the change. */
  execute(ctx: FixtureContext): Exchange[];
  /** What execute records as the prior state (`state.prior.value`). */
  prior: Record<string, unknown>;
  verify: { inForce: Exchange[]; notInForce: Exchange[]; lifted?: Exchange[] };
  /** Undo after `execute`: restores `prior`. */
  undo?(ctx: FixtureContext): Exchange[];
  /** The target was already contained before Quell acted: undo must leave it so. */
  alreadyContained?: {
    execute(ctx: FixtureContext): Exchange[];
    prior: Record<string, unknown>;
    undo: Exchange[];
    /** Verify after that undo: still contained, and that is right. */
    stillContained: Exchange[];
  };
  /** Work was running when the control went in: execute stops it; verify lists what still runs. */
  inFlight?: { execute(ctx: FixtureContext): Exchange[]; stillRunning: Exchange[]; mentions: string };
  /** A documented 4xx refusal (answering execute's first request) and the words it must carry. */
  refusal: { reply: Reply; mentions: string };
  irreversible?: boolean;
}

const json = { 'content-type': 'application/json' };

function webhookFixture(): AdapterFixture {
  const secrets = { signingSecret: 'whsec-0123456789abcdef-webhook', token: 'wh-token-abcdef0123456789' };
  const origin = 'https://killswitch.test';
  const event = (ctx: FixtureContext, type: 'execute' | 'undo' | 'cancel_runs') => {
    const key = type === 'execute' ? ctx.idempotencyKey : `${ctx.idempotencyKey}-${type.replace('_', '-')}`;
    const rawBody = JSON.stringify({
      type: `quell.containment.${type}`,
      action: ctx.actionName,
      incident: ctx.incidentId,
      at: ctx.now.toISOString(),
      idempotencyKey: key,
      args: { reason: 'deleted-mail' },
    });
    const timestamp = String(Math.floor(ctx.now.getTime() / 1000));
    return {
      rawBody,
      headers: {
        ...json,
        'x-quell-timestamp': timestamp,
        'x-quell-signature': `v1=${createHmac('sha256', secrets.signingSecret).update(`${timestamp}.${rawBody}`).digest('hex')}`,
        'idempotency-key': key,
        authorization: `Bearer ${secrets.token}`,
      },
    };
  };
  const state = (active: boolean, runsInProgress: string[] = []): Exchange => ({
    method: 'GET',
    origin,
    path: '/agents/support/state',
    headers: { accept: 'application/json', authorization: `Bearer ${secrets.token}` },
    reply: { status: 200, body: { active, runsInProgress } },
  });
  const kill = (ctx: FixtureContext): Exchange => ({
    method: 'POST',
    origin,
    path: '/agents/support/kill',
    ...event(ctx, 'execute'),
    reply: { status: 202, body: { accepted: true } },
  });
  const cancelRuns = (ctx: FixtureContext, cancelled: string[]): Exchange => ({
    method: 'POST',
    origin,
    path: '/agents/support/cancel-runs',
    ...event(ctx, 'cancel_runs'),
    reply: { status: 202, body: { cancelled } },
  });
  return {
    name: 'webhook',
    adapter: webhookAdapter,
    // Quell's own contract, documented in the adapter and the README ("Webhook adapter")
    docs: ['README.md#webhook-adapter', 'src/containment/adapters/webhook.ts'],
    settings: {
      url: `${origin}/agents/support/kill`,
      verifyUrl: `${origin}/agents/support/state`,
      undoUrl: `${origin}/agents/support/revive`,
      cancelRunsUrl: `${origin}/agents/support/cancel-runs`,
    },
    args: { reason: 'deleted-mail' },
    secrets,
    execute: (ctx) => [state(false), kill(ctx), cancelRuns(ctx, [])],
    prior: { active: false },
    verify: { inForce: [state(true)], notInForce: [state(false)], lifted: [state(false)] },
    undo: (ctx) => [
      {
        method: 'POST',
        origin,
        path: '/agents/support/revive',
        ...event(ctx, 'undo'),
        reply: { status: 200, body: {} },
      },
    ],
    alreadyContained: {
      execute: (ctx) => [state(true), kill(ctx), cancelRuns(ctx, [])],
      prior: { active: true },
      undo: [],
      stillContained: [state(true)],
    },
    inFlight: {
      execute: (ctx) => [state(false, ['job-81']), kill(ctx), cancelRuns(ctx, ['job-81'])],
      stillRunning: [state(true, ['job-81'])],
      mentions: 'runs still in progress: job-81',
    },
    refusal: {
      reply: { status: 409, body: { error: 'agent already stopped by another key' } },
      mentions: 'agent already stopped',
    },
  };
}

function litellmFixture(): AdapterFixture {
  const secrets = { masterKey: 'sk-master-0123456789abcdef', agentKey: 'sk-agent-fedcba9876543210' };
  // LiteLLM stores and accepts a key by its hashed token: SHA-256 hex of the raw key
  const hashed = createHash('sha256').update(secrets.agentKey).digest('hex');
  const origin = 'https://litellm.test';
  const auth = { authorization: `Bearer ${secrets.masterKey}` };
  const info = (blocked: boolean | null): Exchange => ({
    method: 'GET',
    origin,
    path: '/key/info',
    query: { key: hashed },
    headers: auth,
    reply: {
      status: 200,
      body: { key: hashed, info: { key_alias: 'support-agent', blocked, spend: 12.5, models: ['gpt-4o'] } },
    },
  });
  const change = (to: 'block' | 'unblock'): Exchange => ({
    method: 'POST',
    origin,
    path: `/key/${to}`,
    headers: { ...auth, ...json },
    json: { key: hashed },
    reply: { status: 200, body: { token: hashed, key_alias: 'support-agent', blocked: to === 'block' } },
  });
  return {
    name: 'litellm',
    adapter: litellmAdapter,
    docs: [
      'https://docs.litellm.ai/docs/proxy/virtual_keys',
      'https://docs.litellm.ai/docs/proxy/config_settings',
    ],
    settings: { baseUrl: origin },
    secrets,
    execute: () => [info(null), change('block')],
    prior: { blocked: false },
    verify: { inForce: [info(true)], notInForce: [info(false)], lifted: [info(false)] },
    undo: () => [change('unblock')],
    alreadyContained: {
      execute: () => [info(true), change('block')],
      prior: { blocked: true },
      undo: [],
      stillContained: [info(true)],
    },
    refusal: {
      reply: {
        status: 401,
        body: {
          error: {
            message: 'Authentication Error, only proxy admins can read key info',
            type: 'auth_error',
            param: 'None',
            code: '401',
          },
        },
      },
      mentions: 'only proxy admins can read key info',
    },
  };
}

function launchdarklyFixture(): AdapterFixture {
  const secrets = { apiToken: 'api-0123456789abcdef-launchdarkly' };
  const origin = 'https://app.launchdarkly.com';
  const flag = (on: boolean) => ({
    status: 200,
    body: {
      key: 'agent-email-tool',
      name: 'Agent email tool',
      environments: { production: { on, archived: false } },
    },
  });
  const read = (on: boolean): Exchange => ({
    method: 'GET',
    origin,
    path: '/api/v2/flags/support/agent-email-tool',
    query: { env: 'production' },
    headers: { authorization: secrets.apiToken },
    reply: flag(on),
  });
  const patch = (ctx: FixtureContext, kind: string, comment: string): Exchange => ({
    method: 'PATCH',
    origin,
    path: '/api/v2/flags/support/agent-email-tool',
    headers: {
      authorization: secrets.apiToken,
      'content-type': 'application/json; domain-model=launchdarkly.semanticpatch',
    },
    json: {
      environmentKey: 'production',
      instructions: [{ kind }],
      comment: `Quell ${ctx.incidentId}: ${comment} (${ctx.actionName})`,
    },
    reply: flag(kind === 'turnFlagOn'),
  });
  return {
    name: 'launchdarkly',
    adapter: launchdarklyAdapter,
    docs: [
      'https://launchdarkly.com/docs/api/feature-flags/get-feature-flag',
      'https://launchdarkly.com/docs/api/feature-flags/update-feature-flag',
    ],
    settings: { projectKey: 'support', environmentKey: 'production', flagKey: 'agent-email-tool' },
    secrets,
    execute: (ctx) => [read(true), patch(ctx, 'turnFlagOff', 'containment')],
    prior: { on: true },
    verify: { inForce: [read(false)], notInForce: [read(true)], lifted: [read(true)] },
    undo: (ctx) => [patch(ctx, 'turnFlagOn', 'undo')],
    alreadyContained: {
      execute: (ctx) => [read(false), patch(ctx, 'turnFlagOff', 'containment')],
      prior: { on: false },
      undo: [],
      stillContained: [read(false)],
    },
    refusal: {
      reply: {
        status: 403,
        body: { code: 'forbidden', message: 'Access to the requested resource was denied.' },
      },
      mentions: 'Access to the requested resource was denied',
    },
  };
}

function unleashFixture(): AdapterFixture {
  const secrets = { apiToken: 'user:0123456789abcdef-unleash-pat' };
  const origin = 'https://unleash.test';
  const path = '/api/admin/projects/default/features/agent-autonomy/environments/production';
  const headers = { authorization: secrets.apiToken, accept: 'application/json' };
  const read = (enabled: boolean): Exchange => ({
    method: 'GET',
    origin,
    path,
    headers,
    reply: {
      status: 200,
      body: { name: 'agent-autonomy', environmentName: 'production', enabled, strategies: [] },
    },
  });
  const toggle = (to: 'on' | 'off'): Exchange => ({
    method: 'POST',
    origin,
    path: `${path}/${to}`,
    headers,
    reply: { status: 200 },
  });
  return {
    name: 'unleash',
    adapter: unleashAdapter,
    docs: [
      'https://docs.getunleash.io/api/get-feature-environment',
      'https://docs.getunleash.io/api/toggle-feature-environment-off',
      'https://docs.getunleash.io/api/toggle-feature-environment-on',
    ],
    settings: { baseUrl: origin, feature: 'agent-autonomy', environment: 'production' },
    secrets,
    execute: () => [read(true), toggle('off')],
    prior: { enabled: true },
    verify: { inForce: [read(false)], notInForce: [read(true)], lifted: [read(true)] },
    undo: () => [toggle('on')],
    alreadyContained: {
      execute: () => [read(false), toggle('off')],
      prior: { enabled: false },
      undo: [],
      stillContained: [read(false)],
    },
    refusal: {
      reply: {
        status: 404,
        body: { id: 'b2f7', name: 'NotFoundError', message: 'Could not find feature flag agent-autonomy' },
      },
      mentions: 'Could not find feature flag agent-autonomy',
    },
  };
}

const K8S_ORIGIN = 'https://k8s.test:6443';

function kubernetesDeploymentFixture(): AdapterFixture {
  const secrets = { token: 'eyJhbGciOiJSUzI1NiJ9.k8s-token-0123456789' };
  const path = '/apis/apps/v1/namespaces/agents/deployments/support-agent';
  const headers = { authorization: `Bearer ${secrets.token}`, accept: 'application/json' };
  const scale = (spec: number, status: number) => ({
    status: 200,
    body: {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'support-agent', namespace: 'agents', resourceVersion: '4182' },
      spec: { replicas: spec },
      status: { replicas: status, selector: 'app=support-agent' },
    },
  });
  const readScale = (spec: number, status: number): Exchange => ({
    method: 'GET',
    origin: K8S_ORIGIN,
    path: `${path}/scale`,
    headers,
    reply: scale(spec, status),
  });
  const patch = (replicas: number): Exchange => ({
    method: 'PATCH',
    origin: K8S_ORIGIN,
    path: `${path}/scale`,
    headers: { ...headers, 'content-type': 'application/merge-patch+json' },
    json: { spec: { replicas } },
    reply: scale(replicas, 3),
  });
  const deployment: Exchange = {
    method: 'GET',
    origin: K8S_ORIGIN,
    path,
    headers,
    reply: {
      status: 200,
      body: {
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        metadata: { name: 'support-agent', namespace: 'agents' },
        spec: { replicas: 0, selector: { matchLabels: { app: 'support-agent' } } },
      },
    },
  };
  const pods = (phases: string[]): Exchange => ({
    method: 'GET',
    origin: K8S_ORIGIN,
    path: '/api/v1/namespaces/agents/pods',
    query: { labelSelector: 'app=support-agent' },
    headers,
    dynamic: true,
    reply: {
      status: 200,
      body: {
        kind: 'PodList',
        apiVersion: 'v1',
        items: phases.map((phase, i) => ({
          metadata: { name: `support-agent-7d9c-${i}`, namespace: 'agents' },
          status: { phase },
        })),
      },
    },
  });
  return {
    name: 'kubernetes (Deployment)',
    adapter: kubernetesAdapter,
    docs: [
      'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/',
      'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/',
    ],
    settings: {
      apiServer: K8S_ORIGIN,
      namespace: 'agents',
      kind: 'deployment',
      name: 'support-agent',
      stopTimeoutSeconds: 0,
      pollIntervalMs: 10,
    },
    secrets,
    execute: () => [readScale(3, 3), patch(0)],
    prior: { replicas: 3 },
    verify: {
      inForce: [readScale(0, 0), deployment, pods(['Succeeded'])],
      notInForce: [readScale(3, 3)],
      lifted: [readScale(3, 1)],
    },
    undo: () => [patch(3)],
    alreadyContained: {
      execute: () => [readScale(0, 0), patch(0)],
      prior: { replicas: 0 },
      undo: [],
      stillContained: [readScale(0, 0)],
    },
    inFlight: {
      // scaling to 0 stops the pods (the ReplicaSet deletes them); verify names those still running
      execute: () => [readScale(3, 3), patch(0)],
      stillRunning: [readScale(0, 2), deployment, pods(['Running', 'Running', 'Succeeded'])],
      mentions: '2 pod(s) still running after 0 s: support-agent-7d9c-0, support-agent-7d9c-1',
    },
    refusal: {
      reply: {
        status: 403,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message:
            'deployments.apps "support-agent" is forbidden: User "system:serviceaccount:quell:quell" cannot get resource "deployments/scale"',
          reason: 'Forbidden',
          details: { name: 'support-agent', group: 'apps', kind: 'deployments' },
          code: 403,
        },
      },
      mentions: 'cannot get resource "deployments/scale"',
    },
  };
}

function kubernetesCronJobFixture(): AdapterFixture {
  const secrets = { token: 'eyJhbGciOiJSUzI1NiJ9.k8s-token-cron-0123' };
  const path = '/apis/batch/v1/namespaces/agents/cronjobs/agent-nightly';
  const jobPath = '/apis/batch/v1/namespaces/agents/jobs/agent-nightly-29001';
  const headers = { authorization: `Bearer ${secrets.token}`, accept: 'application/json' };
  const patchHeaders = { ...headers, 'content-type': 'application/merge-patch+json' };
  const cron = (suspend: boolean, active: string[] = []) => ({
    status: 200,
    body: {
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      metadata: { name: 'agent-nightly' },
      spec: { schedule: '0 2 * * *', suspend },
      status: {
        active: active.map((name) => ({ kind: 'Job', namespace: 'agents', name, apiVersion: 'batch/v1' })),
      },
    },
  });
  const read = (suspend: boolean, active: string[] = []): Exchange => ({
    method: 'GET',
    origin: K8S_ORIGIN,
    path,
    headers,
    reply: cron(suspend, active),
  });
  const patch = (suspend: boolean): Exchange => ({
    method: 'PATCH',
    origin: K8S_ORIGIN,
    path,
    headers: patchHeaders,
    json: { spec: { suspend } },
    reply: cron(suspend),
  });
  const job = (suspend: boolean, active: number) => ({
    status: 200,
    body: {
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: { name: 'agent-nightly-29001', namespace: 'agents' },
      spec: { suspend, parallelism: 1 },
      status: { active, startTime: '2026-11-21T02:00:00Z' },
    },
  });
  const suspendJob = (suspend: boolean): Exchange => ({
    method: 'PATCH',
    origin: K8S_ORIGIN,
    path: jobPath,
    headers: patchHeaders,
    json: { spec: { suspend } },
    dynamic: true,
    reply: job(suspend, 1),
  });
  return {
    name: 'kubernetes (CronJob)',
    adapter: kubernetesAdapter,
    docs: [
      'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/cron-job-v1/',
      'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/job-v1/',
      'https://kubernetes.io/docs/concepts/workloads/controllers/job/#suspending-a-job',
    ],
    settings: {
      apiServer: K8S_ORIGIN,
      namespace: 'agents',
      kind: 'cronjob',
      name: 'agent-nightly',
      stopTimeoutSeconds: 0,
      pollIntervalMs: 10,
    },
    secrets,
    execute: () => [read(false), patch(true)],
    prior: { suspend: false, suspendedJobs: [] },
    verify: { inForce: [read(true)], notInForce: [read(false)], lifted: [read(false)] },
    undo: () => [patch(false)],
    alreadyContained: {
      execute: () => [read(true), patch(true)],
      prior: { suspend: true, suspendedJobs: [] },
      undo: [],
      stillContained: [read(true)],
    },
    inFlight: {
      // the running Job is suspended (its record and history stay; never deleted)
      execute: () => [read(false, ['agent-nightly-29001']), patch(true), suspendJob(true)],
      stillRunning: [
        read(true, ['agent-nightly-29001']),
        { method: 'GET', origin: K8S_ORIGIN, path: jobPath, headers, dynamic: true, reply: job(true, 1) },
      ],
      mentions: 'Jobs still running: agent-nightly-29001',
    },
    refusal: {
      reply: {
        status: 404,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: 'cronjobs.batch "agent-nightly" not found',
          reason: 'NotFound',
          code: 404,
        },
      },
      mentions: 'cronjobs.batch "agent-nightly" not found',
    },
  };
}

function anthropicFixture(): AdapterFixture {
  const secrets = { adminKey: 'sk-ant-admin01-0123456789abcdef' };
  const origin = 'https://api.anthropic.com';
  const path = '/v1/organizations/api_keys/apikey_01Rj2N8SVvo6BePZj99NhmiT';
  const headers = { 'x-api-key': secrets.adminKey, 'anthropic-version': '2023-06-01' };
  const key = (status: string) => ({
    status: 200,
    body: {
      type: 'api_key',
      id: 'apikey_01Rj2N8SVvo6BePZj99NhmiT',
      name: 'support-agent',
      status,
      partial_key_hint: 'sk-ant-api03-R2D...igAA',
      created_at: '2026-01-10T12:00:00Z',
      workspace_id: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ',
    },
  });
  const read = (status: string): Exchange => ({ method: 'GET', origin, path, headers, reply: key(status) });
  const update = (status: string): Exchange => ({
    method: 'POST',
    origin,
    path,
    headers: { ...headers, ...json },
    json: { status },
    reply: key(status),
  });
  return {
    name: 'anthropic',
    adapter: anthropicAdapter,
    docs: [
      'https://platform.claude.com/docs/en/api/admin/api_keys/retrieve',
      'https://platform.claude.com/docs/en/api/admin/api_keys/update',
    ],
    settings: { apiKeyId: 'apikey_01Rj2N8SVvo6BePZj99NhmiT' },
    secrets,
    execute: () => [read('active'), update('inactive')],
    prior: { status: 'active' },
    verify: { inForce: [read('inactive')], notInForce: [read('active')], lifted: [read('active')] },
    undo: () => [update('active')],
    alreadyContained: {
      execute: () => [read('inactive'), update('inactive')],
      prior: { status: 'inactive' },
      undo: [],
      stillContained: [read('inactive')],
    },
    refusal: {
      reply: {
        status: 404,
        body: { type: 'error', error: { type: 'not_found_error', message: 'API key not found' } },
      },
      mentions: 'API key not found',
    },
  };
}

function openaiFixture(): AdapterFixture {
  const secrets = { adminKey: 'sk-admin-0123456789abcdef-openai' };
  const origin = 'https://api.openai.com';
  const path = '/v1/organization/projects/proj_abc/api_keys/key_abc';
  const headers = { authorization: `Bearer ${secrets.adminKey}` };
  const existing = {
    status: 200,
    body: {
      object: 'organization.project.api_key',
      id: 'key_abc',
      name: 'support-agent',
      redacted_value: 'sk-abc...def',
      created_at: 1711471533,
      owner: { type: 'service_account', service_account: { id: 'svc_acct_abc', name: 'agent' } },
    },
  };
  const gone = {
    status: 404,
    body: {
      error: { message: 'No such API key: key_abc', type: 'invalid_request_error', param: null, code: null },
    },
  };
  const read = (reply: Reply): Exchange => ({ method: 'GET', origin, path, headers, reply });
  return {
    name: 'openai',
    adapter: openaiAdapter,
    docs: [
      'https://developers.openai.com/api/reference/resources/organization/subresources/projects/subresources/api_keys/methods/retrieve',
      'https://developers.openai.com/api/reference/resources/organization/subresources/projects/subresources/api_keys/methods/delete',
    ],
    settings: { projectId: 'proj_abc', target: 'api_key', id: 'key_abc' },
    secrets,
    irreversible: true,
    execute: () => [
      read(existing),
      {
        method: 'DELETE',
        origin,
        path,
        headers,
        reply: {
          status: 200,
          body: { object: 'organization.project.api_key.deleted', id: 'key_abc', deleted: true },
        },
      },
    ],
    prior: { id: 'key_abc', name: 'support-agent', createdAt: 1711471533 },
    verify: { inForce: [read(gone)], notInForce: [read(existing)] },
    refusal: {
      reply: {
        status: 401,
        body: {
          error: {
            message: 'Invalid admin key provided.',
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        },
      },
      mentions: 'Invalid admin key provided.',
    },
  };
}

function githubFixture(): AdapterFixture {
  const secrets = { token: 'ghp_0123456789abcdefghijABCDEFGHIJ012345' };
  const origin = 'https://api.github.com';
  const path = '/repos/acme/support-agent/actions/workflows/agent.yml';
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${secrets.token}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': 'quell-containment',
  };
  const workflow = (state: string): Exchange => ({
    method: 'GET',
    origin,
    path,
    headers,
    reply: {
      status: 200,
      body: {
        id: 161335,
        node_id: 'MDg6V29ya2Zsb3cxNjEzMzU=',
        name: 'Agent',
        path: '.github/workflows/agent.yml',
        state,
      },
    },
  });
  const runs = (status: 'in_progress' | 'queued', ids: number[]): Exchange => ({
    method: 'GET',
    origin,
    path: `${path}/runs`,
    query: { status, per_page: '100' },
    headers,
    reply: {
      status: 200,
      body: {
        total_count: ids.length,
        workflow_runs: ids.map((id) => ({
          id,
          name: 'Agent',
          run_number: id - 30433600,
          status,
          html_url: `https://github.com/acme/support-agent/actions/runs/${id}`,
        })),
      },
    },
  });
  const toggle = (to: 'disable' | 'enable'): Exchange => ({
    method: 'PUT',
    origin,
    path: `${path}/${to}`,
    headers,
    reply: { status: 204 },
  });
  const cancel = (id: number): Exchange => ({
    method: 'POST',
    origin,
    path: `/repos/acme/support-agent/actions/runs/${id}/cancel`,
    headers,
    dynamic: true,
    reply: { status: 202, body: {} },
  });
  return {
    name: 'github',
    adapter: githubAdapter,
    docs: [
      'https://docs.github.com/en/rest/actions/workflows',
      'https://docs.github.com/en/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow',
      'https://docs.github.com/en/rest/actions/workflow-runs#cancel-a-workflow-run',
    ],
    settings: { owner: 'acme', repo: 'support-agent', workflow: 'agent.yml' },
    secrets,
    execute: () => [workflow('active'), toggle('disable'), runs('in_progress', []), runs('queued', [])],
    prior: { state: 'active' },
    verify: {
      inForce: [workflow('disabled_manually'), runs('in_progress', []), runs('queued', [])],
      notInForce: [workflow('active'), runs('in_progress', []), runs('queued', [])],
      lifted: [workflow('active')],
    },
    undo: () => [toggle('enable')],
    alreadyContained: {
      execute: () => [
        workflow('disabled_manually'),
        toggle('disable'),
        runs('in_progress', []),
        runs('queued', []),
      ],
      prior: { state: 'disabled_manually' },
      undo: [],
      stillContained: [workflow('disabled_manually')],
    },
    inFlight: {
      execute: () => [
        workflow('active'),
        toggle('disable'),
        runs('in_progress', [30433642]),
        runs('queued', [30433643]),
        cancel(30433642),
        cancel(30433643),
      ],
      stillRunning: [workflow('disabled_manually'), runs('in_progress', [30433642]), runs('queued', [])],
      mentions: 'runs still in progress: 30433642',
    },
    refusal: {
      reply: {
        status: 403,
        body: {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/actions/workflows#get-a-workflow',
          status: '403',
        },
      },
      mentions: 'Resource not accessible by integration',
    },
  };
}

export const FIXTURES: AdapterFixture[] = [
  webhookFixture(),
  litellmFixture(),
  launchdarklyFixture(),
  unleashFixture(),
  kubernetesDeploymentFixture(),
  kubernetesCronJobFixture(),
  anthropicFixture(),
  openaiFixture(),
  githubFixture(),
  ...IDENTITY_FIXTURES,
];
