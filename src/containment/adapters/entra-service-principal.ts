import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunContext, type RunState } from '../contract.js';
import { anyBody, baseUrl, joinUrl, knownState, seg, toPlanned } from './common.js';
import { BEARER_PLACEHOLDER, entraTokenRequest, fetchToken } from './oauth.js';

/**
 * `entra-service-principal`: disable the agent's service principal in Microsoft Entra ID, so no new
 * tokens are issued to it; undo re-enables it only if it was enabled.
 * Docs: https://learn.microsoft.com/en-us/graph/api/serviceprincipal-get (`GET
 * /v1.0/servicePrincipals/{id}?$select=id,appId,displayName,accountEnabled`) and
 * https://learn.microsoft.com/en-us/graph/api/serviceprincipal-update (`PATCH
 * /v1.0/servicePrincipals/{id}` `{ "accountEnabled": false }` → 204). Token: client credentials
 * (oauth.ts). Throttling: 429 with `Retry-After` (https://learn.microsoft.com/en-us/graph/throttling).
 * Verify limits: access tokens already issued to the principal stay valid until they expire
 * (typically 60–90 minutes; Graph offers no revocation for app tokens); only new sign-ins fail.
 * Least privilege: application permission `Application.ReadWrite.OwnedBy` with Quell's app as an
 * owner of the agent's application (or `Application.ReadWrite.All`).
 */
const settingsSchema = z.strictObject({
  graphUrl: baseUrl('https://graph.microsoft.com'),
  authorityUrl: baseUrl('https://login.microsoftonline.com'),
  tenantId: z.string().trim().min(1),
  /** Quell's own app registration (client credentials). */
  clientId: z.uuid('must be the application (client) id, a GUID'),
  /** The agent's service principal object id. */
  servicePrincipalId: z.uuid('must be the service principal object id, a GUID'),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

const spResponse = z.looseObject({
  id: z.string(),
  accountEnabled: z.boolean().nullish(),
  displayName: z.string().nullish(),
});

const token = (ctx: Ctx) =>
  entraTokenRequest(
    ctx.settings.authorityUrl,
    ctx.settings.tenantId,
    ctx.settings.clientId,
    ctx.secrets.clientSecret ?? '',
  );
const spUrl = (ctx: Ctx) =>
  joinUrl(ctx.settings.graphUrl, 'v1.0/servicePrincipals', seg(ctx.settings.servicePrincipalId));
const read = (ctx: Ctx, auth: string): HttpRequestSpec => ({
  method: 'GET',
  url: `${spUrl(ctx)}?$select=${encodeURIComponent('id,appId,displayName,accountEnabled')}`,
  headers: { authorization: auth },
  idempotent: true,
});
const set = (ctx: Ctx, auth: string, enabled: boolean): HttpRequestSpec => ({
  method: 'PATCH',
  url: spUrl(ctx),
  headers: { authorization: auth },
  json: { accountEnabled: enabled },
  idempotent: true,
});

const wasDisabled = (state?: RunState) => knownPrior(state)?.accountEnabled === false;

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState) {
  const auth = BEARER_PLACEHOLDER;
  if (phase === 'verify') return [token(ctx), read(ctx, auth)];
  if (phase === 'undo') return wasDisabled(state) ? [] : [token(ctx), set(ctx, auth, true)];
  return [token(ctx), read(ctx, auth), set(ctx, auth, false)];
}

const LIMIT = 'access tokens already issued stay valid until they expire (about an hour)';

export const entraServicePrincipalAdapter = defineAdapter<Settings, Args>({
  id: 'entra-service-principal',
  summary: 'Disable the agent’s Entra ID service principal (no new tokens)',
  settingsSchema,
  argsSchema,
  secrets: { required: ['clientSecret'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Disable Entra service principal ${ctx.settings.servicePrincipalId} in tenant ${ctx.settings.tenantId}`,
  describeIdentity: (s) =>
    `Entra service principal ${s.servicePrincipalId} (tenant ${s.tenantId}): the Graph and API permissions granted to it`,
  describeUndo: (_ctx, state) => {
    if (!knownPrior(state)) return 're-enable the service principal (its state before was not recorded)';
    return wasDisabled(state)
      ? 'leave it disabled (it was disabled before containment)'
      : 're-enable the service principal';
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const auth = await fetchToken(ctx.http, token(ctx));
    const before = await ctx.http.request(read(ctx, auth), spResponse);
    const enabled = before.data.accountEnabled !== false;
    const { status } = await ctx.http.request(set(ctx, auth, false), anyBody);
    return {
      detail: enabled
        ? `service principal ${before.data.displayName ?? ''} disabled`.replace('  ', ' ')
        : 'was already disabled; kept disabled',
      state: { prior: knownState(enabled ? 'enabled' : 'disabled', { accountEnabled: enabled }) },
      status,
    };
  },
  async verify(ctx, state, after) {
    const auth = await fetchToken(ctx.http, token(ctx));
    const { status, data } = await ctx.http.request(read(ctx, auth), spResponse);
    const enabled = data.accountEnabled !== false;
    const wanted = after === 'execute' ? false : !wasDisabled(state);
    return {
      verified: enabled === wanted,
      observed: `accountEnabled: ${enabled}${after === 'execute' && !enabled ? `; ${LIMIT}` : ''}`,
      status,
    };
  },
  async undo(ctx: RunContext<Settings, Args>, state) {
    if (wasDisabled(state)) return { detail: 'was disabled before containment: left disabled' };
    const auth = await fetchToken(ctx.http, token(ctx));
    const { status } = await ctx.http.request(set(ctx, auth, true), anyBody);
    return { detail: 'service principal enabled again', status };
  },
});
