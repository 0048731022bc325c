import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import {
  freePort,
  type PrivateRedis,
  redisServerBinary,
  startPrivateRedis,
} from '../../src/redis/private-server.js';
import type { RedisTopology } from '../../src/redis/topology.js';

/**
 * Real Redis topologies on loopback for the topology tests: a Redis Cluster (`redis-server
 * --cluster-enabled yes` + `redis-cli --cluster create`) and a Sentinel set (master, replica, three
 * `redis-server --sentinel`), on free ports, in temp dirs, stopped (and the dirs removed) by `stop`.
 * Timeouts are short (1 s node timeout, 1 s down-after) so a failover takes seconds, not minutes.
 */

export interface PrivateCluster {
  topology: Extract<RedisTopology, { kind: 'cluster' }>;
  nodes: PrivateRedis[];
  /** The node process serving `slot` as master now. */
  masterOf(slot: number): Promise<PrivateRedis>;
  /**
   * Starts a killed node again on its port and dir, as a supervisor would: it reads its nodes.conf,
   * finds its slots taken over and rejoins as the new master's replica. Resolves once it is in sync.
   */
  restart(node: PrivateRedis): Promise<PrivateRedis>;
  /** Resolves once every slot is served again by a master that answers (after a kill). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PrivateSentinel {
  topology: Extract<RedisTopology, { kind: 'sentinel' }>;
  master: PrivateRedis;
  replica: PrivateRedis;
  sentinels: PrivateRedis[];
  /** The master's port as the sentinels name it now. */
  masterPort(): Promise<number>;
  /** `SENTINEL FAILOVER`: the replica becomes master; resolves once the sentinels say so. */
  failover(timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

const ask = async <T>(port: number, run: (redis: Redis) => Promise<T>): Promise<T> => {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await run(redis);
  } finally {
    redis.disconnect();
  }
};

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The master at `port` counts `replicas` replicas as acknowledging writes: a replica reports
 * `master_link_status:up` as soon as it has loaded the snapshot, but the master counts it for WAIT
 * only once it is `online` there and has acked, which on a loaded machine is up to a second later.
 */
function acknowledgedBy(port: number, replicas: number): Promise<boolean> {
  return ask(port, async (r) => {
    const info = await r.info('replication');
    if ((info.match(/state=online/g) ?? []).length < replicas) return false;
    // WAIT counts only this connection's writes: without one it answers at once, proving nothing
    await r.set(await probeKeyServedBy(r), String(Date.now()), 'PX', 10_000);
    return Number(await r.call('WAIT', replicas, 1000)) >= replicas;
  });
}

/** A key the node answers for: any key on one node, a key of one of its slots on a Cluster master. */
async function probeKeyServedBy(redis: Redis): Promise<string> {
  if (!(await redis.info('cluster')).includes('cluster_enabled:1')) return 'quell-test:replica-probe';
  const myPort = redis.options.port;
  const ranges = (await redis.cluster('SLOTS')).filter(([, , master]) => Number(master?.[1]) === myPort);
  for (let n = 0; n < 100_000; n++) {
    const key = `quell-test:replica-probe:{${n}}`;
    const slot = calculateSlot(key);
    if (ranges.some(([from, to]) => slot >= from && slot <= to)) return key;
  }
  throw new Error(`no probe key found for the node on port ${myPort}`);
}

function redisCli(): string {
  return redisServerBinary().replace(/redis-server$/, 'redis-cli');
}

function run(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${binary} exited ${code}:\n${output}`)),
    );
  });
}

/** Full resyncs start at once (Redis waits 5 s for more replicas to share a diskless transfer). */
const SYNC_AT_ONCE = ['--repl-diskless-sync-delay', '0'];

/** `masters` masters, each with `replicas` replicas (1 for the kill test: a killed master's slots move). */
export async function startPrivateCluster(
  options: { masters?: number; replicas?: number } = {},
): Promise<PrivateCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 1;
  const clusterArgs = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    '1000',
    ...SYNC_AT_ONCE,
  ];
  const nodes = await Promise.all(
    Array.from({ length: masters * (1 + replicas) }, () => startPrivateRedis({ args: clusterArgs })),
  );
  // restarted nodes reuse a dir that is not theirs to remove: removed here
  const reusedDirs: string[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    for (const dir of reusedDirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(redisCli(), [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    const alive = () => nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
    const waitHealthy = (timeoutMs = 15_000) =>
      until('cluster_state:ok on every node', timeoutMs, async () => {
        for (const node of alive()) {
          const info = await ask(node.port, (r) => r.cluster('INFO'));
          if (!String(info).includes('cluster_state:ok')) return false;
          // right after a kill the state is still ok: every slot must be on a master that is up
          const slots = await ask(node.port, (r) => r.cluster('SLOTS'));
          const up = new Set(alive().map((n) => n.port));
          if (slots.some(([, , master]) => !up.has(Number(master?.[1])))) return false;
        }
        return true;
      });
    await waitHealthy();
    // every replica in sync, so a master killed at once still has its data on a replica
    await until('replicas in sync', 15_000, async () => {
      for (const node of nodes) {
        const info = await ask(node.port, (r) => r.info('replication'));
        if (info.includes('role:master') && !(await acknowledgedBy(node.port, replicas))) return false;
      }
      return true;
    });
    return {
      topology: {
        kind: 'cluster',
        nodes: nodes.slice(0, masters).map((n) => ({ host: '127.0.0.1', port: n.port })),
        auth: {},
        tls: false,
      },
      nodes,
      waitHealthy,
      async restart(node) {
        const again = await startPrivateRedis({ port: node.port, dir: node.dir, args: clusterArgs });
        reusedDirs.push(node.dir);
        nodes[nodes.indexOf(node)] = again;
        // it rejoins as a replica (or, had its replica not taken over yet, as the master it was)
        await until('every master with a replica in sync', 20_000, async () => {
          for (const n of alive()) {
            const info = await ask(n.port, (r) => r.info('replication'));
            if (info.includes('role:master') && !(await acknowledgedBy(n.port, 1))) return false;
          }
          return true;
        });
        return again;
      },
      async masterOf(slot) {
        for (const node of alive()) {
          const slots = await ask(node.port, (r) => r.cluster('SLOTS'));
          const range = slots.find(([from, to]) => slot >= from && slot <= to);
          const owner = nodes.find((n) => n.port === range?.[2]?.[1]);
          if (owner) return owner;
        }
        throw new Error(`no node serves slot ${slot}`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A master and one replica of it, on free ports; resolves once the replica is in sync. */
export async function startPrivateReplicaPair(): Promise<{ master: PrivateRedis; replica: PrivateRedis }> {
  const master = await startPrivateRedis({ args: SYNC_AT_ONCE });
  const replica = await startPrivateRedis({
    args: [...SYNC_AT_ONCE, '--replicaof', '127.0.0.1', String(master.port)],
  }).catch(async (error: unknown) => {
    await master.stop();
    throw error;
  });
  try {
    await until('the replica in sync', 10_000, () => acknowledgedBy(master.port, 1));
  } catch (error) {
    await Promise.all([replica.stop(), master.stop()]);
    throw error;
  }
  return { master, replica };
}

/**
 * A master, one replica and three sentinels watching them as `name`. After `failover()` the new
 * master has no replica until Sentinel demotes the old one (at its next INFO, up to ~10 s) and it
 * resyncs: meanwhile a write cannot be confirmed on a replica (redis.replicaAcks).
 */
export async function startPrivateSentinel(name = 'quell-test'): Promise<PrivateSentinel> {
  const { master, replica } = await startPrivateReplicaPair();
  const dirs: string[] = [];
  const sentinels: PrivateRedis[] = [];
  const stop = async () => {
    await Promise.all([...sentinels, replica, master].map((n) => n.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'quell-sentinel-'));
      dirs.push(dir);
      const port = await freePort();
      const file = join(dir, 'sentinel.conf');
      // sentinel rewrites its config file as it learns the replicas and the other sentinels
      writeFileSync(
        file,
        [
          `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(
        await startPrivateRedis({
          port,
          dir,
          configFile: file,
          args: ['--sentinel'],
          readyWhen: '+monitor master',
        }),
      );
    }
    await until('the sentinels knowing the replica and each other', 15_000, async () => {
      for (const s of sentinels) {
        const known = await ask(s.port, async (r) => ({
          replicas: (await r.call('SENTINEL', 'REPLICAS', name)) as unknown[],
          others: (await r.call('SENTINEL', 'SENTINELS', name)) as unknown[],
        }));
        if (known.replicas.length < 1 || known.others.length < 2) return false;
      }
      return true;
    });
    const masterPort = () =>
      ask(sentinels[0]!.port, async (r) => {
        const [, port] = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string];
        return Number(port);
      });
    return {
      topology: {
        kind: 'sentinel',
        sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
        name,
        auth: {},
        tls: false,
        sentinelAuth: {},
        sentinelTls: false,
      },
      master,
      replica,
      sentinels,
      masterPort,
      async failover(timeoutMs = 15_000) {
        const before = await masterPort();
        await ask(sentinels[0]!.port, (r) => r.call('SENTINEL', 'FAILOVER', name));
        let after = before;
        await until('the sentinels naming the new master', timeoutMs, async () => {
          after = await masterPort();
          if (after === before) return false;
          return ask(after, async (r) => (await r.info('replication')).includes('role:master'));
        });
        return after;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
