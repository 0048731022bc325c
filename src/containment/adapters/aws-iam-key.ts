import { z } from 'zod';
import { defineAdapter, knownPrior, type PlanContext, type RunContext, type RunState } from '../contract.js';
import { AWS_SECRETS, awsCall, awsPlanned, awsSettings, iamSdk } from './aws-common.js';
import { knownState } from './common.js';

/**
 * `aws-iam-key`: deactivate the agent's IAM access key; undo re-activates it only if it was active.
 * Docs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html
 * (`Action=UpdateAccessKey&UserName=&AccessKeyId=&Status=Inactive|Active`) and
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html (`AccessKeyMetadata[]`
 * with `AccessKeyId`, `Status`). Errors: 404 NoSuchEntity, 409 LimitExceeded/Throttling.
 * Verify limits: IAM is eventually consistent (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency):
 * the key may keep working for a few seconds after Inactive; STS session credentials already minted
 * from it (GetSessionToken) stay valid until they expire.
 * Least privilege: `iam:ListAccessKeys`, `iam:UpdateAccessKey` on `arn:aws:iam::<account>:user/<user>`.
 */
const settingsSchema = z.strictObject({
  ...awsSettings,
  userName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM user name'),
  accessKeyId: z.string().regex(/^AKIA[A-Z0-9]{12,124}$/, 'must be an access key id (AKIA...)'),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

async function status(ctx: RunContext<Settings, Args>): Promise<string> {
  const { sdk, client } = await iamSdk(ctx);
  const out = await awsCall('ListAccessKeys', () =>
    client.send(new sdk.ListAccessKeysCommand({ UserName: ctx.settings.userName })),
  );
  const key = out.AccessKeyMetadata?.find((k) => k.AccessKeyId === ctx.settings.accessKeyId);
  if (!key)
    throw new Error(
      `access key ${ctx.settings.accessKeyId} is not a key of IAM user ${ctx.settings.userName}`,
    );
  return key.Status ?? 'unknown';
}

async function update(ctx: RunContext<Settings, Args>, Status: 'Active' | 'Inactive') {
  const { sdk, client } = await iamSdk(ctx);
  return awsCall('UpdateAccessKey', () =>
    client.send(
      new sdk.UpdateAccessKeyCommand({
        UserName: ctx.settings.userName,
        AccessKeyId: ctx.settings.accessKeyId,
        Status,
      }),
    ),
  );
}

const wasInactive = (state?: RunState) => knownPrior(state)?.status === 'Inactive';

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState) {
  const { userName: UserName, accessKeyId: AccessKeyId } = ctx.settings;
  const list = awsPlanned(ctx, 'iam', 'ListAccessKeys', { UserName });
  if (phase === 'verify') return [list];
  if (phase === 'undo')
    return wasInactive(state)
      ? []
      : [awsPlanned(ctx, 'iam', 'UpdateAccessKey', { UserName, AccessKeyId, Status: 'Active' })];
  return [list, awsPlanned(ctx, 'iam', 'UpdateAccessKey', { UserName, AccessKeyId, Status: 'Inactive' })];
}

export const awsIamKeyAdapter = defineAdapter<Settings, Args>({
  id: 'aws-iam-key',
  summary: 'Deactivate the agent’s IAM access key',
  settingsSchema,
  argsSchema,
  secrets: AWS_SECRETS,
  irreversible: () => false,
  describe: (ctx) => `Deactivate IAM access key ${ctx.settings.accessKeyId} of user ${ctx.settings.userName}`,
  describeIdentity: (s) =>
    `IAM user ${s.userName} (access key ${s.accessKeyId}): every permission its policies and groups grant`,
  describeUndo: (_ctx, state) => {
    if (!knownPrior(state)) return 're-activate the key (its status before containment was not recorded)';
    return wasInactive(state)
      ? 'leave the key inactive (it was inactive before containment)'
      : 're-activate the key';
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state),
  async execute(ctx) {
    const before = await status(ctx);
    await update(ctx, 'Inactive');
    return {
      detail: before === 'Inactive' ? 'key was already inactive; kept inactive' : 'key Active → Inactive',
      state: { prior: knownState(`key ${before}`, { status: before }) },
      status: 200,
    };
  },
  async verify(ctx, state, after) {
    const now = await status(ctx);
    const wanted = after === 'execute' ? 'Inactive' : wasInactive(state) ? 'Inactive' : 'Active';
    return {
      verified: now === wanted,
      observed: `key ${now}${after === 'execute' && now === 'Inactive' ? '; IAM is eventually consistent (seconds), and session credentials already minted from the key stay valid until they expire' : ''}`,
      status: 200,
    };
  },
  async undo(ctx, state) {
    if (wasInactive(state)) return { detail: 'key was inactive before containment: left inactive' };
    await update(ctx, 'Active');
    return { detail: 'key active again', status: 200 };
  },
});
