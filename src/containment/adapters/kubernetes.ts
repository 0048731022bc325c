import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunContext, type RunState } from '../contract.js';
import { baseUrl, joinUrl, knownState, seg, toPlanned } from './common.js';
import { authorization, caBundle, IN_CLUSTER_API_SERVER } from './kubernetes-access.js';

/**
 * `kubernetes`: scale a Deployment to 0 or suspend a CronJob (and suspend, never delete, its Jobs
 * still running), through the API server. Plain HTTP, not the client SDK: its own transport cannot
 * be faked with nock. Verify waits (bounded) until no pod of the workload runs; undo restores the
 * recorded replica count / suspend flag and resumes the Jobs it suspended.
 * Docs: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/
 * ("read scale": `GET /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale`; "partially
 * update scale": `PATCH` it with `Content-Type: application/merge-patch+json`, `{"spec":{"replicas":0}}`;
 * "read": `GET .../deployments/{name}`, whose `spec.selector.matchLabels` selects its pods),
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/ ("list":
 * `GET /api/v1/namespaces/{namespace}/pods?labelSelector=...`, `items[].status.phase`),
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/cron-job-v1/ (`GET`/`PATCH
 * /apis/batch/v1/namespaces/{namespace}/cronjobs/{name}`, `spec.suspend`, `status.active` = the
 * Jobs still running) and https://kubernetes.io/docs/concepts/workloads/controllers/job/#suspending-a-job
 * (`PATCH .../jobs/{name}` `{"spec":{"suspend":true}}`: the Job and its record stay, its running pods
 * are stopped; resuming creates new pods). Suspending a Job ends its pods and their logs with them:
 * take the forensic snapshot first, or set `activeJobs: leave`.
 * Errors are a `Status` object: `{ kind: "Status", status: "Failure", message, reason, code }`.
 * Least privilege (a Role in the namespace): deployments/scale get+patch, deployments get, pods
 * list (Deployment); cronjobs get+patch, jobs get+patch (CronJob).
 */
const NAME = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'must be a Kubernetes object name (lower-case, digits, - and .)',
  );

const settingsSchema = z
  .strictObject({
    /** Default in a pod: https://kubernetes.default.svc. */
    apiServer: baseUrl().optional(),
    namespace: NAME,
    kind: z.enum(['deployment', 'cronjob']),
    name: NAME,
    /** PEM bundle of the CA that signed the API server's certificate (private-CA clusters). */
    caFile: z.string().min(1).optional(),
    /** A token file read on every call (projected or cloud tokens rotate); instead of the token secret. */
    tokenFile: z.string().min(1).optional(),
    /** Running in the cluster: the pod's service-account token and CA, and the in-cluster API server. */
    inCluster: z.boolean().default(false),
    /** How long verify waits for the workload's pods to stop. */
    stopTimeoutSeconds: z.number().int().min(0).max(600).default(60),
    pollIntervalMs: z.number().int().min(10).max(30_000).default(2_000),
    /** CronJob: suspend its Jobs still running (default), or leave them to finish. */
    activeJobs: z.enum(['suspend', 'leave']).default('suspend'),
  })
  .transform((s, ctx) => {
    const apiServer = s.apiServer ?? (s.inCluster ? IN_CLUSTER_API_SERVER : undefined);
    if (!apiServer) {
      ctx.addIssue({ code: 'custom', path: ['apiServer'], message: 'set apiServer (or inCluster: true)' });
      return z.NEVER;
    }
    return { ...s, apiServer };
  });
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

const scaleResponse = z.looseObject({
  spec: z.looseObject({ replicas: z.number().int().nonnegative().optional() }).default({}),
  status: z.looseObject({ replicas: z.number().int().nonnegative().optional() }).optional(),
});
const deploymentResponse = z.looseObject({
  spec: z.looseObject({
    selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()).optional() }),
  }),
});
const podList = z.looseObject({
  items: z.array(
    z.looseObject({
      metadata: z.looseObject({ name: z.string() }),
      status: z.looseObject({ phase: z.string().optional() }).optional(),
    }),
  ),
});
const cronJobResponse = z.looseObject({
  spec: z.looseObject({ suspend: z.boolean().optional() }),
  status: z.looseObject({ active: z.array(z.looseObject({ name: z.string() })).optional() }).optional(),
});
const jobResponse = z.looseObject({
  spec: z.looseObject({ suspend: z.boolean().optional() }),
  status: z.looseObject({ active: z.number().int().optional() }).optional(),
});

