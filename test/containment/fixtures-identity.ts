import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import { entraServicePrincipalAdapter } from '../../src/containment/adapters/entra-service-principal.js';
import { entraUserSessionsAdapter } from '../../src/containment/adapters/entra-user-sessions.js';
import { gcpServiceAccountAdapter } from '../../src/containment/adapters/gcp-service-account.js';
import { APP_JWT_PLACEHOLDER, githubAppAdapter } from '../../src/containment/adapters/github-app.js';
import { googleOauthAdapter } from '../../src/containment/adapters/google-oauth.js';
import { launchdarklyApprovalModeAdapter } from '../../src/containment/adapters/launchdarkly-approval-mode.js';
import { litellmCapsAdapter } from '../../src/containment/adapters/litellm-caps.js';
import { BEARER_PLACEHOLDER } from '../../src/containment/adapters/oauth.js';
import { unleashVariantsAdapter } from '../../src/containment/adapters/unleash-variants.js';
import type { AdapterFixture, Exchange, FixtureContext } from './fixtures.js';

/**
 * Conformance fixtures for the identity and middle-ground adapters over plain HTTP (the AWS ones
 * are SDK-signed and run against the SigV4-checking fake in aws.test.ts).
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

const ENTRA_TENANT = 'contoso.onmicrosoft.com';
const ENTRA_CLIENT = '6731de76-14a6-49ae-97bc-6eba6914391e';
// Entra client secrets contain `~`: the recorded form body must still be redacted
const ENTRA_SECRET = 'qWe8Q~abcDEF0123456789.ghiJKL_mnoPQR-stu';
const ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.graph-app-token.sig';

/** https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow */
const entraToken = (): Exchange => ({
  method: 'POST',
  origin: 'https://login.microsoftonline.com',
  path: `/${ENTRA_TENANT}/oauth2/v2.0/token`,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  rawBody: `client_id=${ENTRA_CLIENT}&scope=${encodeURIComponent('https://graph.microsoft.com/.default')}&client_secret=${encodeURIComponent(ENTRA_SECRET)}&grant_type=client_credentials`,
  credential: true,
  reply: {
    status: 200,
    body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: ACCESS_TOKEN },
  },
});
const graph = (method: string, path: string, reply: Exchange['reply'], json?: unknown): Exchange => ({
  method,
  origin: 'https://graph.microsoft.com',
  path,
  headers: { authorization: `Bearer ${ACCESS_TOKEN}`, ...(json !== undefined ? json_ : {}) },
  plannedHeaders: { authorization: BEARER_PLACEHOLDER, ...(json !== undefined ? json_ : {}) },
  ...(json !== undefined ? { json } : {}),
  reply,
});
const json_ = { 'content-type': 'application/json' };

function entraServicePrincipalFixture(): AdapterFixture {
  const spId = '59e617e5-e447-4adc-8b88-00af644d7c92';
  const path = `/v1.0/servicePrincipals/${spId}`;
  const read = (accountEnabled: boolean): Exchange => ({
    ...graph('GET', path, {
      status: 200,
      body: {
        '@odata.context':
          'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,appId,displayName,accountEnabled)/$entity',
        id: spId,
        appId: '00000003-0000-0000-c000-000000000000',
        displayName: 'support-agent',
        accountEnabled,
      },
    }),
    query: { $select: 'id,appId,displayName,accountEnabled' },
  });
  const set = (accountEnabled: boolean) => graph('PATCH', path, { status: 204 }, { accountEnabled });
  return {
    name: 'entra-service-principal',
    adapter: entraServicePrincipalAdapter,
    docs: [
      'https://learn.microsoft.com/en-us/graph/api/serviceprincipal-get',
      'https://learn.microsoft.com/en-us/graph/api/serviceprincipal-update',
      'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow',
    ],
    settings: { tenantId: ENTRA_TENANT, clientId: ENTRA_CLIENT, servicePrincipalId: spId },
    secrets: { clientSecret: ENTRA_SECRET },
    execute: () => [entraToken(), read(true), set(false)],
    prior: { accountEnabled: true },
    verify: {
      inForce: [entraToken(), read(false)],
      notInForce: [entraToken(), read(true)],
      lifted: [entraToken(), read(true)],
    },
    undo: () => [entraToken(), set(true)],
    alreadyContained: {
      execute: () => [entraToken(), read(false), set(false)],
      prior: { accountEnabled: false },
      undo: [],
      stillContained: [entraToken(), read(false)],
    },
    refusal: {
      reply: {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        },
      },
      mentions: 'invalid_client',
    },
  };
}

