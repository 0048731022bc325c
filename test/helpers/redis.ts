import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export function testRedisUrl(): string {
  return inject('redisUrl');
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