const MERGE_PATCH = 'application/merge-patch+json';

type Ctx = PlanContext<Settings, Args>;

const apps = (ctx: Ctx) =>
  joinUrl(
    ctx.settings.apiServer,
    'apis/apps/v1/namespaces',
    seg(ctx.settings.namespace),
    'deployments',
    seg(ctx.settings.name),
  );
const batch = (ctx: Ctx, kind: 'cronjobs' | 'jobs', name: string) =>
  joinUrl(ctx.settings.apiServer, 'apis/batch/v1/namespaces', seg(ctx.settings.namespace), kind, seg(name));
const podsUrl = (ctx: Ctx, selector: string) =>
  `${joinUrl(ctx.settings.apiServer, 'api/v1/namespaces', seg(ctx.settings.namespace), 'pods')}?labelSelector=${encodeURIComponent(selector)}`;

/** Request builders; `forPlan` names a file token instead of reading it (see kubernetes-access.ts). */
function builders(ctx: Ctx, forPlan: boolean) {
  const auth = authorization(ctx, forPlan);
  const ca = forPlan ? undefined : caBundle(ctx.settings);
  const base = (method: HttpRequestSpec['method'], url: string): HttpRequestSpec => ({
    method,
    url,
    headers: { authorization: auth, accept: 'application/json' },
    idempotent: true,
    ...(ca ? { ca } : {}),
  });
  const patch = (url: string, spec: Record<string, unknown>): HttpRequestSpec => ({
    ...base('PATCH', url),
    headers: { authorization: auth, accept: 'application/json', 'content-type': MERGE_PATCH },
    json: { spec },
  });
  return {
    readScale: () => base('GET', `${apps(ctx)}/scale`),
    scale: (replicas: number | string) => patch(`${apps(ctx)}/scale`, { replicas }),
    readDeployment: () => base('GET', apps(ctx)),
    listPods: (selector: string) => base('GET', podsUrl(ctx, selector)),
    readCronJob: () => base('GET', batch(ctx, 'cronjobs', ctx.settings.name)),
    suspendCronJob: (suspend: boolean) => patch(batch(ctx, 'cronjobs', ctx.settings.name), { suspend }),
    readJob: (name: string) => base('GET', batch(ctx, 'jobs', name)),
    suspendJob: (name: string, suspend: boolean) => patch(batch(ctx, 'jobs', name), { suspend }),
  };
}

interface Prior {
  replicas?: number;
  suspend?: boolean;
  /** CronJob: the Jobs this run suspended (resumed by undo). */
  suspendedJobs?: string[];
}

const priorOfState = (state?: RunState) => knownPrior(state) as Prior | undefined;

/** The plan: what a dry run shows. Requests whose target is found at run time name it in braces. */
function plan(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState): HttpRequestSpec[] {
  const b = builders(ctx, true);
  const prior = priorOfState(state);
  if (ctx.settings.kind === 'deployment') {
    if (phase === 'execute') return [b.readScale(), b.scale(0)];
    if (phase === 'verify')
      return [b.readScale(), b.readDeployment(), b.listPods('{spec.selector.matchLabels}')];
    return typeof prior?.replicas === 'number' && prior.replicas > 0 ? [b.scale(prior.replicas)] : [];
  }
  const jobs = ctx.settings.activeJobs === 'suspend';
  if (phase === 'execute')
    return [
      b.readCronJob(),
      b.suspendCronJob(true),
      ...(jobs ? [b.suspendJob('{status.active[].name}', true)] : []),
    ];
  if (phase === 'verify') return [b.readCronJob(), b.readJob('{status.active[].name}')];
  return [
    ...(prior?.suspend === true ? [] : [b.suspendCronJob(false)]),
    ...(prior?.suspendedJobs ?? []).map((name) => b.suspendJob(name, false)),
  ];
}

