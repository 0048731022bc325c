import { z } from 'zod';
import { defineAdapter, knownPrior, type PlanContext, type RunContext, type RunState } from '../contract.js';
import { AWS_SECRETS, awsCall, awsClientConfig, awsPlanned, awsSettings } from './aws-common.js';
import { knownState } from './common.js';

/**
 * `aws-lambda`: stop a Lambda function from running at all by setting its reserved concurrency to 0
 * (new invocations are throttled); undo restores the previous setting, "none" (unreserved) included.
 * Docs: https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConcurrency.html (`GET
 * /2019-09-30/functions/{FunctionName}/concurrency` → `{ ReservedConcurrentExecutions }`, absent when
 * none is reserved), https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html
 * (`PUT /2017-10-31/functions/{FunctionName}/concurrency` `{ ReservedConcurrentExecutions: 0 }`),
 * https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunctionConcurrency.html (`DELETE ...`:
 * back to unreserved). Errors: 404 ResourceNotFoundException, 429 TooManyRequestsException.
 * Verify limits: invocations already running finish (up to the function's timeout); asynchronous
 * events are throttled and retried by Lambda for up to 6 hours, so they may run after undo.
 * Least privilege: `lambda:GetFunctionConcurrency`, `lambda:PutFunctionConcurrency`,
 * `lambda:DeleteFunctionConcurrency` on that function's ARN.
 */
const settingsSchema = z.strictObject({
  ...awsSettings,
  functionName: z
    .string()
    .regex(
      /^(arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/,
      'must be a function name or ARN',
    ),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

/** The SDK and a client, loaded on first use (see aws-common.ts). */
async function lambda(ctx: RunContext<Settings, Args>) {
  const sdk = await import('@aws-sdk/client-lambda');
  return { sdk, client: new sdk.LambdaClient(await awsClientConfig(ctx)) };
}

/** Reserved concurrency now: a number, or null when none is reserved. */
async function reserved(ctx: RunContext<Settings, Args>): Promise<number | null> {
  const { sdk, client } = await lambda(ctx);
  const out = await awsCall('GetFunctionConcurrency', () =>
    client.send(new sdk.GetFunctionConcurrencyCommand({ FunctionName: ctx.settings.functionName })),
  );
  return out.ReservedConcurrentExecutions ?? null;
}

const previous = (state?: RunState) => {
  const prior = knownPrior(state);
  return prior ? ((prior.reserved as number | null | undefined) ?? null) : undefined;
};

const show = (n: number | null | undefined) => (n === null || n === undefined ? 'none' : String(n));

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState) {
  const FunctionName = ctx.settings.functionName;
  const read = awsPlanned(ctx, 'lambda', 'GetFunctionConcurrency', { FunctionName });
  if (phase === 'verify') return [read];
  if (phase === 'undo') {
    const before = previous(state);
    return [
      typeof before === 'number'
        ? awsPlanned(ctx, 'lambda', 'PutFunctionConcurrency', {
            FunctionName,
            ReservedConcurrentExecutions: before,
          })
        : awsPlanned(ctx, 'lambda', 'DeleteFunctionConcurrency', { FunctionName }),
    ];
  }
  return [
    read,
    awsPlanned(ctx, 'lambda', 'PutFunctionConcurrency', { FunctionName, ReservedConcurrentExecutions: 0 }),
  ];
}

export const awsLambdaAdapter = defineAdapter<Settings, Args>({
  id: 'aws-lambda',
  summary: 'Throttle a Lambda function completely (reserved concurrency 0)',
  settingsSchema,
  argsSchema,
  secrets: AWS_SECRETS,
  irreversible: () => false,
  describe: (ctx) =>
    `Set Lambda ${ctx.settings.functionName} reserved concurrency to 0 in ${ctx.settings.region}`,
  describeIdentity: (s) => `Lambda function ${s.functionName} (${s.region}): runs with its execution role`,
  describeUndo: (_ctx, state) => {
    const before = previous(state);
    if (before === undefined)
      return 'remove the reserved concurrency (the previous setting was not recorded)';
    return before === null
      ? 'remove the reserved concurrency again (none was reserved)'
      : `set reserved concurrency back to ${before}`;
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state),
  async execute(ctx) {
    const before = await reserved(ctx);
    const { sdk, client } = await lambda(ctx);
    await awsCall('PutFunctionConcurrency', () =>
      client.send(
        new sdk.PutFunctionConcurrencyCommand({
          FunctionName: ctx.settings.functionName,
          ReservedConcurrentExecutions: 0,
        }),
      ),
    );
    return {
      detail: `reserved concurrency ${show(before)} → 0`,
      state: { prior: knownState(`reserved concurrency ${show(before)}`, { reserved: before }) },
      status: 200,
    };
  },
  async verify(ctx, state, after) {
    const now = await reserved(ctx);
    const wanted = after === 'execute' ? 0 : (previous(state) ?? null);
    return {
      verified: now === wanted,
      observed: `reserved concurrency ${show(now)}${after === 'execute' && now === 0 ? '; invocations already running finish, async events are retried by Lambda for up to 6 h' : ''}`,
      status: 200,
    };
  },
  async undo(ctx, state) {
    const before = previous(state);
    const FunctionName = ctx.settings.functionName;
    const { sdk, client } = await lambda(ctx);
    if (typeof before === 'number') {
      await awsCall('PutFunctionConcurrency', () =>
        client.send(
          new sdk.PutFunctionConcurrencyCommand({ FunctionName, ReservedConcurrentExecutions: before }),
        ),
      );
      return { detail: `reserved concurrency back to ${before}`, status: 200 };
    }
    await awsCall('DeleteFunctionConcurrency', () =>
      client.send(new sdk.DeleteFunctionConcurrencyCommand({ FunctionName })),
    );
    return { detail: 'reserved concurrency removed (none, as before)', status: 204 };
  },
});
