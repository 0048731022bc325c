import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { globalKey } from './keys.js';

/**
 * Keys renamed when the global indexes and counters moved under one hash tag (the Cluster-safe
 * layout): `<prefix>:<name>` became `{<prefix>}:<name>`. Per-incident keys kept their names.
 */
const RENAMED: readonly { name: string; type: 'counter' | 'zset' }[] = [
  { name: 'incident-seq', type: 'counter' },
  { name: 'incidents:all', type: 'zset' },
  { name: 'incidents:active', type: 'zset' },
  { name: 'actions:seq', type: 'counter' },
  { name: 'actions:open', type: 'zset' },
];

/**
 * Moves a counter to its new name, keeping the higher value if both exist (a counter that went
 * backwards would hand out an id twice). KEYS: old, new. Returns 1 when it moved something.
 */
const MOVE_COUNTER = `
local old = redis.call('GET', KEYS[1])
if not old then return 0 end
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(old) > current then redis.call('SET', KEYS[2], old) end
redis.call('DEL', KEYS[1])
return 1
`;

/** Merges an index into its new name (the union; for a member in both, the lower score). */
const MOVE_ZSET = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZUNIONSTORE', KEYS[2], 2, KEYS[2], KEYS[1], 'AGGREGATE', 'MIN')
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * At start-up, on one Redis node: renames the keys of the layout before the Cluster-safe one, so
 * an upgrade keeps every incident, index and counter. Idempotent (a second run finds nothing to
 * move) and logged per key. The scripts touch two keys of different tags, which one node allows;
 * on a Cluster there is nothing to migrate (the old layout never ran there), so it does nothing.
 * Returns the names moved.
 */
export async function migrateKeyLayout(
  redis: Redis | Cluster,
  prefix: string,
  logger?: Pick<Logger, 'info'>,
): Promise<string[]> {
  if (redis.isCluster) return [];
  const moved: string[] = [];
  for (const { name, type } of RENAMED) {
    const from = `${prefix}:${name}`;
    const to = globalKey(prefix, name);
    const result = await redis.eval(type === 'counter' ? MOVE_COUNTER : MOVE_ZSET, 2, from, to);
    if (result !== 1) continue;
    moved.push(to);
    logger?.info({ from, to }, 'moved a Redis key to the Cluster-safe layout');
  }
  return moved;
}