const wait = (ctx: RunContext<Settings, Args>, ms: number) =>
  (ctx.sleep ?? ((t: number) => new Promise<void>((resolve) => setTimeout(resolve, t))))(ms);

/** Polls `check` until nothing is running or the stop timeout has passed; returns what still runs. */
async function untilStopped(ctx: RunContext<Settings, Args>, check: () => Promise<string[]>) {
  const deadline = Date.now() + ctx.settings.stopTimeoutSeconds * 1000;
  for (;;) {
    const running = await check();
    if (running.length === 0 || Date.now() >= deadline) return running;
    await wait(ctx, Math.min(ctx.settings.pollIntervalMs, Math.max(0, deadline - Date.now())));
  }
}

const ENDED = new Set(['Succeeded', 'Failed']);

async function verifyDeployment(ctx: RunContext<Settings, Args>, state: RunState, after: 'execute' | 'undo') {
  const b = builders(ctx, false);
  const { status, data } = await ctx.http.request(b.readScale(), scaleResponse);
  const desired = data.spec.replicas ?? 0;
  if (after === 'undo') {
    const wanted = priorOfState(state)?.replicas;
    return {
      verified: typeof wanted === 'number' && desired === wanted,
      observed: `replicas ${desired}${typeof wanted === 'number' ? ` (recorded before containment: ${wanted})` : ''}`,
      status,
    };
  }
  if (desired !== 0) return { verified: false, observed: `replicas ${desired} (wanted 0)`, status };
  const deployment = await ctx.http.request(b.readDeployment(), deploymentResponse);
  const labels = deployment.data.spec.selector.matchLabels ?? {};
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!selector)
    return {
      verified: false,
      observed: 'replicas 0; the Deployment has no matchLabels selector to find its pods',
      status,
    };
  const running = await untilStopped(ctx, async () => {
    const pods = await ctx.http.request(b.listPods(selector), podList);
    return pods.data.items.filter((p) => !ENDED.has(p.status?.phase ?? '')).map((p) => p.metadata.name);
  });
  return {
    verified: running.length === 0,
    observed: running.length
      ? `replicas 0; ${running.length} pod(s) still running after ${ctx.settings.stopTimeoutSeconds} s: ${running.join(', ')}`
      : 'replicas 0; no pod running',
    inFlight: running,
    status,
  };
}

async function verifyCronJob(ctx: RunContext<Settings, Args>, state: RunState, after: 'execute' | 'undo') {
  const b = builders(ctx, false);
  if (after === 'undo') {
    const { status, data } = await ctx.http.request(b.readCronJob(), cronJobResponse);
    const suspended = data.spec.suspend === true;
    const wanted = priorOfState(state)?.suspend ?? false;
    return { verified: suspended === wanted, observed: `suspend: ${suspended}`, status };
  }
  let suspended = false;
  let status: number | undefined;
  const running = await untilStopped(ctx, async () => {
    const cron = await ctx.http.request(b.readCronJob(), cronJobResponse);
    status = cron.status;
    suspended = cron.data.spec.suspend === true;
    const still: string[] = [];
    for (const { name } of cron.data.status?.active ?? []) {
      const job = await ctx.http.request(b.readJob(name), jobResponse);
      if (job.data.spec.suspend !== true || (job.data.status?.active ?? 0) > 0) still.push(name);
    }
    return still;
  });
  const leave = ctx.settings.activeJobs === 'leave';
  return {
    verified: suspended && (leave || running.length === 0),
    observed: `suspend: ${suspended}${running.length ? `; Jobs still running: ${running.join(', ')}` : '; no Job running'}`,
    inFlight: running,
    status,
  };
}

