import { createHmac } from 'node:crypto';
import { anthropicAdapter } from '../../src/containment/adapters/anthropic.js';
import { githubAdapter } from '../../src/containment/adapters/github.js';
import { kubernetesAdapter } from '../../src/containment/adapters/kubernetes.js';
import { launchdarklyAdapter } from '../../src/containment/adapters/launchdarkly.js';
import { litellmAdapter } from '../../src/containment/adapters/litellm.js';
import { openaiAdapter } from '../../src/containment/adapters/openai.js';
import { unleashAdapter } from '../../src/containment/adapters/unleash.js';
import { webhookAdapter } from '../../src/containment/adapters/webhook.js';
import type { AnyAdapter } from '../../src/containment/contract.js';

/**
 * Per-adapter fixtures for the conformance suite, written from each vendor's documented HTTP API
 * (the page is named on each adapter): the exact request for execute / verify / undo, the documented
 * success bodies, and a documented error shape for the refusal case.
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
}

export interface Reply {
  status: number;
  body?: unknown;
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
  settings: Record<string, unknown>;
  args?: Record<string, string>;
  secrets: Record<string, string>;
  execute(ctx: FixtureContext): Exchange[];
  verify: {
    request: (ctx: FixtureContext) => ExpectedRequest;
    inForce: Reply;
    notInForce: Reply;
    lifted?: Reply;
  };
  undo?(ctx: FixtureContext): Exchange[];
  /** A documented 4xx refusal and the words of it the error must carry. */
  refusal: { reply: Reply; mentions: string };
  irreversible?: boolean;
}

const json = { 'content-type': 'application/json' };

