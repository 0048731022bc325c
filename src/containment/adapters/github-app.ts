import { createPrivateKey, createSign } from 'node:crypto';
import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunState } from '../contract.js';
import { anyBody, baseUrl, joinUrl, knownState, toPlanned } from './common.js';
import { GITHUB_API_VERSION } from './github.js';

/**
 * `github-app`: suspend the agent's GitHub App installation, so none of its installation tokens
 * work; undo unsuspends it only if it was not suspended before.
 * Docs: https://docs.github.com/en/rest/apps/apps ("Get an installation for the authenticated app":
 * `GET /app/installations/{installation_id}` → `{ id, account, suspended_at, suspended_by, ... }`;
 * "Suspend an app installation": `PUT /app/installations/{installation_id}/suspended` → 204;
 * "Unsuspend an app installation": `DELETE .../suspended` → 204; all authenticated as the App with a
 * JWT) and https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
 * (RS256, `iat` 60 s in the past against clock drift, `exp` at most 10 minutes ahead, `iss` the App's
 * client id or app id).
 * The private key comes from the `privateKey` secret (an environment variable) or from the file named
 * by `privateKeyFile` (read at start-up and added to the run's secrets, so the redactor covers it);
 * it is never logged or stored, and neither is the JWT: plans and the audit show a placeholder.
 * Verify limits: installation tokens already minted are refused once suspended (GitHub checks the
 * installation per request); work the agent already pushed stays.
 * Least privilege: the App's own key; only the App (not an installation token) may suspend.
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl('https://api.github.com'),
  /** The App's client id (`Iv1...`) or numeric app id: the JWT's `iss`. */
  appId: z.union([z.string().trim().min(1), z.number().int().positive().transform(String)]),
  installationId: z.union([
    z.string().regex(/^\d+$/, 'must be a numeric installation id'),
    z.number().int().positive().transform(String),
  ]),
  /** A PEM file holding the App's private key, instead of the `privateKey` secret. */
  privateKeyFile: z.string().trim().min(1).optional(),
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

type Ctx = PlanContext<Settings, Args>;

/** What plans and the audit show instead of the JWT. */
export const APP_JWT_PLACEHOLDER = 'Bearer [GitHub App JWT, signed at run time]';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** The App JWT (RS256) as GitHub documents it. */
export function githubAppJwt(privateKeyPem: string, appId: string, now: Date): string {
  const iat = Math.floor(now.getTime() / 1000) - 60;
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iat, exp: iat + 600, iss: appId }));
  const key = createPrivateKey(privateKeyPem);
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${b64url(signature)}`;
}

function privateKeyOf(ctx: Ctx): string {
  const pem = ctx.secrets.privateKey;
  if (!pem)
    throw new Error('github-app needs the App private key: map the privateKey secret or set privateKeyFile');
  return pem;
}

const headersOf = (authorization: string) => ({
  accept: 'application/vnd.github+json',
  authorization,
  'x-github-api-version': GITHUB_API_VERSION,
  'user-agent': 'quell-containment',
});

const installationUrl = (ctx: Ctx) =>
  joinUrl(ctx.settings.baseUrl, 'app/installations', ctx.settings.installationId);

const read = (ctx: Ctx, auth: string): HttpRequestSpec => ({
  method: 'GET',
  url: installationUrl(ctx),
  headers: headersOf(auth),
  idempotent: true,
});
const suspend = (ctx: Ctx, auth: string, on: boolean): HttpRequestSpec => ({
  method: on ? 'PUT' : 'DELETE',
  url: joinUrl(installationUrl(ctx), 'suspended'),
  headers: headersOf(auth),
  idempotent: true,
});

const installationResponse = z.looseObject({
  id: z.number(),
  suspended_at: z.string().nullish(),
  account: z.looseObject({ login: z.string() }).nullish(),
});

const wasSuspended = (state?: RunState) => knownPrior(state)?.suspended === true;

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, auth: string, state?: RunState) {
  if (phase === 'verify') return [read(ctx, auth)];
  if (phase === 'undo') return wasSuspended(state) ? [] : [suspend(ctx, auth, false)];
  return [read(ctx, auth), suspend(ctx, auth, true)];
}

const jwtOf = (ctx: Ctx) => `Bearer ${githubAppJwt(privateKeyOf(ctx), ctx.settings.appId, ctx.now)}`;

export const githubAppAdapter = defineAdapter<Settings, Args>({
  id: 'github-app',
  summary: 'Suspend the agent’s GitHub App installation (all its installation tokens stop working)',
  settingsSchema,
  argsSchema,
  secrets: { required: [], optional: ['privateKey'] },
  fileSecrets: (settings): Record<string, string> =>
    settings.privateKeyFile ? { privateKey: settings.privateKeyFile } : {},
  configProblem: (settings, mapped) => {
    if (settings.privateKeyFile && mapped.includes('privateKey'))
      return {
        path: ['settings', 'privateKeyFile'],
        message: 'give the private key once: the privateKey secret or privateKeyFile, not both',
      };
    if (!settings.privateKeyFile && !mapped.includes('privateKey'))
      return {
        path: ['secrets', 'privateKey'],
        message:
          'github-app needs the App private key: map the privateKey secret to an environment variable, or set settings.privateKeyFile',
      };
    return undefined;
  },
  irreversible: () => false,
  describe: (ctx) =>
    `Suspend GitHub App ${ctx.settings.appId} installation ${ctx.settings.installationId} on ${new URL(ctx.settings.baseUrl).host}`,
  describeIdentity: (settings) =>
    `GitHub App ${settings.appId}, installation ${settings.installationId}: the repositories and permissions granted to that installation`,
  describeUndo: (_ctx, state) => {
    if (!knownPrior(state))
      return 'unsuspend the installation (whether it was suspended before was not recorded)';
    return wasSuspended(state)
      ? 'leave the installation suspended (it was suspended before containment)'
      : 'unsuspend the installation';
  },
  plan: (phase, ctx, state) => requests(phase, ctx, APP_JWT_PLACEHOLDER, state).map(toPlanned),
  async execute(ctx) {
    const auth = jwtOf(ctx);
    const before = await ctx.http.request(read(ctx, auth), installationResponse);
    const suspendedAt = before.data.suspended_at ?? null;
    const { status } = await ctx.http.request(suspend(ctx, auth, true), anyBody);
    return {
      detail: suspendedAt
        ? `installation was already suspended (since ${suspendedAt}); kept suspended`
        : `installation ${before.data.account?.login ?? ctx.settings.installationId} suspended`,
      state: {
        prior: knownState(suspendedAt ? `suspended since ${suspendedAt}` : 'not suspended', {
          suspended: Boolean(suspendedAt),
        }),
      },
      status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(read(ctx, jwtOf(ctx)), installationResponse);
    const suspended = Boolean(data.suspended_at);
    const wanted = after === 'execute' ? true : wasSuspended(state);
    return {
      verified: suspended === wanted,
      observed: `suspended_at: ${data.suspended_at ?? 'null'}${after === 'execute' && suspended ? '; commits, comments and pushes already made stay' : ''}`,
      status,
    };
  },
  async undo(ctx, state) {
    if (wasSuspended(state))
      return { detail: 'installation was suspended before containment: left suspended' };
    const { status } = await ctx.http.request(suspend(ctx, jwtOf(ctx), false), anyBody);
    return { detail: 'installation unsuspended', status };
  },
});
