import { WebClient } from '@slack/web-api';
import type { SlackUserDirectory } from '../paging/index.js';

/**
 * Finds the Slack user with an email address (`users.lookupByEmail`, scope `users:read.email`), for
 * naming "the on-call" PagerDuty reports. Nobody with that email (`users_not_found`), or only a
 * deactivated account or an app, is "nobody": such a user cannot take a role. Other errors
 * (missing scope, rate limits past the client's retries) are thrown for the caller to report.
 */
export class SlackWebUserDirectory implements SlackUserDirectory {
  constructor(private readonly client: WebClient) {}

  static create(options: { token: string; slackApiUrl?: string; timeoutMs?: number }): SlackWebUserDirectory {
    return new SlackWebUserDirectory(
      new WebClient(options.token, {
        timeout: options.timeoutMs ?? 10_000,
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
