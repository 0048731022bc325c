import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { TargetError } from '../../http/target-error.js';
import type { ApprovalProgress, ApprovalRef, RunContext, RunState } from '../contract.js';
import { pendingApproval } from '../contract.js';
import { anyBody, joinUrl, seg } from './common.js';

/**
 * Unleash change requests (an Enterprise feature: open-source and Pro instances have no such API and
 * never answer 403 for it). Where an environment requires change requests, a direct change answers
 * 403; Quell then checks the project's change-request configuration, opens a change request with
 * the same change, and sends it to review. Unleash does not apply approved requests by itself
 * (unless a reviewer schedules it), so the approval watch applies it once approved.
 * Docs (Admin API, "Change Requests"):
 * - https://docs.getunleash.io/api/get-project-change-request-config
 *   `GET /api/admin/projects/{projectId}/change-requests/config` → `[{ environment, type, changeRequestEnabled, requiredApprovals }]`
 * - https://docs.getunleash.io/api/change-request
 *   `POST /api/admin/projects/{projectId}/environments/{environment}/change-requests` with
 *   `{ feature, action: "updateEnabled", payload: { enabled } }` → changeRequestSchema `{ id, state: "Draft", ... }`
 * - https://docs.getunleash.io/api/get-change-request
 *   `GET /api/admin/projects/{projectId}/change-requests/{id}` → `{ id, state, approvals, rejections, ... }`,
 *   state one of Draft, In review, Approved, Applied, Cancelled, Rejected, Scheduled
 * - https://docs.getunleash.io/api/update-change-request-state
 *   `PUT /api/admin/projects/{projectId}/change-requests/{id}/state` with `{ state, comment? }`:
 *   "In review" submits a draft, "Applied" applies an approved one, "Cancelled" withdraws it.
 * Least privilege: besides the direct permission, the token's user needs the project's change
 * request permissions to create and apply ("Apply change requests"); Quell never approves its own.
 */

export interface ChangeRequestTarget {
  baseUrl: string;
  project: string;
  environment: string;
  auth: Record<string, string>;
}

export const UNLEASH_CR_STATES = [
  'Draft',
  'In review',
  'Approved',
  'Applied',
  'Cancelled',
  'Rejected',
  'Scheduled',
] as const;

const changeRequestSchema = z.looseObject({ id: z.number().int(), state: z.enum(UNLEASH_CR_STATES) });
const configSchema = z.array(z.looseObject({ environment: z.string(), changeRequestEnabled: z.boolean() }));

const projectUrl = (t: ChangeRequestTarget) => joinUrl(t.baseUrl, 'api/admin/projects', seg(t.project));
const requestUrl = (t: ChangeRequestTarget, id: string) => joinUrl(projectUrl(t), 'change-requests', seg(id));

/** Where a reviewer opens the change request in Unleash's UI. */
export const changeRequestPage = (t: ChangeRequestTarget, id: string) =>
  joinUrl(t.baseUrl, 'projects', seg(t.project), 'change-requests', seg(id));

export function setState(
  t: ChangeRequestTarget,
  id: string,
  state: string,
  comment?: string,
): HttpRequestSpec {
  return {
    method: 'PUT',
    url: joinUrl(requestUrl(t, id), 'state'),
    headers: t.auth,
    json: comment ? { state, comment } : { state },
    idempotent: true,
  };
}

/** True when the 403 is the environment's change-request requirement, not a missing permission. */
export async function requiresChangeRequest(
  http: RunContext<unknown, unknown>['http'],
  t: ChangeRequestTarget,
  error: unknown,
): Promise<boolean> {
  if (!(error instanceof TargetError) || error.details.status !== 403) return false;
  const { data } = await http.request(
    {
      method: 'GET',
      url: joinUrl(projectUrl(t), 'change-requests/config'),
      headers: t.auth,
      idempotent: true,
    },
    configSchema,
  );
  return data.some((c) => c.environment === t.environment && c.changeRequestEnabled);
}

/** Opens a change request with one change, sends it to review, and returns the reference to keep. */
export async function openChangeRequest(
  ctx: Pick<RunContext<unknown, unknown>, 'http' | 'now'>,
  t: ChangeRequestTarget,
  change: { feature: string; action: string; payload: Record<string, unknown> },
  comment: string,
): Promise<{ approval: ApprovalRef; status: number }> {
  const created = await ctx.http.request(
    {
      method: 'POST',
      url: joinUrl(projectUrl(t), 'environments', seg(t.environment), 'change-requests'),
      headers: t.auth,
      json: change,
      // not retried: a second POST would add the change again to the user's open request
      idempotent: false,
    },
    changeRequestSchema,
  );
  const id = String(created.data.id);
  const submitted =
    created.data.state === 'Draft'
      ? await ctx.http.request(setState(t, id, 'In review', comment), anyBody)
      : created;
  return {
    approval: { id, url: changeRequestPage(t, id), status: 'pending', requestedAt: ctx.now.toISOString() },
    status: submitted.status,
  };
}

/** Reads the change request; applies it once approved; a rejected or cancelled one is declined. */
export async function advanceChangeRequest(
  http: RunContext<unknown, unknown>['http'],
  t: ChangeRequestTarget,
  state: RunState,
  comment: string,
): Promise<ApprovalProgress> {
  const approval = pendingApproval(state);
  if (!approval) return { status: 'applied', detail: 'no change request pending', state };
  const { data } = await http.request(
    { method: 'GET', url: requestUrl(t, approval.id), headers: t.auth, idempotent: true },
    changeRequestSchema,
  );
  const settle = (status: ApprovalRef['status'], detail: string): ApprovalProgress => ({
    status,
    detail,
    state: { ...state, approval: { ...approval, status } },
  });
  switch (data.state) {
    case 'Rejected':
      return settle('declined', `change request rejected (${approval.url}); nothing applied`);
    case 'Cancelled':
      return settle('declined', `change request cancelled in Unleash (${approval.url}); nothing applied`);
    case 'Applied':
      return settle('applied', `change request applied in Unleash (${approval.url})`);
    case 'Approved':
      await http.request(setState(t, approval.id, 'Applied', comment), anyBody);
      return settle('applied', `change request approved; Quell applied it (${approval.url})`);
    default:
      // Draft, In review, or Scheduled (Unleash applies a scheduled request itself at its time)
      return { status: 'pending', detail: `change request ${data.state}`, state };
  }
}
