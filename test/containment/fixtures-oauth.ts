import { createSign, generateKeyPairSync } from 'node:crypto';
import { entraServicePrincipalAdapter } from '../../src/containment/adapters/entra-service-principal.js';
import { entraUserSessionsAdapter } from '../../src/containment/adapters/entra-user-sessions.js';
import { gcpServiceAccountAdapter } from '../../src/containment/adapters/gcp-service-account.js';
import { googleOauthAdapter } from '../../src/containment/adapters/google-oauth.js';
import { BEARER_PLACEHOLDER } from '../../src/containment/adapters/oauth.js';
import type { AdapterFixture, Exchange } from './fixtures.js';

/**
 * Conformance fixtures for the adapters that fetch an OAuth access token first (Microsoft Entra
 * over Graph, Google Admin SDK and Cloud IAM): the token exchange is marked `credential`, the token
 * and any signed assertion are planned as placeholders.
 */
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

export function entraServicePrincipalFixture(): AdapterFixture {
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

export function entraUserSessionsFixture(): AdapterFixture {
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

export function gcpServiceAccountFixture(): AdapterFixture {
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

export function googleOauthFixture(): AdapterFixture {
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
