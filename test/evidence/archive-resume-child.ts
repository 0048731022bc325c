/**
 * One "replica" of the archiver for the resume test: archives INC-1 with a given run id against the
 * local Slack emulator and Redis, then exits. The test kills it half-way (SIGKILL, no clean-up).
 *
 *   node --import tsx test/evidence/archive-resume-child.ts <redisUrl> <prefix> <apiUrl> <token> <dir> <runId>
 */
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { systemClock } from '../../src/clock.js';
import { parseConfigText } from '../../src/config/load.js';
import { createEvidenceService } from '../../src/evidence/index.js';
import { IncidentService } from '../../src/incidents/service.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { createLogger } from '../../src/logging/logger.js';
import { redisKeys } from '../../src/redis/keys.js';
import { incidentViews } from '../../src/slack/blocks/incident.js';
import { SlackWebChat } from '../../src/slack/web-chat.js';

export function resumeConfigText(prefix: string, directory: string): string {
  return `redis:\n  keyPrefix: ${prefix}\nevidence:\n  storage:\n    directory: ${JSON.stringify(directory)}\n  historyPageSize: 200\n  repliesPageSize: 200\n  uploadToChannel: false\n`;
}

async function main(): Promise<void> {
  const [redisUrl, prefix, apiUrl, token, directory, runId] = process.argv.slice(2) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const redis = new Redis(redisUrl);
  const config = parseConfigText(resumeConfigText(prefix, directory), 'resume-child');
  const chat = new SlackWebChat(new WebClient(token, { slackApiUrl: apiUrl }));
  const logger = createLogger('silent');
  const store = new IncidentStore(redis, redisKeys(prefix));
  const incidents = new IncidentService({
    store,
    chat,
    views: incidentViews(config),
    config,
    clock: systemClock,
    logger,
  });
  const evidence = createEvidenceService({
    config,
    chat,
    incidents,
    store,
    redis,
    clock: systemClock,
    logger,
  });
  const outcome = await evidence.archive({ incidentId: 'INC-1', actor: 'quell', trigger: 'resolved', runId });
  console.log(
    JSON.stringify({
      location: outcome.reservation.location,
      resumed: outcome.resumed,
      counts: outcome.transcript,
    }),
  );
  redis.disconnect();
  process.exit(0);
}

if (process.argv[1]?.endsWith('archive-resume-child.ts'))
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
