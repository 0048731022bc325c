import { WebClient } from '@slack/web-api';
import type { SlackUserDirectory } from '../paging/index.js';
import { BACKGROUND_CLIENT_OPTIONS } from './web-chat.js';

/**
 * Finds the Slack user with an email address (`users.lookupByEmail`, scope `users:read.email`), for
 * naming "the on-call" PagerDuty reports. Nobody with that email (`users_not_found`), or only a
 * deactivated account or an app, is "nobody": such a user cannot take a role. Other errors
 * (missing scope, a 429, a timeout) are thrown at once for the caller's job to retry or report.
 */
export class SlackWebUserDirectory implements SlackUserDirectory {
  constructor(private readonly client: WebClient) {}

  static create(options: { token: string; slackApiUrl?: string; timeoutMs?: number }): SlackWebUserDirectory {
    return new SlackWebUserDirectory(
      // looked up inside a page job: a 429 or a hang fails at once (bounded by the timeout) and the
      // job runtime retries with its backoff, instead of the client's default half hour of retries
      // holding a worker slot
      new WebClient(options.token, {
        ...BACKGROUND_CLIENT_OPTIONS,
        timeout: options.timeoutMs ?? BACKGROUND_CLIENT_OPTIONS.timeout,
        ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
      }),
    );
  }

  async userIdByEmail(email: string): Promise<string | undefined> {
    try {
      const { user } = await this.client.users.lookupByEmail({ email });
      if (!user?.id || user.deleted || user.is_bot) return undefined;
      return user.id;
    } catch (error) {
      if ((error as { data?: { error?: string } }).data?.error === 'users_not_found') return undefined;
      throw error;
    }
  }
}
