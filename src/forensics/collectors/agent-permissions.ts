import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type CollectContext, defineCollector, joinUrl, type PlannedFetch, withQuery } from '../contract.js';
import type { HttpRequestSpec } from '../http.js';

/**
 * `agent-permissions`: what the agent was allowed to do, for each identity configured in the
 * containment actions, where the configured credential can read it:
 * - LiteLLM key (`litellm` actions): `GET /key/info?key=<hashed token>` with the master key,
 *   https://docs.litellm.ai/docs/proxy/virtual_keys → `info.models` (allowed models),
 *   `info.permissions`, `info.object_permission` (MCP servers / tools), budgets, `info.metadata`.
 * - GitHub token (`github` actions): `GET /repos/{owner}/{repo}` answers the caller's `permissions`
 *   on the repository (https://docs.github.com/en/rest/repos/repos#get-a-repository).
 * Other identities (feature-flag and vendor admin tokens, Kubernetes service accounts) are named as a
 * gap with the reason. There is no AWS adapter in containment yet, so no IAM role policies are read.
 * The registry builds this collector's settings from `containment.actions` (secrets `<action>.<slot>`).
 */
const identity = z.strictObject({
  action: z.string(),
  adapter: z.string(),
  settings: z.record(z.string(), z.unknown()),
});
const settingsSchema = z.strictObject({ identities: z.array(identity).default([]) });
type Settings = z.output<typeof settingsSchema>;
type Identity = z.output<typeof identity>;

const keyHash = (key: string) =>
  key.startsWith('sk-') ? createHash('sha256').update(key).digest('hex') : key;

function requestFor(
  id: Identity,
  secrets: Readonly<Record<string, string>>,
): (HttpRequestSpec & { what: string }) | string {
  const secret = (slot: string) => secrets[`${id.action}.${slot}`];
  if (id.adapter === 'litellm') {
    const key = secret('agentKey');
    if (!key) return 'the action names no agentKey secret, so the key to describe is unknown';
    return {
      method: 'GET',
      url: withQuery(joinUrl(String(id.settings.baseUrl), 'key/info'), { key: keyHash(key) }),
      headers: { authorization: `Bearer ${secret('masterKey')}` },
      idempotent: true,
      what: `LiteLLM key of ${id.action}: allowed models, tools, budgets`,
    };
  }
  if (id.adapter === 'github')
    return {
      method: 'GET',
      url: joinUrl(
        String(id.settings.baseUrl ?? 'https://api.github.com'),
        `repos/${id.settings.owner}/${id.settings.repo}`,
      ),
      headers: {
        authorization: `Bearer ${secret('token')}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      },
      idempotent: true,
      what: `GitHub token of ${id.action}: its permissions on ${id.settings.owner}/${id.settings.repo}`,
    };
  return `the ${id.adapter} adapter's credential cannot read its own permissions`;
}

export const agentPermissionsCollector = defineCollector<Settings>({
  id: 'agent-permissions',
  summary: 'What the agent was allowed to do: permissions of the identities in containment actions',
  docs: 'https://docs.litellm.ai/docs/proxy/virtual_keys',
  settingsSchema,
  secrets: { required: [] },
  plan: ({ settings, secrets }) =>
    settings.identities.flatMap((id): PlannedFetch[] => {
      const r = requestFor(id, secrets);
      return typeof r === 'string' ? [] : [{ method: r.method, url: r.url, what: r.what }];
    }),
  async collect({ settings, secrets, http, out }: CollectContext<Settings>) {
    for (const id of settings.identities) {
      const r = requestFor(id, secrets);
      if (typeof r === 'string') {
        out.gap(`permissions of ${id.action} (${id.adapter})`, r);
        continue;
      }
      try {
        const res = await http.request(r, z.unknown());
        await out.page(
          `${id.action}.json`,
          JSON.stringify({ action: id.action, adapter: id.adapter, answer: res.data }),
          { method: r.method, url: r.url, what: r.what },
        );
        out.count(1);
      } catch (error) {
        // one unreadable identity does not hide the others'
        out.gap(`permissions of ${id.action} (${id.adapter})`, (error as Error).message);
      }
    }
    out.gap('AWS IAM role policies', 'no AWS containment adapter is configured in this Quell');
  },
});