function entraUserSessionsFixture(): AdapterFixture {
  const upn = 'support-agent@contoso.com';
  const path = `/v1.0/users/${encodeURIComponent(upn)}`;
  const read = (validFrom: string): Exchange => ({
    ...graph('GET', path, {
      status: 200,
      body: {
        id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
        userPrincipalName: upn,
        signInSessionsValidFromDateTime: validFrom,
      },
    }),
    query: { $select: 'id,userPrincipalName,signInSessionsValidFromDateTime' },
  });
  return {
    name: 'entra-user-sessions',
    adapter: entraUserSessionsAdapter,
    docs: [
      'https://learn.microsoft.com/en-us/graph/api/user-revokesigninsessions',
      'https://learn.microsoft.com/en-us/graph/api/user-get',
    ],
    settings: { tenantId: ENTRA_TENANT, clientId: ENTRA_CLIENT, user: upn },
    secrets: { clientSecret: ENTRA_SECRET },
    execute: () => [
      entraToken(),
      read('2026-03-02T08:00:00Z'),
      graph('POST', `${path}/revokeSignInSessions`, {
        status: 200,
        body: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true },
      }),
    ],
    prior: { signInSessionsValidFromDateTime: '2026-03-02T08:00:00Z' },
    verify: {
      inForce: [entraToken(), read('2026-11-21T14:00:00Z')],
      notInForce: [entraToken(), read('2026-03-02T08:00:00Z')],
    },
    refusal: {
      reply: {
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: "AADSTS90002: Tenant 'contoso.onmicrosoft.com' not found.",
        },
      },
      mentions: 'invalid_request',
    },
  };
}

const GOOGLE_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
/** A service account key JSON as the Cloud console downloads it (fields Quell reads, plus the usual ones). */
const GOOGLE_KEY = JSON.stringify({
  type: 'service_account',
  project_id: 'agents-prod-4821',
  private_key_id: '1f2e3d4c5b6a79880123456789abcdef01234567',
  private_key: GOOGLE_PEM,
  client_email: 'quell-containment@agents-prod-4821.iam.gserviceaccount.com',
  client_id: '104729381726354819273',
  token_uri: 'https://oauth2.googleapis.com/token',
});
const GOOGLE_ACCESS_TOKEN = 'ya29.c.b0AXv0zTQuellTestAccessToken0123456789';

