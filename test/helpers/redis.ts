import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The private test Redis; only integration and end-to-end files get one (vitest.config.ts). */
export function testRedisUrl(): string {
  const url = inject('redisUrl');
  if (!url) {
    throw new Error(
      'This test needs Redis, but unit tests run without it: name the file *.int.test.ts (or *.e2e.test.ts).',
    );
  }
  return url;
}

/** A connection to the private test Redis plus a key prefix no other test uses. */
export async function openTestRedis(): Promise<{
  redis: Redis;
  prefix: string;
  cleanup: () => Promise<void>;
}> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 3 });
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  return {
    redis,
    prefix,
    async cleanup() {
      const keys = await redis.keys(`*${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
