/**
 * Which Redis Quell talks to, as the environment names it: one node (`REDIS_URL`), a Redis Cluster
 * (`REDIS_CLUSTER_NODES`) or a master group behind Sentinel (`REDIS_SENTINELS` +
 * `REDIS_SENTINEL_NAME`), each with TLS and auth. Parsed once; the connection factory builds every
 * client from it (client.ts).
 */
/** Where Quell looks for Redis when no REDIS_* variable names one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisNode {
  host: string;
  port: number;
}

export interface RedisAuth {
  username?: string;
  password?: string;
}

export type RedisTopology =
  | { kind: 'single'; url: string; auth: RedisAuth; tls: boolean }
  | { kind: 'cluster'; nodes: RedisNode[]; auth: RedisAuth; tls: boolean }
  | {
      kind: 'sentinel';
      sentinels: RedisNode[];
      /** The master group's name, as in `sentinel monitor <name> ...`. */
      name: string;
      /** Auth and TLS of the master and replicas. */
      auth: RedisAuth;
      tls: boolean;
      /** Auth and TLS of the sentinels themselves (`requirepass` in sentinel.conf). */
      sentinelAuth: RedisAuth;
      sentinelTls: boolean;
    };

/** The variables this reads, as strings (env.ts validates them through `parseRedisTopology`). */
export interface RedisEnv {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_TLS?: boolean | undefined;
  REDIS_SENTINEL_USERNAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_SENTINEL_TLS?: boolean | undefined;
}

export interface TopologyIssue {
  variable: keyof RedisEnv;
  message: string;
}

export type ParsedTopology = { ok: true; topology: RedisTopology } | { ok: false; issues: TopologyIssue[] };

const SENTINEL_ONLY = ['REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD', 'REDIS_SENTINEL_TLS'] as const;

