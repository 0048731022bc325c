import { ErrorCode, WebClient } from '@slack/web-api';
import type { CreatedChannel, CreatedChannels } from '../incidents/channel-ids.js';
import type { Rate, SharedPacer } from '../jobs/pacer.js';
import { FEW_QUICK_RETRIES } from './web-chat.js';

/**
 * The channels Quell's bot user created, archived ones included, read with conversations.list
 * (docs.slack.dev/reference/methods/conversations.list: Tier 2, `types`, `exclude_archived`
 * default false, `limit` under 1000, cursor pagination; private channels only where the bot is a
 * member). Used once at start-up by the id floor (incidents/id-floor.ts), paced on the shared pacer
 * at Tier 2 so a workspace with many channels never trips the limit for the other replicas; a 429's
 * Retry-After is waited out and the same page asked again.
 */
const TIER_2: Rate = { perMinute: 20, burst: 20 };
const PAGE_SIZE = 999;
/** One page may wait this long for its slot (a large workspace at Tier 2 takes minutes). */
const MAX_PAGE_WAIT_MS = 120_000;

interface ListedConversation {
  id?: string;
  name?: string;
  creator?: string;
  is_archived?: boolean;
  is_im?: boolean;
  is_mpim?: boolean;
  purpose?: { value?: string };
}

export class SlackCreatedChannels implements CreatedChannels {
  constructor(
    private readonly client: WebClient,
    private readonly options: { pacer?: SharedPacer; sleep?: (ms: number) => Promise<void> } = {},
  ) {}

  static create(options: {
    token: string;
    slackApiUrl?: string;
    timeoutMs?: number;
    pacer?: SharedPacer;
  }): SlackCreatedChannels {
    const client = new WebClient(options.token, {
      timeout: options.timeoutMs ?? 15_000,
      // 429s are waited out here, on the shared pacer, not inside the client
      rejectRateLimitedCalls: true,
      // start-up's id floor waits on this: past the few tries the source counts as unreadable (logged)
      retryConfig: FEW_QUICK_RETRIES,
      ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    });
    return new SlackCreatedChannels(client, options.pacer ? { pacer: options.pacer } : {});
  }

  async *pages(): AsyncIterable<readonly CreatedChannel[]> {
    const auth = await this.client.auth.test();
    const botUser = auth.user_id;
    if (!botUser) throw new Error('auth.test named no bot user');
    let cursor: string | undefined;
    do {
      const result = await this.listPage(cursor);
      const channels = (result.channels ?? []) as ListedConversation[];
      yield channels
        .filter((c) => c.creator === botUser && !c.is_im && !c.is_mpim && c.id && c.name)
        .map((c) => ({
          id: c.id!,
          name: c.name!,
          archived: c.is_archived === true,
          ...(c.purpose?.value ? { purpose: c.purpose.value } : {}),
        }));
      cursor = result.response_metadata?.next_cursor || undefined;
    } while (cursor);
  }

  private async listPage(cursor: string | undefined) {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    for (;;) {
      const pacer = this.options.pacer;
      if (pacer) {
        const slot = await pacer.reserve('conversations.list', TIER_2, MAX_PAGE_WAIT_MS);
        if (!slot.granted) throw new Error('conversations.list: no Tier 2 slot within 2 minutes');
        if (slot.waitMs > 0) await sleep(slot.waitMs);
      }
      try {
        return await this.client.conversations.list({
          types: 'public_channel,private_channel',
          exclude_archived: false,
          limit: PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        });
      } catch (error) {
        const e = error as { code?: string; retryAfter?: number };
        if (e.code !== ErrorCode.RateLimitedError) throw error;
        const retryAfterMs = (e.retryAfter ?? 1) * 1000;
        if (pacer) await pacer.penalize('conversations.list', TIER_2, retryAfterMs);
        else await sleep(retryAfterMs);
      }
    }
  }
}
