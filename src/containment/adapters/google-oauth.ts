import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, type PlanContext } from '../contract.js';
import { baseUrl, joinUrl, knownState, seg, toPlanned } from './common.js';
import { googleToken, plannedGoogleToken } from './google-common.js';
import { BEARER_PLACEHOLDER } from './oauth.js';

/**
 * `google-oauth`: revoke the OAuth grant a Google Workspace user gave the agent's client id (its
 * access and refresh tokens), after recording the scopes it held. Irreversible: the grant cannot be
 * restored; the user would have to consent again.
 * Docs: https://developers.google.com/workspace/admin/directory/reference/rest/v1/tokens/list (`GET
 * /admin/directory/v1/users/{userKey}/tokens` → `{ items: [{ clientId, displayText, scopes[] }] }`)
 * and .../tokens/delete (`DELETE .../tokens/{clientId}` → 204). Token: service-account JWT bearer
 * grant with domain-wide delegation impersonating `adminSubject`, scope
 * `https://www.googleapis.com/auth/admin.directory.user.security`.
 * Verify limits: access tokens already issued to the client may keep working until they expire
 * (up to an hour); the refresh token is gone.
 * Least privilege: domain-wide delegation of that one scope, impersonating an admin with the
 * "User management: security settings" privilege only.
 */
export const DIRECTORY_SECURITY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.security';

const settingsSchema = z.strictObject({
  directoryUrl: baseUrl('https://admin.googleapis.com'),
  /** The Workspace user whose grant to the agent is revoked (primary email or id). */
  userKey: z.string().trim().min(1),
  /** The agent's OAuth client id. */
  clientId: z.string().trim().min(1),
  /** The admin the service account impersonates (domain-wide delegation). */
  adminSubject: z.email('must be an admin’s email'),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

const tokensResponse = z.looseObject({
  items: z
    .array(
      z.looseObject({
        clientId: z.string(),
        displayText: z.string().nullish(),
        scopes: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

const tokensUrl = (ctx: Ctx) =>
  joinUrl(ctx.settings.directoryUrl, 'admin/directory/v1/users', seg(ctx.settings.userKey), 'tokens');
const list = (ctx: Ctx, auth: string): HttpRequestSpec => ({
  method: 'GET',
  url: tokensUrl(ctx),
  headers: { authorization: auth },
  idempotent: true,
});
const revoke = (ctx: Ctx, auth: string): HttpRequestSpec => ({
  method: 'DELETE',
  url: joinUrl(tokensUrl(ctx), seg(ctx.settings.clientId)),
  headers: { authorization: auth },
  idempotent: true,
  // already revoked: the same end state
  acceptStatus: [404],
});

async function grantOf(ctx: Ctx & { http: import('../../http/client.js').HttpClient }, auth: string) {
  const { status, data } = await ctx.http.request(list(ctx, auth), tokensResponse);
  return { status, grant: (data.items ?? []).find((t) => t.clientId === ctx.settings.clientId) };
}

export const googleOauthAdapter = defineAdapter<Settings, Args>({
  id: 'google-oauth',
  summary:
    'Revoke a Workspace user’s OAuth grant to the agent’s client (irreversible; scopes recorded first)',
  settingsSchema,
  argsSchema,
  secrets: { required: ['serviceAccountKey'] },
  irreversible: () => true,
  describe: (ctx) => `Revoke ${ctx.settings.userKey}'s OAuth tokens for client ${ctx.settings.clientId}`,
  consequence: (ctx) =>
    `${ctx.settings.userKey}'s grant to ${ctx.settings.clientId} is deleted and cannot be restored: the user must consent again`,
  describeIdentity: (s) =>
    `OAuth client ${s.clientId} acting for ${s.userKey}: the scopes that user granted it`,
  plan: (phase, ctx) => {
    const token = plannedGoogleToken(ctx);
    const read = list(ctx, BEARER_PLACEHOLDER);
    return (phase === 'verify' ? [token, read] : [token, read, revoke(ctx, BEARER_PLACEHOLDER)]).map(
      toPlanned,
    );
  },
  async execute(ctx) {
    const auth = await googleToken(ctx.http, ctx, DIRECTORY_SECURITY_SCOPE, ctx.settings.adminSubject);
    const { grant } = await grantOf(ctx, auth);
    const scopes = grant?.scopes ?? [];
    const { status } = await ctx.http.request(revoke(ctx, auth), z.unknown());
    return {
      detail: grant
        ? `grant revoked (${scopes.length} scope${scopes.length === 1 ? '' : 's'}: ${scopes.join(' ')})`
        : 'no grant for that client was found; nothing to revoke',
      state: {
        prior: knownState(grant ? `granted: ${scopes.join(' ')}` : 'no grant', {
          granted: Boolean(grant),
          displayText: grant?.displayText ?? null,
          scopes,
        }),
      },
      status,
    };
  },
  async verify(ctx) {
    const auth = await googleToken(ctx.http, ctx, DIRECTORY_SECURITY_SCOPE, ctx.settings.adminSubject);
    const { status, grant } = await grantOf(ctx, auth);
    return {
      verified: !grant,
      observed: grant
        ? `grant still present (${(grant.scopes ?? []).join(' ')})`
        : 'no grant for the client; access tokens already issued may work until they expire (up to an hour)',
      status,
    };
  },
});
