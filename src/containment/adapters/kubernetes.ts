import { z } from 'zod';
import { defineAdapter, type PlanContext, type RunState } from '../contract.js';
import type { HttpRequestSpec } from '../http.js';
import { baseUrl, joinUrl, seg, toPlanned } from './common.js';

/**
 * `kubernetes`: scale a Deployment to 0 (remembering the replica count for undo) or suspend a
 * CronJob, through the API server with a bearer token. Plain HTTP, not the client SDK: its own
 * transport cannot be faked with nock.
 * Docs: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/
 * ("read scale of the specified Deployment": `GET /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale`;
 * "partially update scale": `PATCH` the same path, here as a JSON merge patch
 * `Content-Type: application/merge-patch+json`, body `{"spec":{"replicas":0}}`, answer an
 * autoscaling/v1 Scale `{ spec: { replicas }, status: { replicas } }`) and
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/cron-job-v1/
 * (`PATCH /apis/batch/v1/namespaces/{namespace}/cronjobs/{name}` with `{"spec":{"suspend":true}}`).
 * Errors are a `Status` object: `{ kind: "Status", status: "Failure", message, reason, code }`.
 */
const NAME = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'must be a Kubernetes object name (lower-case, digits, - and .)',
  );

const settingsSchema = z.strictObject({
  apiServer: baseUrl(),
  namespace: NAME,
  kind: z.enum(['deployment', 'cronjob']),
  name: NAME,
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

const scaleResponse = z.looseObject({
  spec: z.looseObject({ replicas: z.number().int().nonnegative().optional() }).default({}),
  status: z.looseObject({ replicas: z.number().int().nonnegative().optional() }).optional(),
});
const cronJobResponse = z.looseObject({
  spec: z.looseObject({ suspend: z.boolean().optional() }),
});

const MERGE_PATCH = 'application/merge-patch+json';

function objectUrl(settings: Settings): string {
  return settings.kind === 'deployment'
    ? joinUrl(
        settings.apiServer,
        'apis/apps/v1/namespaces',
        seg(settings.namespace),
        'deployments',
        seg(settings.name),
        'scale',
      )
    : joinUrl(
        settings.apiServer,
        'apis/batch/v1/namespaces',
        seg(settings.namespace),
        'cronjobs',
        seg(settings.name),
      );
}

function requests(
  phase: 'execute' | 'verify' | 'undo',
  ctx: PlanContext<Settings, Args>,
  state?: RunState,
): HttpRequestSpec[] {
  const url = objectUrl(ctx.settings);
  const headers = { authorization: `Bearer ${ctx.secrets.token}`, accept: 'application/json' };
  const read: HttpRequestSpec = { method: 'GET', url, headers, idempotent: true };
  const patch = (spec: Record<string, unknown>): HttpRequestSpec => ({
    method: 'PATCH',
    url,
    headers: { ...headers, 'content-type': MERGE_PATCH },
    json: { spec },
    idempotent: true,
  });
  if (phase === 'verify') return [read];
  if (ctx.settings.kind === 'cronjob') return [patch({ suspend: phase === 'execute' })];
  if (phase === 'execute') return [read, patch({ replicas: 0 })];
  const previous = state?.previousReplicas;
  return [patch({ replicas: typeof previous === 'number' ? previous : '<replicas before containment>' })];
}

export const kubernetesAdapter = defineAdapter<Settings, Args>({
  id: 'kubernetes',
  summary: 'Scale a Kubernetes Deployment to 0 or suspend a CronJob',
  settingsSchema,
  argsSchema,
  secrets: { required: ['token'] },
  irreversible: () => false,
  describe: (ctx) =>
    ctx.settings.kind === 'deployment'
      ? `Scale Deployment ${ctx.settings.namespace}/${ctx.settings.name} to 0`
      : `Suspend CronJob ${ctx.settings.namespace}/${ctx.settings.name}`,
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    if (ctx.settings.kind === 'cronjob') {
      const { status } = await ctx.http.request(requests('execute', ctx)[0]!, cronJobResponse);
      return { detail: 'CronJob suspended', status };
    }
    const [read, patch] = requests('execute', ctx);
    const before = await ctx.http.request(read!, scaleResponse);
    const previousReplicas = before.data.spec.replicas ?? 0;
    const { status } = await ctx.http.request(patch!, scaleResponse);
    return { detail: `replicas ${previousReplicas} → 0`, state: { previousReplicas }, status };
  },
  async verify(ctx, state, after) {
    if (ctx.settings.kind === 'cronjob') {
      const { status, data } = await ctx.http.request(requests('verify', ctx)[0]!, cronJobResponse);
      const suspended = data.spec.suspend === true;
      return {
        verified: after === 'execute' ? suspended : !suspended,
        observed: `suspend: ${suspended}`,
        status,
      };
    }
    const { status, data } = await ctx.http.request(requests('verify', ctx)[0]!, scaleResponse);
    const wanted = after === 'execute' ? 0 : Number(state.previousReplicas ?? 0);
    const desired = data.spec.replicas ?? 0;
    const running = data.status?.replicas;
    return {
      verified: desired === wanted,
      observed: `replicas ${desired}${running === undefined ? '' : ` (running ${running})`}`,
      status,
    };
  },
  async undo(ctx, state) {
    if (ctx.settings.kind === 'cronjob') {
      const { status } = await ctx.http.request(requests('undo', ctx)[0]!, cronJobResponse);
      return { detail: 'CronJob resumed', status };
    }
    if (typeof state.previousReplicas !== 'number')
      throw new Error('the replica count before containment was not recorded; scale it back by hand');
    const { status } = await ctx.http.request(requests('undo', ctx, state)[0]!, scaleResponse);
    return { detail: `replicas 0 → ${state.previousReplicas}`, status };
  },
});
