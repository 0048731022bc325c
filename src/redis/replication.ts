import calculateSlot from 'cluster-key-slot';
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './client.js';

/**
 * Replica acknowledgement of writes Quell has promised a person. Redis replication is
 * asynchronous: a master acknowledges a write before any replica has it, and a failover (a Sentinel
 * promoting the replica, a Cluster master dying) loses what had not reached the replica. Worse, a
 * forced failover leaves the old master accepting writes until it is demoted, and those are thrown
 * away when it resyncs. `WAIT <replicas> <timeout>` on the connection that wrote closes both: it
 * answers how many replicas hold everything that connection wrote, and a demoted-to-be master has
 * none (its replica is now the master).
 */
export interface ReplicaAcks {
  /** Replicas that must hold a write before Quell acknowledges it; 0 sends no WAIT. */
  replicas: number;
  /** How long WAIT waits for them; past it the write counts as not yet safe. */
  timeoutMs: number;
}

/** What `redis.replicaAcks.replicas: auto` means: 1 where Redis has failover (Sentinel, Cluster), 0 on one node. */
export function resolveReplicaAcks(
  setting: { replicas: number | 'auto'; timeoutMs: number },
  client: RedisClient,
): ReplicaAcks {
  const failover = client instanceof Cluster || Boolean(client.options.sentinels?.length);
  return {
    replicas: setting.replicas === 'auto' ? (failover ? 1 : 0) : setting.replicas,
    timeoutMs: setting.timeoutMs,
  };
}

export const NO_REPLICA_ACKS: ReplicaAcks = { replicas: 0, timeoutMs: 0 };

/** Fewer replicas than asked confirmed the writes in time (a failover may be under way, a replica down). */
export class WritesNotReplicatedError extends Error {
  constructor(
    readonly confirmed: number,
    readonly wanted: number,
    timeoutMs: number,
  ) {
    super(
      `Redis confirmed the write on ${confirmed} of ${wanted} replica(s) within ${timeoutMs} ms ` +
        '(a failover may be under way, or a replica is down)',
    );
    this.name = 'WritesNotReplicatedError';
  }
}

/** How long a replica-ack marker lives: it only needs to be in the replication stream. */
const MARKER_TTL_MS = 60_000;

/**
 * Resolves once `acks.replicas` replicas hold every write made so far, by any connection, to the
 * node(s) serving `keys`; throws WritesNotReplicatedError otherwise. WAIT counts only the writes
 * of the connection it is sent on, so a marker (`<key>:replica-ack`, same hash tag) is written on
 * that connection first: the replication stream is ordered, so a replica holding the marker holds
 * everything the node accepted before it (another connection's job, an earlier run's record). On a
 * Cluster this is done on the connection of each node serving one of `keys`. WAIT blocks its
 * connection until it answers, at most the timeout.
 */
export async function confirmReplicated(
  client: RedisClient,
  keys: readonly string[],
  acks: ReplicaAcks,
): Promise<void> {
  if (acks.replicas <= 0 || keys.length === 0) return;
  const targets = client instanceof Cluster ? nodesServing(client, keys) : [{ node: client, key: keys[0]! }];
  const answers = await Promise.all(
    targets.map(async ({ node, key }) => {
      if (!node) return 0;
      await node.set(`${key}:replica-ack`, String(Date.now()), 'PX', MARKER_TTL_MS);
      return Number(await node.call('WAIT', acks.replicas, acks.timeoutMs));
    }),
  );
  const confirmed = Math.min(...answers);
  if (confirmed < acks.replicas) throw new WritesNotReplicatedError(confirmed, acks.replicas, acks.timeoutMs);
}

/** One key per distinct node serving `keys`, with that node's master connection (none if the slot map has no owner). */
function nodesServing(cluster: Cluster, keys: readonly string[]): { node: Redis | undefined; key: string }[] {
  const masters = new Map(cluster.nodes('master').map((node) => [nodeKey(node), node]));
  const byNode = new Map<string | undefined, string>();
  for (const key of keys) {
    const owner = cluster.slots[calculateSlot(key)]?.[0];
    if (!byNode.has(owner)) byNode.set(owner, key);
  }
  return [...byNode].map(([owner, key]) => ({
    node: owner === undefined ? undefined : masters.get(owner),
    key,
  }));
}

/** ioredis names a Cluster node `host:port` in its slot map. */
const nodeKey = (node: Redis) => `${node.options.host}:${node.options.port}`;
