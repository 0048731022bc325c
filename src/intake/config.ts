import { z } from 'zod';
import { duration, envVarName, slackUsergroupId, slackUserId } from '../config/fields.js';
import { SEVERITIES } from '../incidents/model.js';

/**
 * The `intake:` section of the config file: who may send alerts (sources, each with the
 * authentication its sender can do) and the rules that turn an alert into an incident. Secrets are
 * never in the file: a source names the environment variable that holds its token or signing key.
 */

export const ALERT_FORMATS = ['alertmanager', 'generic', 'litellm'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const RULE_ID = /^[a-z0-9][a-z0-9_-]{0,59}$/;

const sourceSchema = z.strictObject({
  /** How the body is read (src/intake/formats). */
  format: z.enum(ALERT_FORMATS),
  /**
   * `bearer`: `Authorization: Bearer <token>` (or Basic with the token as password), what
   * Alertmanager's `http_config` sends; replays are refused by fingerprint and start time.
   * `hmac`: `X-Quell-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` with
   * `X-Quell-Request-Timestamp`, like Slack's; stale timestamps and repeated signatures are refused.
   */
  auth: z.enum(['bearer', 'hmac']),
  /** The NAME of the environment variable holding the token or signing secret. */
  secretEnv: envVarName,
  /**
   * Also accept the token as `?token=` (bearer only). For senders that can set no header at all
   * (LiteLLM's webhook); the query string is never logged.
   */
  queryToken: z.boolean().default(false),
});
export type AlertSourceConfig = z.output<typeof sourceSchema>;

/** A label (or field) must equal one of these values; `*` alone means "present, any value". */
const matcher = z
  .union([z.string(), z.array(z.string()).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** Who commands a rule's incidents: a Slack user id, or whoever is on call (the pager resolves it). */
const commanderSchema = z.union([
  slackUserId.transform((user) => ({ user })),
  z.strictObject({
    onCall: z
      .strictObject({
        /** A PagerDuty schedule id (or the pager's equivalent). */
        schedule: z.string().min(1).max(100).optional(),
        /** A PagerDuty escalation policy id (or the pager's equivalent). */
        escalationPolicy: z.string().min(1).max(100).optional(),
      })
      .refine((r) => r.schedule || r.escalationPolicy, 'name a schedule or an escalationPolicy'),
  }),
]);
export type RuleCommander = z.output<typeof commanderSchema>;

const ruleSchema = z.strictObject({
  /** Names the rule in logs, metrics and the timeline ("Quell on alert …"). */
  id: z.string().regex(RULE_ID, 'rule ids are lower-case letters, digits, - or _ (at most 60)'),
  /** Sources this rule listens to (default: every source). */
  sources: z.array(z.string().regex(SOURCE_NAME)).optional(),
  /** Every listed label or field must match (labels, then annotations, then the format's fields). */
  match: z.record(z.string(), matcher).default({}),
  severity: z.enum(SEVERITIES),
  /** Liquid template over `labels`, `annotations`, `fields`, `source`, `summary`. */
  title: z.string().min(1).max(300),
  /** Agent facts, each a Liquid template (usually a label: `{{ labels.agent }}`); empty results are left out. */
  agent: z
    .strictObject({
      name: z.string().max(300).optional(),
      model: z.string().max(300).optional(),
      environment: z.string().max(300).optional(),
      version: z.string().max(300).optional(),
    })
    .default({}),
  responders: z
    .strictObject({
      users: z.array(slackUserId).default([]),
      usergroups: z.array(slackUsergroupId).default([]),
    })
    .default({ users: [], usergroups: [] }),
  commander: commanderSchema.optional(),
  /** Private channel and a detail-free announcement; unset: `incidents.privateByDefault` decides. */
  private: z.boolean().optional(),
  /** A drill: no announcement, dry-run containment, nobody paged; only the drill channel hears of it. */
  drill: z.boolean().default(false),
  /** If no commander has acted by then, the channel is reminded (the decision deadline). */
  decisionDeadline: duration.optional(),
  /** A containment playbook (`containment.playbooks`) offered with Run buttons in the new channel. */
  playbook: z.string().optional(),
  /** Run the playbook's reversible actions at once, as "Quell on alert <id>" (never irreversible ones). */
  autoRun: z.boolean().default(false),
});
export type AlertRule = z.output<typeof ruleSchema>;

export const intakeConfigSchema = z
  .strictObject({
    /** `/api/alerts/<name>`: each source with its format and authentication. */
    sources: z
      .record(
        z.string().regex(SOURCE_NAME, 'source names are lower-case letters, digits, - or _'),
        sourceSchema,
      )
      .default({}),
    /** How long a delivery is remembered to refuse its replay (fingerprint + start time, or signature). */
    replayWindow: duration.prefault('24h'),
    /** HMAC timestamps may differ from now by at most this, either way. */
    signatureWindow: duration.prefault('5m'),
    /** Repeats of an alert are folded into one channel message, edited at most this often. */
    coalesceEvery: duration.prefault('5s'),
    /** The first rule that matches decides; an alert no rule matches is logged and counted. */
    rules: z.array(ruleSchema).default([]),
  })
  .superRefine((section, ctx) => {
    const seen = new Set<string>();
    section.rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'id'],
          message: `rule id "${rule.id}" appears twice`,
        });
      seen.add(rule.id);
      for (const source of rule.sources ?? [])
        if (!section.sources[source])
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'sources'],
            message: `unknown source "${source}"; define it under intake.sources`,
          });
      if (rule.autoRun && !rule.playbook)
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'autoRun'], message: 'autoRun needs a playbook' });
    });
    for (const [name, source] of Object.entries(section.sources))
      if (source.queryToken && source.auth !== 'bearer')
        ctx.addIssue({
          code: 'custom',
          path: ['sources', name, 'queryToken'],
          message: 'queryToken is for bearer sources only (a signature cannot travel in the URL)',
        });
  })
  .prefault({});
export type IntakeConfig = z.output<typeof intakeConfigSchema>;
