import { z } from 'zod';
import { formatIssues } from './issues.js';

/** Environment variables Quell reads. Secrets stay here, never in the config file. */
const envSchema = z
  .object({
    SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'must be a bot token starting with xoxb-').optional(),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_APP_TOKEN: z
      .string()
      .startsWith('xapp-', 'must be an app-level token starting with xapp-')
      .optional(),
    SLACK_API_URL: z.url('must be a URL such as https://slack.com/api/').optional(),
    PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    QUELL_CONFIG: z.string().min(1).default('quell.config.yml'),
    QUELL_MODE: z.enum(['slack', 'local']).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
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

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) throw new EnvError(`Invalid environment:\n${formatIssues(result.error.issues)}`);
  return result.data;
}

/** Slack mode needs credentials; with none set, Quell runs against its local workspace. */
export function resolveMode(env: Env): 'slack' | 'local' {
  if (env.QUELL_MODE) return env.QUELL_MODE;
  return env.SLACK_BOT_TOKEN ? 'slack' : 'local';
}
