import { IncidentChannelIds } from './incidents/channel-ids.js';
import { enforceIdFloor, type IdFloorOutcome, listedIdsSource } from './incidents/id-floor.js';
import type { SharedPacer } from './jobs/index.js';
import type { Services } from './services.js';
import { SlackCreatedChannels } from './slack/created-channels.js';

/**
 * Start-up's id floor (incidents/id-floor.ts) with this deployment's sources: the channels Quell's
 * bot user created (archived too) and the evidence store's incident folders. Runs before any worker
 * or listener, so the first declare after a Redis loss already gets an id above every existing one.
 */
export function checkIdFloor(
  services: Pick<Services, 'config' | 'logger' | 'store' | 'evidence' | 'chat'>,
  slack: { token: string; slackApiUrl?: string; pacer?: SharedPacer },
): Promise<IdFloorOutcome> {
  const { config, logger, store, evidence, chat } = services;
  const channels = SlackCreatedChannels.create({
    token: slack.token,
    timeoutMs: config.jobs.slackTimeout.background,
    ...(slack.slackApiUrl ? { slackApiUrl: slack.slackApiUrl } : {}),
    ...(slack.pacer ? { pacer: slack.pacer } : {}),
  });
  const announcement = config.channels.announcement;
  return enforceIdFloor({
    counter: store,
    sources: [
      new IncidentChannelIds(channels, config.channels.namePattern),
      listedIdsSource('evidence store', `the evidence store (${config.evidence.storage.kind})`, () =>
        evidence.archivedIncidentIds(),
      ),
    ],
    idPrefix: config.incidents.idPrefix,
    logger,
    ...(announcement
      ? { announce: async (text: string) => void (await chat.postMessage(announcement, { text })) }
      : {}),
  });
}
