import { z } from 'zod';
import type { HttpRequestSpec } from '../../http/client.js';
import { defineAdapter, type PlanContext, TargetError } from '../contract.js';
import { anyBody, baseUrl, joinUrl, knownState, nonEmpty, seg, toPlanned } from './common.js';

/**
 * `openai`: delete a project API key or a project service account through the Administration API.
 * OpenAI has no disable, only delete: this action is IRREVERSIBLE and always asks for explicit
 * confirmation naming the consequence.
 * Docs: https://developers.openai.com/api/reference/resources/organization/subresources/projects/subresources/api_keys/methods/delete
 * (`DELETE /v1/organization/projects/{project_id}/api_keys/{key_id}` →
 * `{ object: "organization.project.api_key.deleted", id, deleted: true }`) and
 * https://developers.openai.com/api/reference/resources/organization/subresources/projects/subresources/service_accounts/methods/delete
 * (`DELETE /v1/organization/projects/{project_id}/service_accounts/{service_account_id}` →
 * `{ object: "organization.project.service_account.deleted", id, deleted: true }`); verify reads the
 * object back with `GET` on the same path and expects 404. Before deleting, the object is read with
 * that `GET` ("Retrieve project API key": `{ object, id, name, redacted_value, created_at, owner }`;
 * "Retrieve project service account": `{ object, id, name, role, created_at }`) so the record keeps
 * what was deleted. Auth: `Authorization: Bearer <admin key>`. Errors: `{ error: { message, type,
 * param, code } }`. A DELETE whose answer was lost (timeout, 5xx) and whose retry meets 404 is done:
 * the first attempt deleted it.
 * Least privilege: an Admin API key (the Administration API has no narrower scope).
 */
const settingsSchema = z.strictObject({
  baseUrl: baseUrl('https://api.openai.com'),
  projectId: nonEmpty,
  target: z.enum(['api_key', 'service_account']),
  id: nonEmpty,
});
type Settings = z.output<typeof settingsSchema>;

const argsSchema = z.strictObject({}).default({});
type Args = z.output<typeof argsSchema>;

const deletedResponse = z.looseObject({ id: z.string(), deleted: z.boolean() });
const objectResponse = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  created_at: z.number().nullish(),
});

const TARGET_LABEL = { api_key: 'project API key', service_account: 'project service account' } as const;

function objectUrl(settings: Settings): string {
  const collection = settings.target === 'api_key' ? 'api_keys' : 'service_accounts';
  return joinUrl(
    settings.baseUrl,
    'v1/organization/projects',
    seg(settings.projectId),
    collection,
    seg(settings.id),
  );
}

function requests(phase: 'execute' | 'verify' | 'undo', ctx: PlanContext<Settings, Args>): HttpRequestSpec[] {
  const headers = { authorization: `Bearer ${ctx.secrets.adminKey}` };
  const url = objectUrl(ctx.settings);
  if (phase === 'undo') return [];
  if (phase === 'verify') return [{ method: 'GET', url, headers, idempotent: true, acceptStatus: [404] }];
  return [
    { method: 'GET', url, headers, idempotent: true },
    { method: 'DELETE', url, headers, idempotent: true },
  ];
}

export const openaiAdapter = defineAdapter<Settings, Args>({
  id: 'openai',
  summary: 'Delete an OpenAI project API key or service account (irreversible)',
  settingsSchema,
  argsSchema,
  secrets: { required: ['adminKey'] },
  irreversible: () => true,
  describe: (ctx) =>
    `Delete OpenAI ${TARGET_LABEL[ctx.settings.target]} ${ctx.settings.id} in project ${ctx.settings.projectId}`,
  consequence: (ctx) =>
    ctx.settings.target === 'api_key'
      ? `OpenAI key ${ctx.settings.id} is deleted for good: it cannot be restored, and anything still using it (not only the agent) stops working until it gets a new key.`
      : `OpenAI service account ${ctx.settings.id} is deleted for good, with its keys: it cannot be restored; everything using it must be re-provisioned.`,
  plan: (phase, ctx) => requests(phase, ctx).map(toPlanned),
  async execute(ctx) {
    const [read, remove] = requests('execute', ctx);
    const before = await ctx.http.request(read!, objectResponse);
    const prior = knownState(
      `${TARGET_LABEL[ctx.settings.target]} ${before.data.name ?? before.data.id} existed`,
      {
        id: before.data.id,
        name: before.data.name ?? null,
        createdAt: before.data.created_at ?? null,
      },
    );
    const attemptsBefore = ctx.http.attempts.length;
    try {
      const { status, data } = await ctx.http.request(remove!, deletedResponse);
      return {
        detail: data.deleted
          ? `${TARGET_LABEL[ctx.settings.target]} deleted`
          : 'delete not confirmed by OpenAI',
        state: { prior },
        status,
      };
    } catch (error) {
      // a retry that meets 404 after an attempt whose answer was lost: that attempt deleted it
      const deleteAttempts = ctx.http.attempts.slice(attemptsBefore);
      const uncertainFirst = deleteAttempts
        .slice(0, -1)
        .some((a) => a.error !== undefined || (a.status !== undefined && a.status >= 500));
      if (error instanceof TargetError && error.details.status === 404 && uncertainFirst)
        return {
          detail: `${TARGET_LABEL[ctx.settings.target]} deleted (confirmed gone: 404 after an attempt whose answer was lost)`,
          state: { prior, confirmedGone: true },
          status: 404,
        };
      throw error;
    }
  },
  async verify(ctx) {
    const { status } = await ctx.http.request(requests('verify', ctx)[0]!, anyBody);
    return {
      verified: status === 404,
      observed: status === 404 ? 'gone (404)' : `still exists (HTTP ${status})`,
      status,
    };
  },
});
