import type { Rate } from '../jobs/pacer.js';

/**
 * Slack's published rate-limit tiers of the Web API methods Quell calls
 * (api.slack.com/apis/rate-limits): Tier 2 about 20 calls a minute, Tier 3 about 50, Tier 4
 * about 100, each with bursts allowed (here: up to one minute's worth back to back, then paced).
 * Posting is limited per channel, one message a second with short bursts, which is what keeps one
 * busy incident channel from holding up every other.
 */
const TIER_2: Rate = { perMinute: 20, burst: 20 };
const TIER_3: Rate = { perMinute: 50, burst: 50 };
const TIER_4: Rate = { perMinute: 100, burst: 100 };
export const POST_PER_CHANNEL: Rate = { perMinute: 60, burst: 5 };

const TIERS: Record<string, Rate> = {
  'conversations.create': TIER_2,
  'conversations.setTopic': TIER_2,
  'conversations.setPurpose': TIER_2,
  'conversations.invite': TIER_3,
  'conversations.history': TIER_3,
  'conversations.replies': TIER_3,
  'usergroups.users.list': TIER_2,
  'pins.add': TIER_2,
  'chat.update': TIER_3,
  'chat.postEphemeral': TIER_4,
  'chat.getPermalink': TIER_4,
  'users.info': TIER_4,
  'files.getUploadURLExternal': TIER_4,
  'files.completeUploadExternal': TIER_4,
};

/** Methods limited per channel rather than per method: a 429 slows that channel only. */
const PER_CHANNEL = new Set(['chat.postMessage']);

export interface PaceKey {
  name: string;
  rate: Rate;
}

/**
 * The limit a call counts against, or undefined for methods Slack paces only by its "special" tier.
 * `overrides` replace a method's tier (evidence.pace: a commercially distributed app outside the
 * Marketplace gets about 1 history/replies call a minute).
 */
export function paceKeyOf(
  method: string,
  channel?: string,
  overrides?: Readonly<Record<string, Rate>>,
): PaceKey | undefined {
  if (PER_CHANNEL.has(method))
    return channel ? { name: `${method}:${channel}`, rate: POST_PER_CHANNEL } : undefined;
  const rate = overrides?.[method] ?? TIERS[method];
  return rate ? { name: method, rate } : undefined;
}
