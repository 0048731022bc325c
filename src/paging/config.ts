import { z } from 'zod';
import { duration, envVarName } from '../config/fields.js';
import { SEVERITIES } from '../incidents/model.js';

/**
 * `paging:` in the config file: where pages go (PagerDuty Events API v2, Opsgenie's Alert API),
 * which severities page at declaration, whether the escalation ladder's steps page, and where
 * "the on-call" is read from (PagerDuty's on-calls REST API). Secrets are named, never held: each
 * `…Env` field is the NAME of the environment variable holding the key.
 */
const pagerName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes (e.g. primary)');

const pagerDutySchema = z.strictObject({
  kind: z.literal('pagerduty'),
  /** The Events API v2 integration key of the PagerDuty service (32 characters). */
  routingKeyEnv: envVarName,
  url: z.url({ protocol: /^https?$/ }).default('https://events.pagerduty.com/v2/enqueue'),
});

const opsgenieSchema = z.strictObject({
  kind: z.literal('opsgenie'),
  /** An API integration's key (Authorization: GenieKey …). */
  apiKeyEnv: envVarName,
  /** `https://api.eu.opsgenie.com` for EU accounts. */
  url: z.url({ protocol: /^https?$/ }).default('https://api.opsgenie.com'),
  /** Who Opsgenie notifies; empty: the integration's own team (its assignment settings). */
  responders: z
    .array(
      z.strictObject({
        type: z.enum(['team', 'user', 'escalation', 'schedule']),
        name: z.string().min(1).max(200),
      }),
    )
    .max(50)
    .default([]),
});

export const pagerConfigSchema = z.discriminatedUnion('kind', [pagerDutySchema, opsgenieSchema]);
export type PagerConfig = z.output<typeof pagerConfigSchema>;

export const pagingConfigSchema = z
  .strictObject({
    /** Every pager gets every page (each its own job, so one failing never holds up another). */
    pagers: z.record(pagerName, pagerConfigSchema).default({}),
    /** Severities paged when declared (or raised into later); drills never page. */
    onDeclare: z.array(z.enum(SEVERITIES)).default(['sev1']),
    /** Each escalation ladder step (an update overdue) pages too, whatever the severity. */
    atEscalationSteps: z.boolean().default(true),
    /** Per request to a pager; a slower answer is retried by the job runtime. */
    timeout: duration.prefault('10s'),
    /** "The on-call": PagerDuty's REST API (a read-only API key is enough). */
    onCall: z
      .strictObject({
        apiTokenEnv: envVarName,
        url: z.url({ protocol: /^https?$/ }).default('https://api.pagerduty.com'),
      })
      .optional(),
  })
  .prefault({});

export type PagingConfig = z.output<typeof pagingConfigSchema>;