export const FIXTURES: AdapterFixture[] = [
  (() => {
    const secrets = { signingSecret: 'whsec-0123456789abcdef-webhook', token: 'wh-token-abcdef0123456789' };
    const origin = 'https://killswitch.test';
    const event = (ctx: FixtureContext, type: 'execute' | 'undo') => {
      const key = type === 'execute' ? ctx.idempotencyKey : `${ctx.idempotencyKey}-undo`;
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
    return {
      name: 'webhook',
      adapter: webhookAdapter,
      settings: {
        url: `${origin}/agents/support/kill`,
        verifyUrl: `${origin}/agents/support/state`,
        undoUrl: `${origin}/agents/support/revive`,
      },
      args: { reason: 'deleted-mail' },
      secrets,
      execute: (ctx) => [
        {
          method: 'POST',
          origin,
          path: '/agents/support/kill',
          ...event(ctx, 'execute'),
          reply: { status: 202, body: { accepted: true } },
        },
      ],
      verify: {
        request: () => ({
          method: 'GET',
          origin,
          path: '/agents/support/state',
          headers: { accept: 'application/json', authorization: `Bearer ${secrets.token}` },
        }),
        inForce: { status: 200, body: { active: true } },
        notInForce: { status: 200, body: { active: false } },
        lifted: { status: 200, body: { active: false } },
      },
      undo: (ctx) => [
        {
          method: 'POST',
          origin,
          path: '/agents/support/revive',
          ...event(ctx, 'undo'),
          reply: { status: 200, body: {} },
        },
      ],
      refusal: {
        reply: { status: 409, body: { error: 'agent already stopped by another key' } },
        mentions: 'agent already stopped',
      },
    };
  })(),
  (() => {
    const secrets = { masterKey: 'sk-master-0123456789abcdef', agentKey: 'sk-agent-fedcba9876543210' };
    const origin = 'https://litellm.test';
    const auth = { authorization: `Bearer ${secrets.masterKey}` };
    const keyInfo = (blocked: boolean) => ({
      status: 200,
      body: {
        key: secrets.agentKey,
        info: { key_alias: 'support-agent', blocked, spend: 12.5, models: ['gpt-4o'] },
      },
    });
    return {
      name: 'litellm',
      adapter: litellmAdapter,
      settings: { baseUrl: origin },
      secrets,
      execute: () => [
        {
          method: 'POST',
          origin,
          path: '/key/block',
          headers: { ...auth, ...json },
          json: { key: secrets.agentKey },
          reply: { status: 200, body: { token: 'a1b2c3hashed', key_alias: 'support-agent', blocked: true } },
        },
      ],
      verify: {
        request: () => ({
          method: 'GET',
          origin,
          path: '/key/info',
          query: { key: secrets.agentKey },
          headers: auth,
        }),
        inForce: keyInfo(true),
        notInForce: keyInfo(false),
        lifted: keyInfo(false),
      },
      undo: () => [
        {
          method: 'POST',
          origin,
          path: '/key/unblock',
          headers: { ...auth, ...json },
          json: { key: secrets.agentKey },
          reply: { status: 200, body: { token: 'a1b2c3hashed', blocked: false } },
        },
      ],
      refusal: {
        reply: {
          status: 401,
          body: {
            error: {
              message: 'Authentication Error, only proxy admins can block keys',
              type: 'auth_error',
              param: 'None',
              code: '401',
            },
          },
        },
        mentions: 'only proxy admins can block keys',
      },
    };
  })(),
  (() => {
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
      settings: { projectKey: 'support', environmentKey: 'production', flagKey: 'agent-email-tool' },
      secrets,
      execute: (ctx) => [patch(ctx, 'turnFlagOff', 'containment')],
      verify: {
        request: () => ({
          method: 'GET',
          origin,
          path: '/api/v2/flags/support/agent-email-tool',
          query: { env: 'production' },
          headers: { authorization: secrets.apiToken },
        }),
        inForce: flag(false),
        notInForce: flag(true),
        lifted: flag(true),
      },
      undo: (ctx) => [patch(ctx, 'turnFlagOn', 'undo')],
      refusal: {
        reply: {
          status: 403,
          body: { code: 'forbidden', message: 'Access to the requested resource was denied.' },
        },
        mentions: 'Access to the requested resource was denied',
      },
    };
  })(),
  (() => {
    const secrets = { apiToken: 'user:0123456789abcdef-unleash-pat' };
    const origin = 'https://unleash.test';
    const path = '/api/admin/projects/default/features/agent-autonomy/environments/production';
    const headers = { authorization: secrets.apiToken, accept: 'application/json' };
    const env = (enabled: boolean) => ({
      status: 200,
      body: { name: 'agent-autonomy', environmentName: 'production', enabled, strategies: [] },
    });
    return {
      name: 'unleash',
      adapter: unleashAdapter,
      settings: { baseUrl: origin, feature: 'agent-autonomy', environment: 'production' },
      secrets,
      execute: () => [{ method: 'POST', origin, path: `${path}/off`, headers, reply: { status: 200 } }],
      verify: {
        request: () => ({ method: 'GET', origin, path, headers }),
        inForce: env(false),
        notInForce: env(true),
        lifted: env(true),
      },
      undo: () => [{ method: 'POST', origin, path: `${path}/on`, headers, reply: { status: 200 } }],
      refusal: {
        reply: {
          status: 404,
          body: { id: 'b2f7', name: 'NotFoundError', message: 'Could not find feature flag agent-autonomy' },
        },
        mentions: 'Could not find feature flag agent-autonomy',
      },
    };
  })(),
  (() => {
    const secrets = { token: 'eyJhbGciOiJSUzI1NiJ9.k8s-token-0123456789' };
    const origin = 'https://k8s.test:6443';
    const path = '/apis/apps/v1/namespaces/agents/deployments/support-agent/scale';
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
    const patch = (replicas: number): Exchange => ({
      method: 'PATCH',
      origin,
      path,
      headers: { ...headers, 'content-type': 'application/merge-patch+json' },
      json: { spec: { replicas } },
      reply: scale(replicas, 3),
    });
    return {
      name: 'kubernetes (Deployment)',
      adapter: kubernetesAdapter,
      settings: { apiServer: origin, namespace: 'agents', kind: 'deployment', name: 'support-agent' },
      secrets,
      execute: () => [{ method: 'GET', origin, path, headers, reply: scale(3, 3) }, patch(0)],
      verify: {
        request: () => ({ method: 'GET', origin, path, headers }),
        inForce: scale(0, 0),
        notInForce: scale(3, 3),
        lifted: scale(3, 1),
      },
      undo: () => [patch(3)],
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
  })(),
  (() => {
    const secrets = { token: 'eyJhbGciOiJSUzI1NiJ9.k8s-token-cron-0123' };
    const origin = 'https://k8s.test:6443';
    const path = '/apis/batch/v1/namespaces/agents/cronjobs/agent-nightly';
    const headers = { authorization: `Bearer ${secrets.token}`, accept: 'application/json' };
    const cron = (suspend: boolean) => ({
      status: 200,
      body: {
        kind: 'CronJob',
        apiVersion: 'batch/v1',
        metadata: { name: 'agent-nightly' },
        spec: { schedule: '0 2 * * *', suspend },
      },
    });
    const patch = (suspend: boolean): Exchange => ({
      method: 'PATCH',
      origin,
      path,
      headers: { ...headers, 'content-type': 'application/merge-patch+json' },
      json: { spec: { suspend } },
      reply: cron(suspend),
    });
    return {
      name: 'kubernetes (CronJob)',
      adapter: kubernetesAdapter,
      settings: { apiServer: origin, namespace: 'agents', kind: 'cronjob', name: 'agent-nightly' },
      secrets,
      execute: () => [patch(true)],
      verify: {
        request: () => ({ method: 'GET', origin, path, headers }),
        inForce: cron(true),
        notInForce: cron(false),
        lifted: cron(false),
      },
      undo: () => [patch(false)],
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
  })(),
  (() => {
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
      settings: { apiKeyId: 'apikey_01Rj2N8SVvo6BePZj99NhmiT' },
      secrets,
      execute: () => [update('inactive')],
      verify: {
        request: () => ({ method: 'GET', origin, path, headers }),
        inForce: key('inactive'),
        notInForce: key('active'),
        lifted: key('active'),
      },
      undo: () => [update('active')],
      refusal: {
        reply: {
          status: 404,
          body: { type: 'error', error: { type: 'not_found_error', message: 'API key not found' } },
        },
        mentions: 'API key not found',
      },
    };
  })(),
  (() => {
    const secrets = { adminKey: 'sk-admin-0123456789abcdef-openai' };
    const origin = 'https://api.openai.com';
    const path = '/v1/organization/projects/proj_abc/api_keys/key_abc';
    const headers = { authorization: `Bearer ${secrets.adminKey}` };
    return {
      name: 'openai',
      adapter: openaiAdapter,
      settings: { projectId: 'proj_abc', target: 'api_key', id: 'key_abc' },
      secrets,
      irreversible: true,
      execute: () => [
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
      verify: {
        request: () => ({ method: 'GET', origin, path, headers }),
        inForce: {
          status: 404,
          body: {
            error: {
              message: 'No such API key: key_abc',
              type: 'invalid_request_error',
              param: null,
              code: null,
            },
          },
        },
        notInForce: {
          status: 200,
          body: {
            object: 'organization.project.api_key',
            id: 'key_abc',
            name: 'support-agent',
            redacted_value: 'sk-abc...def',
            created_at: 1711471533,
          },
        },
      },
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
  })(),
  (() => {
    const secrets = { token: 'ghp_0123456789abcdefghijABCDEFGHIJ012345' };
    const origin = 'https://api.github.com';
    const path = '/repos/acme/support-agent/actions/workflows/agent.yml';
    const headers = {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${secrets.token}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'quell-containment',
    };
    const workflow = (state: string) => ({
      status: 200,
      body: {
        id: 161335,
        node_id: 'MDg6V29ya2Zsb3cxNjEzMzU=',
        name: 'Agent',
        path: '.github/workflows/agent.yml',
        state,
      },
    });
    return {
      name: 'github',
      adapter: githubAdapter,
      settings: { owner: 'acme', repo: 'support-agent', workflow: 'agent.yml' },
      secrets,
      execute: () => [{ method: 'PUT', origin, path: `${path}/disable`, headers, reply: { status: 204 } }],
      verify: {
        request: () => ({ method: 'GET', origin, path, headers }),
        inForce: workflow('disabled_manually'),
        notInForce: workflow('active'),
        lifted: workflow('active'),
      },
      undo: () => [{ method: 'PUT', origin, path: `${path}/enable`, headers, reply: { status: 204 } }],
      refusal: {
        reply: {
          status: 403,
          body: {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest/actions/workflows#disable-a-workflow',
            status: '403',
          },
        },
        mentions: 'Resource not accessible by integration',
      },
    };
  })(),
];
