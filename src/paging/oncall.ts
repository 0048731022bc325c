import { z } from 'zod';
import { pagerRequest } from './http.js';

/**
 * "The on-call" of a PagerDuty escalation policy, as a Slack user.
 *
 * Follows PagerDuty's REST API reference, "List all of the on-calls"
 * (https://developer.pagerduty.com/api-reference/3a6b910f11050-list-all-of-the-on-calls) and
 * "Get a user" (https://developer.pagerduty.com/api-reference/2395ca1feb25e-get-a-user):
 * `GET /oncalls?escalation_policy_ids[]=<id>&earliest=true&include[]=users` with
 * `Authorization: Token token=<key>` and `Accept: application/vnd.pagerduty+json;version=2`; the
 * answer's `oncalls[]` each name an `escalation_level` and a `user` (with `email` when included,
 * else a reference, then read with `GET /users/<id>`). The person on the lowest level is the
 * on-call. Their email is mapped to a Slack user with `users.lookupByEmail` (scope
 * `users:read.email`), through the directory the composition root hands in.
 */

/** Finds a Slack user by email (users.lookupByEmail); undefined when the workspace has nobody. */
export interface SlackUserDirectory {
  userIdByEmail(email: string): Promise<string | undefined>;
}

export type OnCallAnswer =
  | { user: string; email: string; name: string }
  /** Why nobody could be named: no one on call, no email, nobody in Slack with it, PagerDuty down. */
  | { missing: string };

const userSchema = z.object({
  id: z.string(),
  type: z.string(),
  summary: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
});

const onCallsSchema = z.object({
  oncalls: z.array(
    z.object({
      escalation_level: z.number(),
      user: userSchema,
    }),
  ),
});

export interface PagerDutyOnCallsOptions {
  apiToken: string;
  /** `https://api.pagerduty.com` (or `https://api.eu.pagerduty.com`). */
  url: string;
  timeoutMs: number;
  directory: SlackUserDirectory;
}

export class PagerDutyOnCalls {
  constructor(private readonly options: PagerDutyOnCallsOptions) {}

  private get(path: string): Promise<unknown> {
    return pagerRequest({
      method: 'GET',
      url: `${this.options.url.replace(/\/+$/, '')}${path}`,
      headers: {
        authorization: `Token token=${this.options.apiToken}`,
        accept: 'application/vnd.pagerduty+json;version=2',
      },
      timeoutMs: this.options.timeoutMs,
      secret: this.options.apiToken,
      vendor: 'PagerDuty',
    }).then((response) => response.json);
  }

  /** The Slack user on call for this escalation policy now, or why there is none. */
  async onCall(escalationPolicyId: string): Promise<OnCallAnswer> {
    const query = new URLSearchParams();
    query.append('escalation_policy_ids[]', escalationPolicyId);
    query.append('earliest', 'true');
    query.append('include[]', 'users');
    let listed: z.infer<typeof onCallsSchema>;
    try {
      const parsed = onCallsSchema.safeParse(await this.get(`/oncalls?${query.toString()}`));
      if (!parsed.success) return { missing: 'PagerDuty answered /oncalls with an unexpected body' };
      listed = parsed.data;
    } catch (error) {
      return { missing: (error as Error).message };
    }
    const first = [...listed.oncalls].sort((a, b) => a.escalation_level - b.escalation_level)[0];
    if (!first) return { missing: `nobody is on call for escalation policy ${escalationPolicyId}` };
    let { email } = first.user;
    const name = first.user.name ?? first.user.summary ?? first.user.id;
    if (!email) {
      try {
        const user = z
          .object({ user: userSchema })
          .safeParse(await this.get(`/users/${encodeURIComponent(first.user.id)}`));
        email = user.success ? user.data.user.email : undefined;
      } catch (error) {
        return { missing: (error as Error).message };
      }
    }
    if (!email) return { missing: `PagerDuty user ${name} has no email address` };
    const user = await this.options.directory.userIdByEmail(email);
    if (!user) return { missing: `nobody in this Slack workspace has ${name}'s email (${email})` };
    return { user, email, name };
  }
}
