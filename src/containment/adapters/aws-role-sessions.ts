import { z } from 'zod';
import { TargetError } from '../../http/target-error.js';
import { defineAdapter, knownPrior, type PlanContext, type RunContext, type RunState } from '../contract.js';
import { AWS_SECRETS, awsCall, awsPlanned, awsSettings, iamSdk } from './aws-common.js';
import { knownState } from './common.js';

/**
 * `aws-role-sessions`: revoke every session of the agent's IAM role issued before now, with the
 * inline deny policy AWS documents for "Revoke active sessions"; undo deletes that policy (or puts
 * back the one of the same name that was there before).
 * Docs: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html (a Deny
 * `*` on `*` with `DateLessThan { aws:TokenIssueTime: <now> }`), and the IAM API:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html (the document comes back
 * URL-encoded; 404 NoSuchEntity when absent), https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRolePolicy.html.
 * Verify limits: the policy denies only credentials issued BEFORE it; a fresh `AssumeRole` (through
 * IRSA / web identity, an EC2 instance profile, an ECS task role, or anyone the trust policy allows)
 * gets new credentials the policy does not stop. Pair it with removing the trust or stopping the
 * workload. Policy changes take a few seconds to apply everywhere. Service-linked roles cannot be revoked.
 * Least privilege: `iam:PutRolePolicy`, `iam:GetRolePolicy`, `iam:DeleteRolePolicy` on the role's ARN.
 */
export const REVOKE_POLICY_NAME = 'QuellRevokeOlderSessions';

const settingsSchema = z.strictObject({
  ...awsSettings,
  roleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name'),
  policyName: z
    .string()
    .regex(/^[\w+=,.@-]{1,128}$/)
    .default(REVOKE_POLICY_NAME),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

/** The documented revoke-sessions policy, cut off at `issuedBefore` (whole seconds, UTC). */
export function revokePolicy(issuedBefore: Date): string {
  const at = `${issuedBefore.toISOString().slice(0, 19)}Z`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': at } },
      },
    ],
  });
}

/** The role's inline policy of that name, decoded; null when the role has none of that name. */
async function current(ctx: RunContext<Settings, Args>): Promise<string | null> {
  const { sdk, client } = await iamSdk(ctx);
  try {
    const out = await awsCall('GetRolePolicy', () =>
      client.send(
        new sdk.GetRolePolicyCommand({
          RoleName: ctx.settings.roleName,
          PolicyName: ctx.settings.policyName,
        }),
      ),
    );
    return out.PolicyDocument ? decodeURIComponent(out.PolicyDocument) : null;
  } catch (error) {
    if (error instanceof TargetError && error.details.status === 404 && /NoSuchEntity/.test(error.message))
      return null;
    throw error;
  }
}

const cutoffOf = (document: string | null): string | undefined => {
  if (!document) return undefined;
  try {
    const parsed = JSON.parse(document) as {
      Statement?: { Condition?: { DateLessThan?: Record<string, string> } }[];
    };
    return parsed.Statement?.[0]?.Condition?.DateLessThan?.['aws:TokenIssueTime'];
  } catch {
    return undefined;
  }
};

const priorDocument = (state?: RunState) => knownPrior(state)?.document as string | null | undefined;

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState) {
  const ids = { RoleName: ctx.settings.roleName, PolicyName: ctx.settings.policyName };
  const read = awsPlanned(ctx, 'iam', 'GetRolePolicy', ids);
  if (phase === 'verify') return [read];
  if (phase === 'undo') {
    const before = priorDocument(state);
    return [
      before
        ? awsPlanned(ctx, 'iam', 'PutRolePolicy', { ...ids, PolicyDocument: before })
        : awsPlanned(ctx, 'iam', 'DeleteRolePolicy', ids),
    ];
  }
  return [read, awsPlanned(ctx, 'iam', 'PutRolePolicy', { ...ids, PolicyDocument: revokePolicy(ctx.now) })];
}

const LIMIT =
  'credentials issued after the cut-off are not denied: a fresh AssumeRole (IRSA, instance profile, task role) still works';

export const awsRoleSessionsAdapter = defineAdapter<Settings, Args>({
  id: 'aws-role-sessions',
  summary: 'Revoke an IAM role’s active sessions (inline deny on aws:TokenIssueTime)',
  settingsSchema,
  argsSchema,
  secrets: AWS_SECRETS,
  irreversible: () => false,
  describe: (ctx) =>
    `Revoke sessions of IAM role ${ctx.settings.roleName} issued before now (policy ${ctx.settings.policyName})`,
  describeIdentity: (s) =>
    `IAM role ${s.roleName}: every permission its attached and inline policies grant to sessions assuming it`,
  describeUndo: (_ctx, state) =>
    priorDocument(state)
      ? 'put back the policy of the same name that was there before'
      : `delete the inline policy (sessions issued before the cut-off work again; ${LIMIT.split(':')[0]})`,
  plan: (phase, ctx, state) => requests(phase, ctx, state),
  async execute(ctx) {
    const before = await current(ctx);
    const document = revokePolicy(ctx.now);
    const { sdk, client } = await iamSdk(ctx);
    await awsCall('PutRolePolicy', () =>
      client.send(
        new sdk.PutRolePolicyCommand({
          RoleName: ctx.settings.roleName,
          PolicyName: ctx.settings.policyName,
          PolicyDocument: document,
        }),
      ),
    );
    return {
      detail: `sessions issued before ${cutoffOf(document)} denied`,
      state: {
        prior: knownState(before ? `policy ${ctx.settings.policyName} present` : 'no such inline policy', {
          document: before,
        }),
        cutoff: cutoffOf(document),
      },
      status: 200,
    };
  },
  async verify(ctx, state, after) {
    const now = await current(ctx);
    if (after === 'undo') {
      const before = priorDocument(state) ?? null;
      return {
        verified: now === before,
        observed: now ? `policy present (cut-off ${cutoffOf(now)})` : 'policy absent',
        status: 200,
      };
    }
    const cutoff = cutoffOf(now);
    const holds = Boolean(cutoff) && cutoff === state.cutoff;
    return {
      verified: holds,
      observed: now ? `deny policy in force, cut-off ${cutoff}; ${LIMIT}` : 'deny policy absent',
      status: 200,
    };
  },
  async undo(ctx, state) {
    const before = priorDocument(state);
    const ids = { RoleName: ctx.settings.roleName, PolicyName: ctx.settings.policyName };
    const { sdk, client } = await iamSdk(ctx);
    if (before) {
      await awsCall('PutRolePolicy', () =>
        client.send(new sdk.PutRolePolicyCommand({ ...ids, PolicyDocument: before })),
      );
      return { detail: 'previous policy of the same name put back', status: 200 };
    }
    await awsCall('DeleteRolePolicy', () => client.send(new sdk.DeleteRolePolicyCommand(ids)));
    return { detail: 'revoke-sessions policy removed', status: 200 };
  },
});
