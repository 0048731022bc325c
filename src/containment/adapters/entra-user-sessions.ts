import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, type PlanContext } from '../contract.js';
import { baseUrl, joinUrl, knownState, seg, toPlanned } from './common.js';
import { BEARER_PLACEHOLDER, entraTokenRequest, fetchToken } from './oauth.js';

/**
 * `entra-user-sessions`: revoke every sign-in session of the user account the agent acts as
 * (refresh tokens and session cookies); users only. Irreversible: the sessions cannot be restored,
 * the account signs in again.
 * Docs: https://learn.microsoft.com/en-us/graph/api/user-revokesigninsessions (`POST
 * /v1.0/users/{id}/revokeSignInSessions` → 200 `{ "value": true }`) and
 * https://learn.microsoft.com/en-us/graph/api/user-get (`signInSessionsValidFromDateTime`: sessions
 * issued before it are invalid). Token: client credentials (oauth.ts).
 * Verify limits: access tokens already issued stay valid until they expire (about an hour) unless
 * the resource supports continuous access evaluation; there can be a small delay of a few minutes.
 * Least privilege: application permission `User.RevokeSessions.All` (and `User.Read.All` to read back).
 */
const settingsSchema = z.strictObject({
  graphUrl: baseUrl('https://graph.microsoft.com'),
  authorityUrl: baseUrl('https://login.microsoftonline.com'),
  tenantId: z.string().trim().min(1),
  clientId: z.uuid('must be the application (client) id, a GUID'),
  /** The agent's user: object id or userPrincipalName. */
  user: z.string().trim().min(1),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

const userResponse = z.looseObject({ id: z.string(), signInSessionsValidFromDateTime: z.string().nullish() });

const token = (ctx: Ctx) =>
  entraTokenRequest(
    ctx.settings.authorityUrl,
    ctx.settings.tenantId,
    ctx.settings.clientId,
    ctx.secrets.clientSecret ?? '',
  );
const userUrl = (ctx: Ctx) => joinUrl(ctx.settings.graphUrl, 'v1.0/users', seg(ctx.settings.user));
const read = (ctx: Ctx, auth: string): HttpRequestSpec => ({
  method: 'GET',
  url: `${userUrl(ctx)}?$select=${encodeURIComponent('id,userPrincipalName,signInSessionsValidFromDateTime')}`,
  headers: { authorization: auth },
  idempotent: true,
});
const revoke = (ctx: Ctx, auth: string): HttpRequestSpec => ({
  method: 'POST',
  url: joinUrl(userUrl(ctx), 'revokeSignInSessions'),
  headers: { authorization: auth },
  // revoking twice is the same revocation
  idempotent: true,
});

export const entraUserSessionsAdapter = defineAdapter<Settings, Args>({
  id: 'entra-user-sessions',
  summary: 'Revoke all sign-in sessions of the agent’s Entra user account (irreversible)',
  settingsSchema,
  argsSchema,
  secrets: { required: ['clientSecret'] },
  irreversible: () => true,
  describe: (ctx) =>
    `Revoke every sign-in session of Entra user ${ctx.settings.user} in tenant ${ctx.settings.tenantId}`,
  consequence: (ctx) =>
    `Every session and refresh token of ${ctx.settings.user} is revoked; they cannot be restored: the account must sign in again`,
  describeIdentity: (s) =>
    `Entra user ${s.user} (tenant ${s.tenantId}): everything delegated to that account`,
  plan: (phase, ctx) =>
    (phase === 'verify'
      ? [token(ctx), read(ctx, BEARER_PLACEHOLDER)]
      : [token(ctx), read(ctx, BEARER_PLACEHOLDER), revoke(ctx, BEARER_PLACEHOLDER)]
    ).map(toPlanned),
  async execute(ctx) {
    const auth = await fetchToken(ctx.http, token(ctx));
    const before = await ctx.http.request(read(ctx, auth), userResponse);
    const { status } = await ctx.http.request(
      revoke(ctx, auth),
      z.looseObject({ value: z.boolean().nullish() }),
    );
    const validFrom = before.data.signInSessionsValidFromDateTime ?? null;
    return {
      detail: 'sign-in sessions revoked',
      state: {
        prior: knownState(`sessions valid from ${validFrom ?? 'account creation'}`, {
          signInSessionsValidFromDateTime: validFrom,
        }),
        revokedAt: ctx.now.toISOString(),
      },
      status,
    };
  },
  async verify(ctx, state) {
    const auth = await fetchToken(ctx.http, token(ctx));
    const { status, data } = await ctx.http.request(read(ctx, auth), userResponse);
    const validFrom = data.signInSessionsValidFromDateTime;
    // Graph stores the instant at whole seconds: compare against the revocation's second
    const revokedAt =
      typeof state.revokedAt === 'string' ? Math.floor(Date.parse(state.revokedAt) / 1000) * 1000 : 0;
    const holds = Boolean(validFrom) && Date.parse(validFrom!) >= revokedAt - 5_000;
    return {
      verified: holds,
      observed: `signInSessionsValidFromDateTime: ${validFrom ?? 'null'}; access tokens already issued stay valid until they expire (about an hour)`,
      status,
    };
  },
});