export const kubernetesAdapter = defineAdapter<Settings, Args>({
  id: 'kubernetes',
  summary: 'Scale a Kubernetes Deployment to 0, or suspend a CronJob and its running Jobs',
  settingsSchema,
  argsSchema,
  secrets: { required: [], optional: ['token'] },
  irreversible: () => false,
  describe: (ctx) =>
    ctx.settings.kind === 'deployment'
      ? `Scale Deployment ${ctx.settings.namespace}/${ctx.settings.name} to 0`
      : `Suspend CronJob ${ctx.settings.namespace}/${ctx.settings.name}${ctx.settings.activeJobs === 'suspend' ? ' and its running Jobs' : ''}`,
  describeUndo: (ctx, state) => {
    const prior = priorOfState(state);
    if (ctx.settings.kind === 'deployment')
      return typeof prior?.replicas === 'number'
        ? `scale back to ${prior.replicas} replica(s), as recorded`
        : 'the replica count before containment was not recorded: undo cannot restore it; scale it by hand';
    if (!prior) return 'resume the CronJob (whether it was suspended before was not recorded)';
    const jobs = prior.suspendedJobs?.length ? ` and resume Job(s) ${prior.suspendedJobs.join(', ')}` : '';
    return `${prior.suspend ? 'leave the CronJob suspended (as it was)' : 'resume the CronJob'}${jobs}`;
  },
  plan: (phase, ctx, state) => plan(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const b = builders(ctx, false);
    if (ctx.settings.kind === 'deployment') {
      const before = await ctx.http.request(b.readScale(), scaleResponse);
      const replicas = before.data.spec.replicas ?? 0;
      const { status } = await ctx.http.request(b.scale(0), scaleResponse);
      return {
        detail: `replicas ${replicas} → 0`,
        state: { prior: knownState(`replicas ${replicas}`, { replicas }) },
        status,
      };
    }
    const before = await ctx.http.request(b.readCronJob(), cronJobResponse);
    const suspend = before.data.spec.suspend === true;
    const { status } = await ctx.http.request(b.suspendCronJob(true), cronJobResponse);
    const suspendedJobs: string[] = [];
    if (ctx.settings.activeJobs === 'suspend')
      for (const { name } of before.data.status?.active ?? []) {
        await ctx.http.request(b.suspendJob(name, true), jobResponse);
        suspendedJobs.push(name);
      }
    return {
      detail: `CronJob ${suspend ? 'was already suspended; kept suspended' : 'suspended'}${suspendedJobs.length ? `; suspended running Job(s) ${suspendedJobs.join(', ')}` : ''}`,
      state: { prior: knownState(`suspend ${suspend}`, { suspend, suspendedJobs }) },
      status,
    };
  },
  verify: (ctx, state, after) =>
    ctx.settings.kind === 'deployment'
      ? verifyDeployment(ctx, state, after)
      : verifyCronJob(ctx, state, after),
  async undo(ctx, state) {
    const b = builders(ctx, false);
    const prior = priorOfState(state);
    if (ctx.settings.kind === 'deployment') {
      if (typeof prior?.replicas !== 'number')
        throw new Error('the replica count before containment was not recorded; scale it back by hand');
      if (prior.replicas === 0) return { detail: 'replicas were 0 before containment: left at 0' };
      const { status } = await ctx.http.request(b.scale(prior.replicas), scaleResponse);
      return { detail: `replicas 0 → ${prior.replicas}`, status };
    }
    let status: number | undefined;
    if (prior?.suspend !== true)
      status = (await ctx.http.request(b.suspendCronJob(false), cronJobResponse)).status;
    for (const name of prior?.suspendedJobs ?? [])
      await ctx.http.request(b.suspendJob(name, false), jobResponse);
    const jobs = prior?.suspendedJobs?.length ? `; resumed Job(s) ${prior.suspendedJobs.join(', ')}` : '';
    return {
      detail: `${prior?.suspend ? 'CronJob was suspended before containment: left suspended' : 'CronJob resumed'}${jobs}`,
      status,
    };
  },
});
