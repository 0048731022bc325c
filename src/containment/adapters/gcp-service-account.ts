import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunState } from '../contract.js';
import { baseUrl, joinUrl, knownState, seg, toPlanned } from './common.js';
import { googleToken, plannedGoogleToken } from './google-common.js';
import { BEARER_PLACEHOLDER } from './oauth.js';

/**
 * `gcp-service-account`: disable the agent's Google Cloud service account; undo enables it only if
 * it was enabled.
 * Docs: https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/get (`GET
 * /v1/projects/{project}/serviceAccounts/{email}` → `{ email, uniqueId, disabled }`, `disabled`
 * absent when false), .../projects.serviceAccounts/disable and .../enable (`POST ...:disable` /
 * `:enable` with `{}` → `{}`). Token: service-account JWT bearer grant (oauth.ts), scope
 * `https://www.googleapis.com/auth/cloud-platform`.
 * Verify limits: https://cloud.google.com/iam/docs/service-accounts-disable-enable: disabling takes
 * effect within minutes, after which the account's keys and tokens are refused; workloads it
 * started keep running under their own identity.
 * Least privilege: `iam.serviceAccounts.get`, `iam.serviceAccounts.disable`, `iam.serviceAccounts.enable`
 * on that one account (e.g. a custom role granted on the service account resource).
 */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

const settingsSchema = z.strictObject({
  iamUrl: baseUrl('https://iam.googleapis.com'),
  project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^-$/, 'must be a project id (or -)'),
  serviceAccount: z.email('must be the service account email'),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

const saResponse = z.looseObject({ email: z.string(), disabled: z.boolean().nullish() });

const saUrl = (ctx: Ctx) =>
  joinUrl(
    ctx.settings.iamUrl,
    'v1/projects',
    seg(ctx.settings.project),
    'serviceAccounts',
    seg(ctx.settings.serviceAccount),
  );
const read = (ctx: Ctx, auth: string): HttpRequestSpec => ({
  method: 'GET',
  url: saUrl(ctx),
  headers: { authorization: auth },
  idempotent: true,
});
const set = (ctx: Ctx, auth: string, to: 'disable' | 'enable'): HttpRequestSpec => ({
  method: 'POST',
  url: `${saUrl(ctx)}:${to}`,
  headers: { authorization: auth },
  json: {},
  idempotent: true,
});

const wasDisabled = (state?: RunState) => knownPrior(state)?.disabled === true;

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState) {
  const token = plannedGoogleToken(ctx);
  if (phase === 'verify') return [token, read(ctx, BEARER_PLACEHOLDER)];
  if (phase === 'undo') return wasDisabled(state) ? [] : [token, set(ctx, BEARER_PLACEHOLDER, 'enable')];
  return [token, read(ctx, BEARER_PLACEHOLDER), set(ctx, BEARER_PLACEHOLDER, 'disable')];
}

export const gcpServiceAccountAdapter = defineAdapter<Settings, Args>({
  id: 'gcp-service-account',
  summary: 'Disable the agent’s Google Cloud service account',
  settingsSchema,
  argsSchema,
  secrets: { required: ['serviceAccountKey'] },
  irreversible: () => false,
  describe: (ctx) => `Disable GCP service account ${ctx.settings.serviceAccount}`,
  describeIdentity: (s) => `GCP service account ${s.serviceAccount}: every IAM role granted to it`,
  describeUndo: (_ctx, state) => {
    if (!knownPrior(state)) return 'enable the service account (its state before was not recorded)';
    return wasDisabled(state)
      ? 'leave it disabled (it was disabled before containment)'
      : 'enable the service account again';
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const auth = await googleToken(ctx.http, ctx, CLOUD_PLATFORM_SCOPE);
    const before = await ctx.http.request(read(ctx, auth), saResponse);
    const disabled = before.data.disabled === true;
    const { status } = await ctx.http.request(set(ctx, auth, 'disable'), z.unknown());
    return {
      detail: disabled ? 'was already disabled; kept disabled' : 'service account disabled',
      state: { prior: knownState(disabled ? 'disabled' : 'enabled', { disabled }) },
      status,
    };
  },
  async verify(ctx, state, after) {
    const auth = await googleToken(ctx.http, ctx, CLOUD_PLATFORM_SCOPE);
    const { status, data } = await ctx.http.request(read(ctx, auth), saResponse);
    const disabled = data.disabled === true;
    const wanted = after === 'execute' ? true : wasDisabled(state);
    return {
      verified: disabled === wanted,
      observed: `disabled: ${disabled}${after === 'execute' && disabled ? '; takes effect within minutes, workloads it started keep running' : ''}`,
      status,
    };
  },
  async undo(ctx, state) {
    if (wasDisabled(state)) return { detail: 'was disabled before containment: left disabled' };
    const auth = await googleToken(ctx.http, ctx, CLOUD_PLATFORM_SCOPE);
    const { status } = await ctx.http.request(set(ctx, auth, 'enable'), z.unknown());
    return { detail: 'service account enabled again', status };
  },
});
