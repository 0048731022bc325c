import { z } from 'zod';
import { apiConfigSchema } from '../api/config.js';
import { commsConfigSchema } from '../comms/config.js';
import { containmentConfigSchema } from '../containment/config.js';
import { evidenceConfigSchema } from '../evidence/config.js';
import { forensicsConfigSchema } from '../forensics/config.js';
import { permissionsConfigSchema, workspaceConfigSchema } from '../incidents/authorize-config.js';
import { retentionConfigSchema } from '../incidents/config.js';
import { privateByDefaultSchema } from '../incidents/privacy.js';
import { intakeConfigSchema } from '../intake/config.js';
import { jobsConfigSchema } from '../jobs/config.js';
import { obligationsConfigSchema } from '../obligations/config.js';
import { pagingConfigSchema } from '../paging/config.js';
import { remindersConfigSchema } from '../reminders/config.js';
import { resolutionConfigSchema } from '../resolution/config.js';
import { cadence, slackChannelId, slackUsergroupId, slackUserId } from './fields.js';

/** The quell config file (`quell.config.yml`). Every field has a default, so no file is needed. */

interface SeverityDefaults {
  label: string;
  description: string;
  cadence: string;
}

const severitySchema = (defaults: SeverityDefaults) =>
  z
    .strictObject({
      label: z.string().min(1).max(20).default(defaults.label),
      description: z.string().max(300).default(defaults.description),
      /** Time between structured updates; `none` turns prompts off. */
      cadence: cadence.prefault(defaults.cadence),
    })
    .prefault({});

const DEFAULT_SEVERITIES: Record<'sev1' | 'sev2' | 'sev3' | 'sev4', SeverityDefaults> = {
  sev1: {
    label: 'SEV1',
    description:
      'Unauthorized tool action, data exposure or harmful external action; money, legal, security or privacy at stake.',
    cadence: '15m',
  },
  sev2: {
    label: 'SEV2',
    description:
      'Repeated misbehaviour in production, customer-visible defect, or an external message sent in error.',
    cadence: '30m',
  },
  sev3: {
    label: 'SEV3',
    description: 'Eval or canary failure, or a wrong internal record; no user impact yet.',
    cadence: '60m',
  },
  sev4: {
    label: 'SEV4',
    description: 'A single unconfirmed anomalous output: record and watch.',
    cadence: 'none',
  },
};

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const CHANNEL_PATTERN_TOKENS = ['yyyymmdd', 'slug', 'id', 'sev'] as const;

const channelPattern = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    for (const [, token] of pattern.matchAll(/\{([^}]*)\}/g)) {
      if (!CHANNEL_PATTERN_TOKENS.includes(token as (typeof CHANNEL_PATTERN_TOKENS)[number]))
        ctx.addIssue({
          code: 'custom',
          message: `unknown token {${token}}; allowed: ${CHANNEL_PATTERN_TOKENS.map((t) => `{${t}}`).join(', ')}`,
        });
    }
    if (!pattern.includes('{slug}') && !pattern.includes('{id}'))
      ctx.addIssue({ code: 'custom', message: 'must contain {slug} or {id} so channel names differ' });
  });

export const quellConfigSchema = z.strictObject({
  redis: z
    .strictObject({
      keyPrefix: z
        .string()
        .regex(/^[a-zA-Z0-9_-]+$/)
        .default('quell'),
      /**
       * Before Quell tells a person their work is safe (a declare, an accepted command), this many
       * replicas must hold it (`WAIT`), so a failover cannot lose it. `auto`: 1 on Sentinel and
       * Cluster, 0 on one node. A write not confirmed within `timeoutMs` is reported as not done.
       */
      replicaAcks: z
        .strictObject({
          replicas: z.union([z.literal('auto'), z.number().int().min(0).max(5)]).default('auto'),
          /** Milliseconds (durations elsewhere are in seconds): it runs before Slack's 3-second ack. */
          timeoutMs: z.number().int().min(10).max(1_000).default(500),
        })
        .prefault({}),
    })
    .prefault({}),
  incidents: z
    .strictObject({
      idPrefix: z
        .string()
        .regex(/^[A-Z][A-Z0-9]{0,9}$/, 'must be 1-10 upper-case letters or digits')
        .default('INC'),
      /** What is private unless the declarer says `--public` (default: security and privacy incidents). */
      privateByDefault: privateByDefaultSchema,
      /** The person who declares becomes commander until someone else takes the role. */
      declarerIsCommander: z.boolean().default(true),
      /** Timezone used where text cannot be localized by Slack (topics, files). */
      timezone: z
        .string()
        .refine(isTimeZone, 'must be an IANA timezone such as UTC or Europe/Berlin')
        .default('UTC'),
    })
    .prefault({}),
  severities: z
    .strictObject({
      sev1: severitySchema(DEFAULT_SEVERITIES.sev1),
      sev2: severitySchema(DEFAULT_SEVERITIES.sev2),
      sev3: severitySchema(DEFAULT_SEVERITIES.sev3),
      sev4: severitySchema(DEFAULT_SEVERITIES.sev4),
    })
    .prefault({}),
  channels: z
    .strictObject({
      namePattern: channelPattern.default('inc-{yyyymmdd}-{slug}'),
      /** Channel where new incidents are announced; omit to skip announcements. */
      announcement: slackChannelId.optional(),
    })
    .prefault({}),
  responders: z
    .strictObject({
      users: z.array(slackUserId).default([]),
      usergroups: z.array(slackUsergroupId).default([]),
    })
    .prefault({}),
  /** Who may do what; see the README's "Permissions" table for the defaults. */
  permissions: permissionsConfigSchema,
  /** Which workspace's requests are accepted (default: the bot token's, from auth.test). */
  workspace: workspaceConfigSchema,
  evidence: evidenceConfigSchema,
  comms: commsConfigSchema,
  reminders: remindersConfigSchema,
  /** Notification clocks (EU AI Act Art. 73, GDPR Art. 33, your own): src/obligations/config.ts. */
  obligations: obligationsConfigSchema,
  containment: containmentConfigSchema,
  /** Forensic collectors (the agent's own trail): src/forensics/config.ts. */
  forensics: forensicsConfigSchema,
  resolution: resolutionConfigSchema,
  /** Alert intake: sources (/api/alerts/<source>) and the rules that open incidents (src/intake/config.ts). */
  intake: intakeConfigSchema,
  /** The job runtime: lanes, dedupe window, Slack timeouts, drain time (src/jobs/config.ts). */
  jobs: jobsConfigSchema,
  /** Pages to PagerDuty / Opsgenie and "the on-call" from PagerDuty: src/paging/config.ts. */
  paging: pagingConfigSchema,
  /** The REST API's tokens, rate and body limits: src/api/config.ts. */
  api: apiConfigSchema,
  /** When resolved incidents leave Redis (compacted to a tombstone): src/incidents/config.ts. */
  retention: retentionConfigSchema,
});

export type QuellConfig = z.output<typeof quellConfigSchema>;
export type SeverityConfig = QuellConfig['severities']['sev1'];
