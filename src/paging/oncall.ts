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

/** What to ask PagerDuty about: an escalation policy id, a schedule id, or both. */
export interface OnCallReference {
  escalationPolicy?: string;
  schedule?: string;
}

export type OnCallAnswer =
  | { user: string; email: string; name: string }
  /**
   * Why nobody could be named; `nobody`: PagerDuty has no one on call (else the person could not
   * be mapped: no email, nobody in Slack with it, or PagerDuty could not be asked).
   */
  | { missing: string; nobody: boolean };

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

  /** The Slack user on call now for this escalation policy (or schedule), or why there is none. */
  async onCall(reference: OnCallReference): Promise<OnCallAnswer> {
    const query = new URLSearchParams();
    if (reference.escalationPolicy) query.append('escalation_policy_ids[]', reference.escalationPolicy);
    if (reference.schedule) query.append('schedule_ids[]', reference.schedule);
    if (!reference.escalationPolicy && !reference.schedule)
      return { missing: 'no PagerDuty escalation policy or schedule named', nobody: false };
    query.append('earliest', 'true');
    query.append('include[]', 'users');
    let listed: z.infer<typeof onCallsSchema>;
    try {
      const parsed = onCallsSchema.safeParse(await this.get(`/oncalls?${query.toString()}`));
      if (!parsed.success)
        return { missing: 'PagerDuty answered /oncalls with an unexpected body', nobody: false };
      listed = parsed.data;
    } catch (error) {
      return { missing: (error as Error).message, nobody: false };
    }
    const first = [...listed.oncalls].sort((a, b) => a.escalation_level - b.escalation_level)[0];
    const what = reference.escalationPolicy
      ? `escalation policy ${reference.escalationPolicy}`
      : `schedule ${reference.schedule}`;
    if (!first) return { missing: `nobody is on call for ${what}`, nobody: true };
    let { email } = first.user;
    const name = first.user.name ?? first.user.summary ?? first.user.id;
    if (!email) {
      try {
        const user = z
          .object({ user: userSchema })
          .safeParse(await this.get(`/users/${encodeURIComponent(first.user.id)}`));
        email = user.success ? user.data.user.email : undefined;
      } catch (error) {
        return { missing: (error as Error).message, nobody: false };
      }
    }
    if (!email) return { missing: `PagerDuty user ${name} has no email address`, nobody: false };
    const user = await this.options.directory.userIdByEmail(email);
    if (!user)
      return { missing: `nobody in this Slack workspace has ${name}'s email (${email})`, nobody: false };
    return { user, email, name };
  }
}

/**
 * The on-call as alert rules ask for it (intake's OnCallResolver): the Slack user id; undefined when
 * PagerDuty has nobody on call; rejects with the reason when the person could not be named, so the
 * incident's timeline says why it has no commander.
 */
export function onCallResolver(lookup: Pick<PagerDutyOnCalls, 'onCall'>): {
  onCall(reference: OnCallReference): Promise<string | undefined>;
} {
  return {
    async onCall(reference) {
      const answer = await lookup.onCall(reference);
      if ('user' in answer) return answer.user;
      if (answer.nobody) return undefined;
      throw new Error(`the on-call could not be named: ${answer.missing}`);
    },
  };
}