/** https://developers.google.com/identity/protocols/oauth2/service-account#httprest, computed here. */
function googleAssertionOf(now: Date, scope: string, sub?: string): string {
  const iat = Math.floor(now.getTime() / 1000);
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claims = {
    iss: 'quell-containment@agents-prod-4821.iam.gserviceaccount.com',
    scope,
    aud: 'https://oauth2.googleapis.com/token',
    iat,
    exp: iat + 3600,
    ...(sub ? { sub } : {}),
  };
  const unsigned = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(GOOGLE_PEM).toString('base64url')}`;
}

const GRANT_TYPE = `grant_type=${encodeURIComponent('urn:ietf:params:oauth:grant-type:jwt-bearer')}`;
const googleTokenExchange = (now: Date, scope: string, sub?: string): Exchange => ({
  method: 'POST',
  origin: 'https://oauth2.googleapis.com',
  path: '/token',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  rawBody: `${GRANT_TYPE}&assertion=${googleAssertionOf(now, scope, sub)}`,
  plannedRawBody: `${GRANT_TYPE}&assertion=[signed at run time]`,
  credential: true,
  reply: { status: 200, body: { access_token: GOOGLE_ACCESS_TOKEN, expires_in: 3599, token_type: 'Bearer' } },
});
const googleCall = (
  origin: string,
  method: string,
  path: string,
  reply: Exchange['reply'],
  json?: unknown,
): Exchange => ({
  method,
  origin,
  path,
  headers: { authorization: `Bearer ${GOOGLE_ACCESS_TOKEN}`, ...(json !== undefined ? json_ : {}) },
  plannedHeaders: { authorization: BEARER_PLACEHOLDER, ...(json !== undefined ? json_ : {}) },
  ...(json !== undefined ? { json } : {}),
  reply,
});
const FIXED_NOW = new Date('2026-11-21T14:00:00Z');

function gcpServiceAccountFixture(): AdapterFixture {
  const scope = 'https://www.googleapis.com/auth/cloud-platform';
  const iam = 'https://iam.googleapis.com';
  const path = `/v1/projects/agents-prod-4821/serviceAccounts/${encodeURIComponent('support-agent@agents-prod-4821.iam.gserviceaccount.com')}`;
  const read = (disabled: boolean) =>
    googleCall(iam, 'GET', path, {
      status: 200,
      body: {
        name: `projects/agents-prod-4821/serviceAccounts/support-agent@agents-prod-4821.iam.gserviceaccount.com`,
        email: 'support-agent@agents-prod-4821.iam.gserviceaccount.com',
        uniqueId: '113948572619384756102',
        ...(disabled ? { disabled: true } : {}),
      },
    });
  const set = (to: string) => googleCall(iam, 'POST', `${path}:${to}`, { status: 200, body: {} }, {});
  const token = (now = FIXED_NOW) => googleTokenExchange(now, scope);
  return {
    name: 'gcp-service-account',
    adapter: gcpServiceAccountAdapter,
    docs: [
      'https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/get',
      'https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/disable',
      'https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/enable',
      'https://developers.google.com/identity/protocols/oauth2/service-account',
    ],
    settings: {
      project: 'agents-prod-4821',
      serviceAccount: 'support-agent@agents-prod-4821.iam.gserviceaccount.com',
    },
    secrets: { serviceAccountKey: GOOGLE_KEY },
    execute: (ctx) => [token(ctx.now), read(false), set('disable')],
    prior: { disabled: false },
    verify: {
      inForce: [token(), read(true)],
      notInForce: [token(), read(false)],
      lifted: [token(), read(false)],
    },
    undo: (ctx) => [token(ctx.now), set('enable')],
    alreadyContained: {
      execute: (ctx) => [token(ctx.now), read(true), set('disable')],
      prior: { disabled: true },
      undo: [],
      stillContained: [token(), read(true)],
    },
    refusal: {
      reply: { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } },
      mentions: 'invalid_grant',
    },
  };
}

function googleOauthFixture(): AdapterFixture {
  const scope = 'https://www.googleapis.com/auth/admin.directory.user.security';
  const admin = 'https://admin.googleapis.com';
  const path = `/admin/directory/v1/users/${encodeURIComponent('ops-bot@acme.example')}/tokens`;
  const clientId = '482910374655-agentclient.apps.googleusercontent.com';
  const scopes = ['https://www.googleapis.com/auth/gmail.send', 'https://www.googleapis.com/auth/drive'];
  const list = (present: boolean) =>
    googleCall(admin, 'GET', path, {
      status: 200,
      body: {
        kind: 'admin#directory#tokenList',
        items: present
          ? [
              {
                kind: 'admin#directory#token',
                clientId,
                displayText: 'Support agent',
                scopes,
                anonymous: false,
                nativeApp: false,
                userKey: '1099',
              },
            ]
          : [],
      },
    });
  const token = (now = FIXED_NOW) => googleTokenExchange(now, scope, 'it-admin@acme.example');
  return {
    name: 'google-oauth',
    adapter: googleOauthAdapter,
    docs: [
      'https://developers.google.com/workspace/admin/directory/reference/rest/v1/tokens/list',
      'https://developers.google.com/workspace/admin/directory/reference/rest/v1/tokens/delete',
    ],
    settings: { userKey: 'ops-bot@acme.example', clientId, adminSubject: 'it-admin@acme.example' },
    secrets: { serviceAccountKey: GOOGLE_KEY },
    execute: (ctx) => [
      token(ctx.now),
      list(true),
      googleCall(admin, 'DELETE', `${path}/${encodeURIComponent(clientId)}`, { status: 204 }),
    ],
    prior: { granted: true, displayText: 'Support agent', scopes },
    verify: { inForce: [token(), list(false)], notInForce: [token(), list(true)] },
    refusal: {
      reply: {
        status: 401,
        body: {
          error: 'unauthorized_client',
          error_description: 'Client is unauthorized to retrieve access tokens using this method.',
        },
      },
      mentions: 'unauthorized_client',
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
