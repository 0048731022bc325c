import { z } from 'zod';
import { DEFAULT_REDIS_URL, parseRedisTopology, type RedisTopology } from '../redis/topology.js';
import { formatIssues } from './issues.js';

export const DEFAULT_CONFIG_PATH = 'quell.config.yml';
/** Default port of the local workspace page and emulator (0 picks a free one). */
export const DEFAULT_LOCAL_PORT = 3030;
/** Default port of the ops listener (the port Prometheus exporters commonly use). */
export const DEFAULT_OPS_PORT = 9464;

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
  .optional();

/**
 * Every environment variable Quell reads by a fixed name, parsed once in main.ts and passed down.
 * Secrets stay here, never in the config file. (Adapter and storage secrets are named by the config
 * file, so their names are not known here: main passes the environment to them as `secrets`.)
 */
const envFields = z.object({
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'must be a bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .startsWith('xapp-', 'must be an app-level token starting with xapp-')
    .optional(),
  SLACK_API_URL: z
    .url('must be a URL such as https://slack.com/api/')
    .transform((url) => normalizeSlackApiUrl(url))
    .optional(),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  /** One Redis node. Set only one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS (redis/topology.ts). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** Redis Cluster: some of its nodes (host:port or redis[s]:// URLs, comma-separated); the rest are discovered. */
  REDIS_CLUSTER_NODES: z.string().min(1).optional(),
  /** Sentinel: the sentinels (host:port, comma-separated) and the master group they watch. */
  REDIS_SENTINELS: z.string().min(1).optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).optional(),
  /** ACL user and password of the Redis nodes (also accepted in the URLs, not in both). */
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** TLS to the Redis nodes (rediss:// addresses imply it). */
  REDIS_TLS: booleanFlag,
  /** The sentinels' own auth (`requirepass` / ACL in sentinel.conf) and TLS. */
  REDIS_SENTINEL_USERNAME: z.string().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_SENTINEL_TLS: booleanFlag,
  /** The ops listener (/healthz, /readyz, /metrics): its own port, in both transports (0 picks a free one). */
  QUELL_OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_OPS_PORT),
  /** The ops listener's interface: 127.0.0.1 unless set (0.0.0.0 for a pod's probes and scraper). */
  QUELL_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Unset means the default path, and a missing file is then fine (defaults apply). */
  QUELL_CONFIG: z.string().min(1).optional(),
  QUELL_MODE: z.enum(['slack', 'local']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Local mode: port of the workspace page and emulator. */
  QUELL_LOCAL_PORT: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_LOCAL_PORT),
  /** Local mode: a JSON file that keeps the workspace (and the private Redis's data) across restarts. */
  QUELL_LOCAL_STATE: z.string().min(1).optional(),
  /** Local mode: how the local Slack reaches Quell, signed HTTP requests or Socket Mode envelopes. */
  QUELL_LOCAL_TRANSPORT: z.enum(['http', 'socket'], 'must be http or socket').default('http'),
  /** Crash tests only: die hard (SIGKILL) at this point of a flow, e.g. `declare.channel` (jobs/crash-points.ts). */
  QUELL_CRASH_AT: z
    .string()
    .regex(/^[a-z][a-z-]*\.[a-z][a-z-]*$/, 'must look like <flow>.<step>, e.g. declare.channel')
    .optional(),
});

const envSchema = envFields.superRefine((env, ctx) => {
  const redis = parseRedisTopology(env, DEFAULT_REDIS_URL);
  if (!redis.ok)
    for (const issue of redis.issues)
      ctx.addIssue({ code: 'custom', path: [issue.variable], message: issue.message });
  if (env.QUELL_MODE === 'local') return;
  const slackConfigured = Boolean(env.SLACK_BOT_TOKEN || env.SLACK_APP_TOKEN || env.SLACK_SIGNING_SECRET);
  if (!slackConfigured) return;
  if (!env.SLACK_BOT_TOKEN)
    ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required' });
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET)
    ctx.addIssue({
      code: 'custom',
      path: ['SLACK_SIGNING_SECRET'],
      message: 'set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)',
    });
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

export function loadEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) throw new EnvError(`Invalid environment:\n${formatIssues(result.error.issues)}`);
  return result.data;
}

/**
 * The variables the `quell` CLI reads. It runs without Slack, so a half-set Slack environment must
 * not stop `quell config check`.
 */
const cliEnvSchema = envFields.pick({ QUELL_CONFIG: true });
export type CliEnv = z.infer<typeof cliEnvSchema>;

export function loadCliEnv(source: NodeJS.ProcessEnv): CliEnv {
  const result = cliEnvSchema.safeParse(source);
  if (!result.success) throw new EnvError(`Invalid environment:\n${formatIssues(result.error.issues)}`);
  return result.data;
}

/** Where the config file is read from, and whether it must exist (it must when someone named it). */
export function configLocation(env: { QUELL_CONFIG?: string | undefined }): {
  path: string;
  required: boolean;
} {
  return { path: env.QUELL_CONFIG ?? DEFAULT_CONFIG_PATH, required: env.QUELL_CONFIG !== undefined };
}

/** Slack mode needs credentials; with none set, Quell runs against its local workspace. */
export function resolveMode(env: Env): 'slack' | 'local' {
  if (env.QUELL_MODE) return env.QUELL_MODE;
  return env.SLACK_BOT_TOKEN ? 'slack' : 'local';
}

/** The one place a Web API base URL gets its trailing slash (the WebClient joins method names onto it). */
export function normalizeSlackApiUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The Redis topology the environment names (validated by `loadEnv`; one local node by default). */
export function redisTopology(env: Env): RedisTopology {
  const parsed = parseRedisTopology(env, DEFAULT_REDIS_URL);
  if (!parsed.ok)
    throw new EnvError(
      `Invalid environment:\n${parsed.issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n')}`,
    );
  return parsed.topology;
}