/** The variables that name a Redis; with none set, Quell uses the default node. */
export function redisVariablesSet(
  env: RedisEnv,
): ('REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_SENTINELS')[] {
  return (['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const).filter((v) => env[v]);
}

/** The topology the environment names, or every problem with it (none is reported as a default). */
export function parseRedisTopology(env: RedisEnv, defaultUrl: string): ParsedTopology {
  const issues: TopologyIssue[] = [];
  const named = redisVariablesSet(env);
  if (named.length > 1)
    for (const variable of named)
      issues.push({
        variable,
        message: `set only one of REDIS_URL (one node), REDIS_CLUSTER_NODES (Cluster) or REDIS_SENTINELS (Sentinel); ${named.join(' and ')} are set`,
      });
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME)
    issues.push({
      variable: 'REDIS_SENTINEL_NAME',
      message:
        'is required with REDIS_SENTINELS: the master group name sentinel.conf monitors (e.g. mymaster)',
    });
  if (!env.REDIS_SENTINELS) {
    for (const variable of ['REDIS_SENTINEL_NAME', ...SENTINEL_ONLY] as const)
      if (env[variable] !== undefined)
        issues.push({ variable, message: 'only applies with REDIS_SENTINELS (the sentinels to ask)' });
  }
  if (issues.length) return { ok: false, issues };

  const auth = envAuth(env);
  if (env.REDIS_CLUSTER_NODES) {
    const nodes = parseNodes('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES, issues);
    const tls = tlsOf('REDIS_TLS', env.REDIS_TLS, nodes, issues);
    const fromUrls = credentialsOf('REDIS_CLUSTER_NODES', nodes, auth, issues);
    if (issues.length) return { ok: false, issues };
    return { ok: true, topology: { kind: 'cluster', nodes: nodes.map(hostPort), auth: fromUrls, tls } };
  }
  if (env.REDIS_SENTINELS) {
    const sentinels = parseNodes('REDIS_SENTINELS', env.REDIS_SENTINELS, issues);
    for (const node of sentinels)
      if (node.username || node.password)
        issues.push({
          variable: 'REDIS_SENTINELS',
          message: `${node.host}:${node.port}: put the sentinels' credentials in REDIS_SENTINEL_USERNAME / REDIS_SENTINEL_PASSWORD, not in the address`,
        });
    const sentinelTls = tlsOf('REDIS_SENTINEL_TLS', env.REDIS_SENTINEL_TLS, sentinels, issues);
    if (issues.length) return { ok: false, issues };
    return {
      ok: true,
      topology: {
        kind: 'sentinel',
        sentinels: sentinels.map(hostPort),
        name: env.REDIS_SENTINEL_NAME!,
        auth,
        tls: env.REDIS_TLS ?? false,
        sentinelAuth: {
          ...(env.REDIS_SENTINEL_USERNAME ? { username: env.REDIS_SENTINEL_USERNAME } : {}),
          ...(env.REDIS_SENTINEL_PASSWORD ? { password: env.REDIS_SENTINEL_PASSWORD } : {}),
        },
        sentinelTls,
      },
    };
  }
  const url = env.REDIS_URL ?? defaultUrl;
  const [node] = parseNodes('REDIS_URL', url, issues);
  if (!node || issues.length) return { ok: false, issues };
  if (!/^rediss?:\/\//.test(url))
    issues.push({ variable: 'REDIS_URL', message: 'must start with redis:// or rediss://' });
  const tls = tlsOf('REDIS_TLS', env.REDIS_TLS, [node], issues);
  const credentials = credentialsOf('REDIS_URL', [node], auth, issues);
  if (issues.length) return { ok: false, issues };
  return { ok: true, topology: { kind: 'single', url, auth: credentials, tls } };
}

/** One node at `url`, with what the URL says (credentials, rediss:// for TLS). */
export function singleNode(url: string): RedisTopology {
  return { kind: 'single', url, auth: {}, tls: url.startsWith('rediss://') };
}

/** A one-line description without secrets, for start-up logs and error messages. */
export function describeTopology(topology: RedisTopology): string {
  const tls = topology.tls ? ' (TLS)' : '';
  switch (topology.kind) {
    case 'single':
      return `Redis at ${redactRedisUrl(topology.url)}${tls}`;
    case 'cluster':
      return `Redis Cluster via ${topology.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}${tls}`;
    case 'sentinel':
      return `Redis master "${topology.name}" via sentinels ${topology.sentinels.map((n) => `${n.host}:${n.port}`).join(', ')}${tls}`;
  }
}

/** Hides a password in a Redis URL before it is printed. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

interface ParsedNode extends RedisNode {
  tls: boolean | undefined;
  username?: string;
  password?: string;
}

const hostPort = ({ host, port }: ParsedNode): RedisNode => ({ host, port });

function envAuth(env: RedisEnv): RedisAuth {
  return {
    ...(env.REDIS_USERNAME ? { username: env.REDIS_USERNAME } : {}),
    ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
  };
}

/** `host:port` or `redis[s]://[user:password@]host:port` entries, comma-separated. */
function parseNodes(variable: keyof RedisEnv, list: string, issues: TopologyIssue[]): ParsedNode[] {
  const nodes: ParsedNode[] = [];
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) issues.push({ variable, message: 'names no address' });
  for (const entry of entries) {
    const isUrl = /^[a-z]+:\/\//i.test(entry);
    let parsed: URL;
    try {
      parsed = new URL(isUrl ? entry : `redis://${entry}`);
    } catch {
      issues.push({ variable, message: `"${redactRedisUrl(entry)}" is not host:port or a redis:// URL` });
      continue;
    }
    const shown = `${parsed.hostname}:${parsed.port || '?'}`;
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      issues.push({ variable, message: `${shown}: use redis:// or rediss://, not ${parsed.protocol}//` });
      continue;
    }
    const port = Number(parsed.port || (variable === 'REDIS_URL' ? 6379 : Number.NaN));
    if (!parsed.hostname || !Number.isInteger(port) || port < 1 || port > 65_535) {
      issues.push({ variable, message: `"${redactRedisUrl(entry)}" needs a host and a port (host:6379)` });
      continue;
    }
    if (variable !== 'REDIS_URL' && parsed.pathname && parsed.pathname !== '/')
      issues.push({
        variable,
        message: `${shown}: a database number does not apply here (Cluster and Sentinel masters use database 0 as Quell does)`,
      });
    nodes.push({
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port,
      tls: isUrl ? parsed.protocol === 'rediss:' : undefined,
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    });
  }
  return nodes;
}

/** TLS from rediss:// entries or the flag; the two may not disagree, nor the entries among themselves. */
function tlsOf(
  flagName: 'REDIS_TLS' | 'REDIS_SENTINEL_TLS',
  flag: boolean | undefined,
  nodes: ParsedNode[],
  issues: TopologyIssue[],
): boolean {
  const schemes = new Set(nodes.map((n) => n.tls).filter((t): t is boolean => t !== undefined));
  if (schemes.size > 1) {
    issues.push({
      variable: flagName === 'REDIS_TLS' ? 'REDIS_CLUSTER_NODES' : 'REDIS_SENTINELS',
      message: 'mixes redis:// and rediss:// addresses: use one scheme for all',
    });
    return false;
  }
  const fromScheme = [...schemes][0];
  if (flag !== undefined && fromScheme !== undefined && flag !== fromScheme)
    issues.push({
      variable: flagName,
      message: `is ${flag} but the addresses use ${fromScheme ? 'rediss://' : 'redis://'}: drop ${flagName} or change the scheme`,
    });
  return flag ?? fromScheme ?? false;
}

/** Credentials from the URLs or from REDIS_USERNAME / REDIS_PASSWORD, never different ones from both. */
function credentialsOf(
  variable: keyof RedisEnv,
  nodes: ParsedNode[],
  fromEnv: RedisAuth,
  issues: TopologyIssue[],
): RedisAuth {
  const inUrls = new Set(nodes.map((n) => JSON.stringify([n.username ?? null, n.password ?? null])));
  const withCredentials = nodes.filter((n) => n.username || n.password);
  if (withCredentials.length === 0) return fromEnv;
  if (inUrls.size > 1) {
    issues.push({
      variable,
      message: 'the addresses carry different credentials: one user serves every node',
    });
    return fromEnv;
  }
  if (fromEnv.username || fromEnv.password) {
    issues.push({
      variable: 'REDIS_PASSWORD',
      message: `credentials are both in ${variable} and in REDIS_USERNAME / REDIS_PASSWORD: keep one`,
    });
    return fromEnv;
  }
  const [node] = withCredentials;
  return {
    ...(node?.username ? { username: node.username } : {}),
    ...(node?.password ? { password: node.password } : {}),
  };
}
