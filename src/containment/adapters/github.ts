import { z } from 'zod';
import { defineAdapter, type PlanContext } from '../contract.js';
import type { HttpRequestSpec } from '../http.js';
import { anyBody, baseUrl, joinUrl, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `github`: disable / enable the GitHub Actions workflow that runs the agent.
 * Docs: https://docs.github.com/en/rest/actions/workflows ("Disable a workflow":
 * `PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/disable` → 204; "Enable a workflow":
 * `.../enable` → 204; "Get a workflow": `GET .../workflows/{workflow_id}` → `{ id, name, path, state }`
 * with `state` `active` or `disabled_manually`). `workflow_id` may be the file name (`agent.yml`).
 * Headers: `Accept: application/vnd.github+json`, `Authorization: Bearer <token>`,
 * `X-GitHub-Api-Version: 2022-11-28`. Errors: `{ message, documentation_url }`.
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl('https://api.github.com'),
  owner: nonEmpty,
  repo: nonEmpty,
  workflow: z.union([nonEmpty, z.number().int().positive().transform(String)]),
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

export const GITHUB_API_VERSION = '2022-11-28';

const workflowResponse = z.looseObject({ state: z.string() });

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>): HttpRequestSpec[] {
  const { baseUrl: base, owner, repo, workflow } = ctx.settings;
  const url = joinUrl(base, 'repos', seg(owner), seg(repo), 'actions/workflows', seg(workflow));
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${ctx.secrets.token}`,
    'x-github-api-version': GITHUB_API_VERSION,
    'user-agent': 'quell-containment',
  };
  if (phase === 'verify') return [{ method: 'GET', url, headers, idempotent: true }];
  return [
    { method: 'PUT', url: `${url}/${phase === 'execute' ? 'disable' : 'enable'}`, headers, idempotent: true },
  ];
}

export const githubAdapter = defineAdapter<Settings, Args>({
  id: 'github',
  summary: 'Disable the GitHub Actions workflow that runs the agent',
  settingsSchema,
  argsSchema,
  secrets: { required: ['token'] },
  irreversible: () => false,
  describe: (ctx) =>
    `Disable workflow ${ctx.settings.workflow} in ${ctx.settings.owner}/${ctx.settings.repo}`,
  plan: (phase, ctx) => requests(phase, ctx).map(toPlanned),
  async execute(ctx) {
    const { status } = await ctx.http.request(requests('execute', ctx)[0]!, anyBody);
    return { detail: 'workflow disabled', status };
  },
  async verify(ctx, _state, after) {
    const { status, data } = await ctx.http.request(requests('verify', ctx)[0]!, workflowResponse);
    const wanted = after === 'execute' ? 'disabled_manually' : 'active';
    return { verified: data.state === wanted, observed: `state: ${data.state}`, status };
  },
  async undo(ctx) {
    const { status } = await ctx.http.request(requests('undo', ctx)[0]!, anyBody);
    return { detail: 'workflow enabled', status };
  },
});
