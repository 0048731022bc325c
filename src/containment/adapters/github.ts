import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, knownPrior, type PlanContext, type RunState } from '../contract.js';
import { anyBody, baseUrl, joinUrl, knownState, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `github`: disable the GitHub Actions workflow that runs the agent and cancel its runs in progress
 * (cancelled, never deleted: their logs stay). Undo enables it only if it was active before;
 * cancelled runs are not restarted.
 * Docs: https://docs.github.com/en/rest/actions/workflows ("Get a workflow": `GET
 * /repos/{owner}/{repo}/actions/workflows/{workflow_id}` → `{ id, name, path, state }`, `state`
 * `active` | `disabled_manually` | ...; "Disable a workflow": `PUT .../disable` → 204; "Enable a
 * workflow": `PUT .../enable` → 204) and https://docs.github.com/en/rest/actions/workflow-runs
 * ("List workflow runs for a workflow": `GET .../workflows/{workflow_id}/runs?status=in_progress`
 * → `{ total_count, workflow_runs: [{ id, run_number, status, html_url }] }`; "Cancel a workflow run":
 * `POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel` → 202). Headers: `Accept:
 * application/vnd.github+json`, `Authorization: Bearer <token>`, `X-GitHub-Api-Version: 2022-11-28`.
 * Rate limits: 403/429 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (epoch seconds),
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api (http.ts).
 * Least privilege: a fine-grained token on that one repository with "Actions: read and write".
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl('https://api.github.com'),
  owner: nonEmpty,
  repo: nonEmpty,
  workflow: z.union([nonEmpty, z.number().int().positive().transform(String)]),
  /** Cancel the workflow's queued and running runs after disabling it (default true). */
  cancelRuns: z.boolean().default(true),
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

export const GITHUB_API_VERSION = '2022-11-28';

/** Runs in these states are work in flight (the documented `status` filter values). */
export const IN_FLIGHT_STATUSES = ['in_progress', 'queued'] as const;

const workflowResponse = z.looseObject({ state: z.string() });
const runsResponse = z.looseObject({
  workflow_runs: z.array(z.looseObject({ id: z.number(), status: z.string().nullish() })),
});

type Ctx = PlanContext<Settings, Args>;

const repoUrl = (ctx: Ctx) =>
  joinUrl(ctx.settings.baseUrl, 'repos', seg(ctx.settings.owner), seg(ctx.settings.repo));
const workflowUrl = (ctx: Ctx) => joinUrl(repoUrl(ctx), 'actions/workflows', seg(ctx.settings.workflow));
const headersOf = (ctx: Ctx) => ({
  accept: 'application/vnd.github+json',
  authorization: `Bearer ${ctx.secrets.token}`,
  'x-github-api-version': GITHUB_API_VERSION,
  'user-agent': 'quell-containment',
});

const readWorkflow = (ctx: Ctx): HttpRequestSpec => ({
  method: 'GET',
  url: workflowUrl(ctx),
  headers: headersOf(ctx),
  idempotent: true,
});
const listRuns = (ctx: Ctx, status: string): HttpRequestSpec => ({
  method: 'GET',
  url: `${workflowUrl(ctx)}/runs?status=${status}&per_page=100`,
  headers: headersOf(ctx),
  idempotent: true,
});
const toggle = (ctx: Ctx, to: 'disable' | 'enable'): HttpRequestSpec => ({
  method: 'PUT',
  url: `${workflowUrl(ctx)}/${to}`,
  headers: headersOf(ctx),
  idempotent: true,
});
const cancelRun = (ctx: Ctx, runId: number | string): HttpRequestSpec => ({
  method: 'POST',
  url: joinUrl(repoUrl(ctx), 'actions/runs', String(runId), 'cancel'),
  headers: headersOf(ctx),
  // cancelling a run twice is harmless (409 "Cannot cancel a workflow run that is completed")
  idempotent: true,
  acceptStatus: [409],
});

const wasActive = (state?: RunState) => knownPrior(state)?.state !== 'disabled_manually';

function requests(phase: 'execute' | 'verify' | 'undo', ctx: Ctx, state?: RunState): HttpRequestSpec[] {
  const listing = ctx.settings.cancelRuns ? IN_FLIGHT_STATUSES.map((s) => listRuns(ctx, s)) : [];
  if (phase === 'verify') return [readWorkflow(ctx), ...listing];
  if (phase === 'undo') return wasActive(state) ? [toggle(ctx, 'enable')] : [];
  // the cancel requests depend on what the listing finds: the plan shows their shape
  const cancel = ctx.settings.cancelRuns ? [cancelRun(ctx, '{run_id}')] : [];
  return [readWorkflow(ctx), toggle(ctx, 'disable'), ...listing, ...cancel];
}

async function runsInFlight(
  ctx: PlanContext<Settings, Args> & { http: import('../../http/client.js').HttpClient },
) {
  if (!ctx.settings.cancelRuns) return [];
  const ids: number[] = [];
  for (const status of IN_FLIGHT_STATUSES) {
    const { data } = await ctx.http.request(listRuns(ctx, status), runsResponse);
    for (const run of data.workflow_runs) if (!ids.includes(run.id)) ids.push(run.id);
  }
  return ids;
}

export const githubAdapter = defineAdapter<Settings, Args>({
  id: 'github',
  summary: 'Disable the GitHub Actions workflow that runs the agent and cancel its runs in progress',
  settingsSchema,
  argsSchema,
  secrets: { required: ['token'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Disable workflow ${ctx.settings.workflow} in ${ctx.settings.owner}/${ctx.settings.repo}${ctx.settings.cancelRuns ? ' and cancel its runs in progress' : ''}`,
  describeUndo: (_ctx, state) => {
    const prior = knownPrior(state);
    if (!prior) return 'enable the workflow (its state before containment was not recorded)';
    return wasActive(state)
      ? 'enable the workflow again (cancelled runs are not restarted)'
      : 'leave the workflow disabled (it was disabled before containment)';
  },
  plan: (phase, ctx, state) => requests(phase, ctx, state).map(toPlanned),
  async execute(ctx) {
    const before = await ctx.http.request(readWorkflow(ctx), workflowResponse);
    const { status } = await ctx.http.request(toggle(ctx, 'disable'), anyBody);
    const running = await runsInFlight(ctx);
    for (const id of running) await ctx.http.request(cancelRun(ctx, id), anyBody);
    const cancelled = running.length
      ? `, cancelled ${running.length} run(s) in progress: ${running.join(', ')}`
      : '';
    return {
      detail: `workflow ${before.data.state === 'active' ? 'disabled' : `was ${before.data.state}; kept disabled`}${cancelled}`,
      state: {
        prior: knownState(`workflow ${before.data.state}`, { state: before.data.state }),
        cancelledRuns: running,
      },
      status,
    };
  },
  async verify(ctx, state, after) {
    const { status, data } = await ctx.http.request(readWorkflow(ctx), workflowResponse);
    if (after === 'undo') {
      const wanted = String(knownPrior(state)?.state ?? 'active');
      return { verified: data.state === wanted, observed: `state: ${data.state}`, status };
    }
    const running = await runsInFlight(ctx);
    const disabled = data.state === 'disabled_manually';
    return {
      verified: disabled && running.length === 0,
      observed: `state: ${data.state}${running.length ? `; runs still in progress: ${running.join(', ')}` : ''}`,
      inFlight: running.map(String),
      status,
    };
  },
  async undo(ctx, state) {
    if (!wasActive(state)) return { detail: 'workflow was disabled before containment: left disabled' };
    const { status } = await ctx.http.request(toggle(ctx, 'enable'), anyBody);
    return { detail: 'workflow enabled', status };
  },
});
