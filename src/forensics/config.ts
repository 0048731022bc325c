import { z } from 'zod';
import { duration, envVarName } from '../config/fields.js';
import { addIssuesUnder, checkSecretSlots } from '../config/plugin-entry.js';
import { SEVERITIES } from '../incidents/model.js';
import { BUILT_IN_COLLECTORS, SECRET_SLOT_CHECKS } from './collectors/index.js';

/**
 * The `forensics:` section: named collectors (a configured built-in collector), when they run, and
 * their caps. Secrets are never in the file: each maps a secret slot to the NAME of an environment
 * variable; start-up fails when a named variable is not set.
 */
const collectorSchema = z
  .strictObject({
    collector: z.string(),
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Collector secret slot → environment variable NAME. */
    secrets: z.record(z.string(), envVarName).default({}),
    /** Severities whose declaration runs this collector automatically (default SEV1 and SEV2). */
    auto: z.array(z.enum(SEVERITIES)).default(['sev1', 'sev2']),
    /** Collect again after containment changes state (the "after" picture). */
    afterContainment: z.boolean().default(true),
    /** Most records one run keeps; default `forensics.maxRecords`. */
    maxRecords: z.number().int().positive().optional(),
  })
  .superRefine((entry, ctx) => {
    const collector = BUILT_IN_COLLECTORS.get(entry.collector);
    if (!collector) {
      ctx.addIssue({
        code: 'custom',
        path: ['collector'],
        message: `unknown collector "${entry.collector}"; use one of ${[...BUILT_IN_COLLECTORS.keys()].join(', ')}`,
      });
      return;
    }
    // agent-permissions takes its identities from containment.actions, not from settings
    if (collector.id !== 'agent-permissions') {
      const parsed = collector.settingsSchema.safeParse(entry.settings);
      if (!parsed.success) addIssuesUnder(ctx, 'settings', parsed.error.issues);
      else
        for (const issue of SECRET_SLOT_CHECKS.get(collector.id)?.(parsed.data, Object.keys(entry.secrets)) ??
          [])
          ctx.addIssue({ code: 'custom', path: ['secrets', issue.slot], message: issue.message });
    }
    checkSecretSlots(
      ctx,
      collector,
      entry.secrets,
      (slot) => `${collector.id} needs the secret "${slot}" (an environment variable name)`,
    );
  });

export const forensicsConfigSchema = z
  .strictObject({
    /** Where runs are kept until the evidence bundle copies them (a private directory on this host). */
    staging: z.string().min(1).default('./forensics-staging'),
    /** The window starts this long before the declaration when the incident has no "started at". */
    lookBack: duration.default(3_600_000),
    maxRecords: z.number().int().positive().default(100_000),
    /** Per-request timeout. */
    timeout: duration.default(30_000),
    collectors: z
      .record(
        z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'collector names are lower-case letters, digits and dashes'),
        collectorSchema,
      )
      .default({}),
  })
  .default({
    staging: './forensics-staging',
    lookBack: 60 * 60_000,
    maxRecords: 100_000,
    timeout: 30_000,
    collectors: {},
  } as never);

export type ForensicsConfig = z.output<typeof forensicsConfigSchema>;
export type ForensicsCollectorConfig = ForensicsConfig['collectors'][string];
