import type { Redis } from 'ioredis';
import type { HttpApi } from '../http-api/router.js';
import { LANES, type LaneName } from '../jobs/index.js';
import type { JobRuntime } from '../jobs/runtime.js';
import type { Logger } from '../logging/logger.js';
import { queueDepth } from './metrics.js';
import { type OpsListener, startOpsListener } from './server.js';
import { SlackAuthCheck } from './slack-auth.js';

export { metrics, registry } from './metrics.js';
export type { OpsListener } from './server.js';

export interface OpsOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Between background auth.test calls (default 60 s). */
  authCheckIntervalMs?: number;
}

export interface StartOpsDeps {
  options: OpsOptions;
  logger: Logger;
  redis: Redis;
  jobs: JobRuntime;
  /** Whether this process runs job workers (readiness then requires them). */
  runsWorkers: boolean;
  botToken: string;
  slackApiUrl?: string;
  /** Socket Mode: Quell's non-Slack routes (`/api/*`), served on this port. */
  api?: HttpApi;
}

const DEPTH_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/** Starts the ops listener with its readiness sources and the queue depth read at scrape time. */
export async function startOps(deps: StartOpsDeps): Promise<OpsListener> {
  const auth = new SlackAuthCheck({
    botToken: deps.botToken,
    logger: deps.logger,
    ...(deps.slackApiUrl ? { slackApiUrl: deps.slackApiUrl } : {}),
    ...(deps.options.authCheckIntervalMs ? { intervalMs: deps.options.authCheckIntervalMs } : {}),
  });
  auth.start();
  try {
    const listener = await startOpsListener({
      port: deps.options.port,
      ...(deps.options.host ? { host: deps.options.host } : {}),
      logger: deps.logger,
      readiness: {
        redis: deps.redis,
        slackAuth: () => auth.status(),
        ...(deps.runsWorkers ? { workersRunning: () => deps.jobs.workersRunning() } : {}),
      },
      beforeScrape: () => measureQueueDepth(deps.jobs),
      ...(deps.api ? { api: deps.api } : {}),
    });
    return {
      port: listener.port,
      async close() {
        auth.stop();
        await listener.close();
      },
    };
  } catch (error) {
    auth.stop();
    throw error;
  }
}

async function measureQueueDepth(jobs: JobRuntime, lanes: readonly LaneName[] = LANES): Promise<void> {
  for (const lane of lanes) {
    const counts = await jobs.queue(lane).getJobCounts(...DEPTH_STATES);
    for (const state of DEPTH_STATES) queueDepth.set({ queue: lane, state }, counts[state] ?? 0);
  }
}
