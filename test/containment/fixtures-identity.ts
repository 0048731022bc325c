import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import { APP_JWT_PLACEHOLDER, githubAppAdapter } from '../../src/containment/adapters/github-app.js';
import { launchdarklyApprovalModeAdapter } from '../../src/containment/adapters/launchdarkly-approval-mode.js';
import { litellmCapsAdapter } from '../../src/containment/adapters/litellm-caps.js';
import { unleashVariantsAdapter } from '../../src/containment/adapters/unleash-variants.js';
import type { AdapterFixture, Exchange, FixtureContext } from './fixtures.js';
import {
  entraServicePrincipalFixture,
  entraUserSessionsFixture,
  gcpServiceAccountFixture,
  googleOauthFixture,
} from './fixtures-oauth.js';

/**
 * Conformance fixtures for the identity and middle-ground adapters over plain HTTP (the AWS ones
 * are SDK-signed and run against the SigV4-checking fake in aws.int.test.ts).
 */
const json = { 'content-type': 'application/json' };

function litellmCapsFixture(): AdapterFixture {
  const secrets = {
    masterKey: 'sk-master-caps-0123456789abcdef',
    agentKey: 'sk-agent-caps-fedcba9876543210',
  };
  const hashed = createHash('sha256').update(secrets.agentKey).digest('hex');
  const origin = 'https://litellm.test';
  const auth = { authorization: `Bearer ${secrets.masterKey}` };
  const info = (limits: {
    max_budget: number | null;
    rpm_limit: number | null;
    tpm_limit: number | null;
  }): Exchange => ({
    method: 'GET',
    origin,
    path: '/key/info',
    query: { key: hashed },
    headers: auth,
    // https://docs.litellm.ai/docs/proxy/virtual_keys ("Key info": the key's record under `info`)
    reply: {
      status: 200,
      body: { key: hashed, info: { key_alias: 'support-agent', spend: 41.2, blocked: null, ...limits } },
    },
  });
  const update = (fields: Record<string, number | null>): Exchange => ({
    method: 'POST',
    origin,
    path: '/key/update',
    headers: { ...auth, ...json },
    json: { key: hashed, ...fields },
    reply: { status: 200, body: { key: hashed, ...fields } },
  });
  const before = { max_budget: null, rpm_limit: 100, tpm_limit: null };
  const caps = { max_budget: 5, rpm_limit: 10, tpm_limit: 1000 };
  return {
    name: 'litellm-caps',
    adapter: litellmCapsAdapter,
    docs: ['https://docs.litellm.ai/docs/proxy/virtual_keys', 'https://docs.litellm.ai/docs/proxy/users'],
    settings: { baseUrl: origin, caps: { maxBudget: 5, rpmLimit: 10, tpmLimit: 1000 } },
    secrets,
    execute: () => [info(before), update(caps)],
    prior: before,
    verify: {
      inForce: [info(caps)],
      notInForce: [info({ ...caps, rpm_limit: 100 })],
      lifted: [info(before)],
    },
    // the exact previous values, "unset" (null) included
    undo: () => [update(before)],
    refusal: {
      reply: {
        status: 401,
        body: {
          error: {
            message: 'Authentication Error, only proxy admins can update keys',
            type: 'auth_error',
            param: 'None',
            code: '401',
          },
        },
      },
      mentions: 'only proxy admins can update keys',
    },
  };
}

/** A test App key (generated per run: no key material in the repository). */
export const GITHUB_APP_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

