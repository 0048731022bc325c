import type { Redis } from 'ioredis';
import { withDeadline } from '../jobs/index.js';
import { metrics } from './metrics.js';

export interface ReadinessSources {
  /** The request path's connection: a PING round trip proves Redis answers. */
  redis: Redis;
  /** Whether this process's job workers run (undefined when it runs none by design). */
  workersRunning?: () => boolean;
  /** The last Slack auth verdict (no live call). */
  slackAuth?: () => { ok: boolean; detail?: string };
  /** Budget of the Redis round trip (default 1 s, so a stalled Redis shows within 5 s). */
  redisTimeoutMs?: number;
}

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/** Runs every readiness check, each bounded; ready only when all pass. */
export async function checkReadiness(sources: ReadinessSources): Promise<Readiness> {
  const checks: Record<string, CheckResult> = { redis: await pingRedis(sources) };
  if (sources.workersRunning)
    checks.workers = sources.workersRunning()
      ? { ok: true }
      : { ok: false, detail: 'the job workers are not running' };
  if (sources.slackAuth) checks.slack = sources.slackAuth();
  const ready = Object.values(checks).every((check) => check.ok);
  metrics.ready(ready);
  return { ready, checks };
}

async function pingRedis({ redis, redisTimeoutMs = 1_000 }: ReadinessSources): Promise<CheckResult> {
  try {
    await withDeadline(redis.ping(), redisTimeoutMs);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: `Redis did not answer: ${(error as Error).message}` };
  }
}
