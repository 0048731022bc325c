import { jobsConfigSchema } from '../../src/jobs/config.js';
import { JobRuntime } from '../../src/jobs/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { RedisConnections } from '../../src/redis/connection.js';
import { openTestRedis } from '../helpers/redis.js';

export type JobsConfigInput = Parameters<typeof jobsConfigSchema.parse>[0];

/**
 * A job runtime on the private Redis under a key prefix of its own; `replica()` builds another
 * runtime on the same Redis and prefix (its own connections), as a second Quell process would.
 */
export async function jobsHarness(
  config: JobsConfigInput = {},
  options: { onGiveUp?: ConstructorParameters<typeof JobRuntime>[0]['onGiveUp'] } = {},
) {
  const redis = await openTestRedis();
  const parsed = jobsConfigSchema.parse(config);
  const runtimes: { runtime: JobRuntime; connections: RedisConnections }[] = [];
  const replica = () => {
    const connections = new RedisConnections(redis.redis.duplicate());
    const runtime = new JobRuntime({
      connections,
      keyPrefix: redis.prefix,
      config: parsed,
      logger: createLogger('silent'),
      ...(options.onGiveUp ? { onGiveUp: options.onGiveUp } : {}),
    });
    runtimes.push({ runtime, connections });
    return runtime;
  };
  return {
    redis: redis.redis,
    prefix: redis.prefix,
    config: parsed,
    runtime: replica(),
    replica,
    async cleanup() {
      for (const { runtime, connections } of runtimes) {
        await runtime.stop(2_000);
        await connections.close();
      }
      await redis.cleanup();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