/** The App JWT as GitHub's page describes it, computed here independently of the adapter. */
export function expectedAppJwt(now: Date, appId = 'Iv23liQuellTest01'): string {
  const iat = Math.floor(now.getTime() / 1000) - 60;
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unsigned = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iat, exp: iat + 600, iss: appId })}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(GITHUB_APP_PEM).toString('base64url')}`;
}

function githubAppFixture(): AdapterFixture {
  const secrets = { privateKey: GITHUB_APP_PEM };
  const origin = 'https://api.github.com';
  const headers = (ctx: FixtureContext) => ({
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${expectedAppJwt(ctx.now)}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': 'quell-containment',
  });
  const plannedHeaders = (ctx: FixtureContext) => ({ ...headers(ctx), authorization: APP_JWT_PLACEHOLDER });
  const ctx0: FixtureContext = {
    incidentId: 'INC-7',
    actionName: 'contain-agent',
    idempotencyKey: 'k',
    now: new Date('2026-11-21T14:00:00Z'),
  };
  const read = (suspendedAt: string | null, ctx = ctx0): Exchange => ({
    method: 'GET',
    origin,
    path: '/app/installations/48213377',
    headers: headers(ctx),
    plannedHeaders: plannedHeaders(ctx),
    reply: {
      status: 200,
      body: {
        id: 48213377,
        account: { login: 'acme', id: 1, type: 'Organization' },
        app_id: 904211,
        target_type: 'Organization',
        permissions: { contents: 'write', issues: 'write' },
        suspended_at: suspendedAt,
        suspended_by: suspendedAt ? { login: 'octocat' } : null,
      },
    },
  });
  const suspend = (method: 'PUT' | 'DELETE', ctx = ctx0): Exchange => ({
    method,
    origin,
    path: '/app/installations/48213377/suspended',
    headers: headers(ctx),
    plannedHeaders: plannedHeaders(ctx),
    reply: { status: 204 },
  });
  return {
    name: 'github-app',
    adapter: githubAppAdapter,
    docs: [
      'https://docs.github.com/en/rest/apps/apps',
      'https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app',
    ],
    settings: { appId: 'Iv23liQuellTest01', installationId: 48213377 },
    secrets,
    execute: (ctx) => [read(null, ctx), suspend('PUT', ctx)],
    prior: { suspended: false },
    verify: {
      inForce: [read('2026-11-21T14:00:01Z')],
      notInForce: [read(null)],
      lifted: [read(null)],
    },
    undo: (ctx) => [suspend('DELETE', ctx)],
    alreadyContained: {
      execute: (ctx) => [read('2026-11-20T09:00:00Z', ctx), suspend('PUT', ctx)],
      prior: { suspended: true },
      undo: [],
      stillContained: [read('2026-11-20T09:00:00Z')],
    },
    refusal: {
      reply: {
        status: 401,
        body: {
          message: "'Expiration time' claim ('exp') is too far in the future",
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        },
      },
      mentions: "'exp') is too far in the future",
    },
  };
}

export const LD_TOKEN = 'api-0123456789abcdef-approval-mode';
export const LD_ORIGIN = 'https://app.launchdarkly.com';
export const LD_FLAG_PATH = '/api/v2/flags/support/agent-write-mode';

/**
 * A multivariate flag as "Get feature flag" answers it
 * (https://launchdarkly.com/docs/api/feature-flags/get-feature-flag): variations with `_id`s, and
 * per environment `on`, `offVariation` (an index), the default rule, targets and rules.
 */
export function ldFlag(on: boolean, offVariation: number) {
  return {
    key: 'agent-write-mode',
    kind: 'multivariate',
    variations: [
      { _id: 'v-autonomous-0001', value: 'autonomous', name: 'Autonomous' },
      { _id: 'v-approval-0002', value: 'approval-required', name: 'Approval required' },
      { _id: 'v-disabled-0003', value: 'disabled', name: 'Disabled' },
    ],
    environments: {
      production: {
        on,
        offVariation,
        fallthrough: { variation: 0 },
        targets: [{ values: ['tenant-vip'], variation: 0, contextKind: 'user' }],
        rules: [
          { _id: 'rule-1', variation: 0, clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }] },
        ],
        _version: 41,
      },
    },
  };
}

export const ldRead = (on: boolean, offVariation: number): Exchange => ({
  method: 'GET',
  origin: LD_ORIGIN,
  path: LD_FLAG_PATH,
  query: { env: 'production' },
  headers: { authorization: LD_TOKEN },
  reply: { status: 200, body: ldFlag(on, offVariation) },
});

export const ldPatch = (
  ctx: FixtureContext,
  instructions: unknown[],
  why: string,
  reply = { status: 200, body: ldFlag(false, 1) as unknown },
): Exchange => ({
  method: 'PATCH',
  origin: LD_ORIGIN,
  path: LD_FLAG_PATH,
  headers: {
    authorization: LD_TOKEN,
    'content-type': 'application/json; domain-model=launchdarkly.semanticpatch',
  },
  json: {
    environmentKey: 'production',
    instructions,
    comment: `Quell ${ctx.incidentId}: ${why} (${ctx.actionName})`,
  },
  reply,
});

export const LD_CONTAIN = [
  { kind: 'turnFlagOff' },
  { kind: 'updateOffVariation', variationId: 'v-approval-0002' },
];
export const LD_RESTORE = [
  { kind: 'updateOffVariation', variationId: 'v-disabled-0003' },
  { kind: 'turnFlagOn' },
];

function launchdarklyApprovalModeFixture(): AdapterFixture {
  return {
    name: 'launchdarkly-approval-mode',
    adapter: launchdarklyApprovalModeAdapter,
    docs: [
      'https://launchdarkly.com/docs/api/feature-flags/update-feature-flag',
      'https://launchdarkly.com/docs/api/feature-flags/get-feature-flag',
      'https://launchdarkly.com/docs/home/flags/off-variation',
    ],
    // the plan shows the variation as configured: here its id, as the fixture's requests carry it
    settings: {
      projectKey: 'support',
      environmentKey: 'production',
      flagKey: 'agent-write-mode',
      approvalVariation: 'v-approval-0002',
    },
    secrets: { apiToken: LD_TOKEN },
    execute: (ctx) => [ldRead(true, 2), ldPatch(ctx, LD_CONTAIN, 'human-approval mode')],
    prior: { on: true, offVariationId: 'v-disabled-0003' },
    verify: { inForce: [ldRead(false, 1)], notInForce: [ldRead(true, 1)], lifted: [ldRead(true, 2)] },
    // exactly what was there: the previous off variation, targeting on again; targets and rules untouched
    undo: (ctx) => [ldPatch(ctx, LD_RESTORE, 'undo', { status: 200, body: ldFlag(true, 2) })],
    refusal: {
      reply: {
        status: 403,
        body: { code: 'forbidden', message: 'Access to the requested resource was denied' },
      },
      mentions: 'Access to the requested resource was denied',
    },
  };
}

function unleashVariantsFixture(): AdapterFixture {
  const token = 'user:unleash-pat-0123456789abcdef';
  const origin = 'https://unleash.test';
  const base = '/api/admin/projects/default/features/agent-write-mode/environments/production/strategies';
  const approval = [
    { name: 'approval-required', weight: 1000, weightType: 'variable', stickiness: 'default' },
  ];
  const before = [
    { name: 'autonomous', weight: 900, weightType: 'variable', stickiness: 'default' },
    { name: 'shadow', weight: 100, weightType: 'variable', stickiness: 'default' },
  ];
  // https://docs.getunleash.io/api/get-feature-strategies
  const strategy = (variants: unknown[]) => ({
    id: '6b5157cb-343a-41e7-bfa3-7b4ec3044840',
    name: 'flexibleRollout',
    title: 'Everyone',
    constraints: [],
    parameters: { rollout: '100', stickiness: 'default', groupId: 'agent-write-mode' },
    segments: [],
    disabled: false,
    variants,
    sortOrder: 0,
  });
  const read = (variants: unknown[]): Exchange => ({
    method: 'GET',
    origin,
    path: base,
    headers: { authorization: token },
    reply: { status: 200, body: [strategy(variants)] },
  });
  const put = (variants: unknown[], dynamic: boolean): Exchange => {
    const { id: _id, sortOrder: _s, ...body } = strategy(variants);
    return {
      method: 'PUT',
      origin,
      path: `${base}/6b5157cb-343a-41e7-bfa3-7b4ec3044840`,
      headers: { authorization: token, ...json },
      json: body,
      ...(dynamic ? { dynamic: true as const } : {}),
      reply: { status: 200, body: strategy(variants) },
    };
  };
  return {
    name: 'unleash-variants',
    adapter: unleashVariantsAdapter,
    docs: [
      'https://docs.getunleash.io/api/get-feature-strategies',
      'https://docs.getunleash.io/api/update-feature-strategy',
      'https://docs.getunleash.io/reference/strategy-variants',
    ],
    settings: {
      baseUrl: origin,
      feature: 'agent-write-mode',
      environment: 'production',
      approvalVariant: 'approval-required',
    },
    secrets: { apiToken: token },
    execute: () => [read(before), put(approval, true)],
    prior: { strategies: [strategy(before)] },
    verify: { inForce: [read(approval)], notInForce: [read(before)], lifted: [read(before)] },
    undo: () => [put(before, false)],
    refusal: {
      reply: {
        status: 403,
        body: {
          id: 'b6b8b1a0',
          name: 'NoAccessError',
          message: 'You need permission=UPDATE_FEATURE_STRATEGY to perform this action',
        },
      },
      mentions: 'UPDATE_FEATURE_STRATEGY',
    },
  };
}

export const IDENTITY_FIXTURES: AdapterFixture[] = [
  unleashVariantsFixture(),
  gcpServiceAccountFixture(),
  googleOauthFixture(),
  entraServicePrincipalFixture(),
  entraUserSessionsFixture(),
  litellmCapsFixture(),
  githubAppFixture(),
  launchdarklyApprovalModeFixture(),
];
