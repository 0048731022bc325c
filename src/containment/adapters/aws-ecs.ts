import { z } from 'zod';
import { defineAdapter, knownPrior, type PlanContext, type RunContext, type RunState } from '../contract.js';
import { AWS_SECRETS, awsCall, awsClientConfig, awsPlanned, awsSettings } from './aws-common.js';
import { knownState } from './common.js';

/**
 * `aws-ecs`: scale the agent's ECS service to `desiredCount: 0`; undo restores the count it had.
 * Docs: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
 * (`{ cluster, services: [name] }` → `services[].desiredCount, runningCount, pendingCount`, and
 * `failures[]` for a service not found) and
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html (`{ cluster,
 * service, desiredCount }`). Errors: 400 ClientException / ServiceNotFoundException.
 * Verify limits: tasks drain (stopTimeout, load balancer deregistration delay) before they stop, so
 * verify lists them as still running until `runningCount` is 0; an Application Auto Scaling policy
 * with a minimum above 0 may scale the service back up (drift catches it).
 * Least privilege: `ecs:DescribeServices`, `ecs:UpdateService` on the service's ARN.
 */
const settingsSchema = z.strictObject({
  ...awsSettings,
  cluster: z.string().trim().min(1),
  service: z.string().trim().min(1),
});
type Settings = z.output<typeof settingsSchema>;
const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;
type Ctx = PlanContext<Settings, Args>;

/** The SDK and a client, loaded on first use (see aws-common.ts). */
async function ecs(ctx: RunContext<Settings, Args>) {
  const sdk = await import('@aws-sdk/client-ecs');
  return { sdk, client: new sdk.ECSClient(await awsClientConfig(ctx)) };
}

async function describe(ctx: RunContext<Settings, Args>) {
  const { sdk, client } = await ecs(ctx);
  const out = await awsCall('DescribeServices', () =>
    client.send(
      new sdk.DescribeServicesCommand({ cluster: ctx.settings.cluster, services: [ctx.settings.service] }),
    ),
  );
  const service = out.services?.[0];
  if (!service)
    throw new Error(
      `ECS service ${ctx.settings.service} not found in cluster ${ctx.settings.cluster}${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ''}`,
    );
  return { desired: service.desiredCount ?? 0, running: service.runningCount ?? 0 };
}

const priorCount = (state?: RunState) => knownPrior(state)?.desiredCount as number | undefined;

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState) {
  const { cluster, service } = ctx.settings;
  const read = awsPlanned(ctx, 'ecs', 'DescribeServices', { cluster, services: [service] });
  if (phase === 'verify') return [read];
  if (phase === 'undo') {
    const before = priorCount(state);
    return before
      ? [awsPlanned(ctx, 'ecs', 'UpdateService', { cluster, service, desiredCount: before })]
      : [];
  }
  return [read, awsPlanned(ctx, 'ecs', 'UpdateService', { cluster, service, desiredCount: 0 })];
}

async function scale(ctx: RunContext<Settings, Args>, desiredCount: number) {
  const { sdk, client } = await ecs(ctx);
  return awsCall('UpdateService', () =>
    client.send(
      new sdk.UpdateServiceCommand({
        cluster: ctx.settings.cluster,
        service: ctx.settings.service,
        desiredCount,
      }),
    ),
  );
}

export const awsEcsAdapter = defineAdapter<Settings, Args>({
  id: 'aws-ecs',
  summary: 'Scale an ECS service to 0 tasks',
  settingsSchema,
  argsSchema,
  secrets: AWS_SECRETS,
  irreversible: () => false,
  describe: (ctx) =>
    `Scale ECS service ${ctx.settings.service} in ${ctx.settings.cluster} to 0 (${ctx.settings.region})`,
  describeIdentity: (s) => `ECS service ${s.service} in ${s.cluster} (${s.region}): runs with its task role`,
  describeUndo: (_ctx, state) => {
    const before = priorCount(state);
    if (before === undefined) return 'nothing (the previous count was not recorded; scale it by hand)';
    return before === 0 ? 'leave it at 0 (it was at 0 before containment)' : `scale back to ${before}`;
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state),
  async execute(ctx) {
    const before = await describe(ctx);
    await scale(ctx, 0);
    return {
      detail: `desiredCount ${before.desired} → 0`,
      state: { prior: knownState(`desiredCount ${before.desired}`, { desiredCount: before.desired }) },
      status: 200,
    };
  },
  async verify(ctx, state, after) {
    const now = await describe(ctx);
    const wanted = after === 'execute' ? 0 : (priorCount(state) ?? 0);
    const draining = after === 'execute' && now.running > 0;
    return {
      verified: now.desired === wanted && !draining,
      observed: `desiredCount ${now.desired}, runningCount ${now.running}${draining ? ` (${now.running} tasks still draining)` : ''}`,
      ...(draining ? { inFlight: [`${now.running} running task(s) of ${ctx.settings.service}`] } : {}),
      status: 200,
    };
  },
  async undo(ctx, state) {
    const before = priorCount(state);
    if (!before) return { detail: 'service was at 0 before containment (or count unknown): left at 0' };
    await scale(ctx, before);
    return { detail: `desiredCount back to ${before}`, status: 200 };
  },
});
