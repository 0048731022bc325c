import { z } from 'zod';
import { duration, envVarName, slackUsergroupId, slackUserId } from '../config/fields.js';
import { addIssuesUnder, checkSecretSlots } from '../config/plugin-entry.js';
import { ROLES } from '../incidents/model.js';
import { BUILT_IN_ADAPTERS } from './adapters/index.js';

/**
 * The `containment:` section of the config file: actions (a named, configured adapter), playbooks
 * (ordered groups of actions; the actions of one group run in parallel) and who may run them.
 * Secrets are never in the file: an action maps each secret slot of its adapter to the NAME of an
 * environment variable; start-up and `quell config check` fail when a named variable is not set.
 */

/** Who may run containment. Listed roles are the incident's own role holders. */
export const authorizationSchema = z.strictObject({
  roles: z.array(z.enum(ROLES)).default(['commander', 'tech-lead']),
  /** Also allow the configured `responders` (users and user groups). */
  responders: z.boolean().default(true),
  users: z.array(slackUserId).default([]),
  usergroups: z.array(slackUsergroupId).default([]),
});
export type ContainmentAuthorization = z.output<typeof authorizationSchema>;

/** Names that are `/contain` subcommands cannot be action names. */
export const RESERVED_NAMES = ['list', 'help', 'status', 'undo', 'playbook', 'audit'] as const;

const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,59}$/;

function nameProblem(name: string): string | undefined {
  if (!NAME_PATTERN.test(name)) return 'names must be lower-case letters, digits, - or _ (at most 60)';
  if ((RESERVED_NAMES as readonly string[]).includes(name))
    return `"${name}" is a /contain subcommand; pick another name (not ${RESERVED_NAMES.join(', ')})`;
  return undefined;
}

const actionSchema = z
  .strictObject({
    adapter: z.string(),
    /** What this action does, in the responders' words; shown by `/contain`. */
    description: z.string().max(300).optional(),
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Adapter secret slot → environment variable NAME. */
    secrets: z.record(z.string(), envVarName).default({}),
    /** Default arguments; `/contain <action> key=value` overrides them. */
    args: z.record(z.string(), z.string()).default({}),
    /** Per-attempt timeout; default `containment.timeout`. */
    timeout: duration.optional(),
    /** Who may run this action; default `containment.authorized`. */
    authorized: authorizationSchema.optional(),
  })
  .transform((action, ctx) => {
    const adapter = BUILT_IN_ADAPTERS.get(action.adapter);
    if (!adapter) {
      ctx.addIssue({
        code: 'custom',
        path: ['adapter'],
        message: `unknown adapter "${action.adapter}"; use one of ${[...BUILT_IN_ADAPTERS.keys()].join(', ')}`,
      });
      return z.NEVER;
    }
    const settings = adapter.settingsSchema.safeParse(action.settings);
    if (!settings.success) addIssuesUnder(ctx, 'settings', settings.error.issues);
    const args = adapter.argsSchema.safeParse(action.args);
    if (!args.success) addIssuesUnder(ctx, 'args', args.error.issues);
    checkSecretSlots(
      ctx,
      adapter,
      action.secrets,
      (slot) => `${adapter.id} needs secret "${slot}": name the environment variable that holds it`,
    );
    const problem = settings.success
      ? adapter.configProblem?.(settings.data, Object.keys(action.secrets))
      : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    if (!settings.success || !args.success || problem) return z.NEVER;
    const { timeout: timeoutMs, ...rest } = action;
    return { ...rest, settings: settings.data, args: args.data, timeoutMs };
  });

/** A step is one action, or a list of actions that run in parallel. */
const stepSchema = z.union([z.string(), z.array(z.string()).min(1)]);

const playbookSchema = z.strictObject({
  description: z.string().max(300).optional(),
  steps: z.array(stepSchema).min(1),
});

export const containmentConfigSchema = z
  .strictObject({
    /** Per-attempt timeout for a target call. */
    timeout: duration.prefault('10s'),
    /** Extra attempts for idempotent calls after 5xx, 429, timeouts and network errors. */
    retries: z.number().int().min(0).max(5).default(2),
    /** While the incident is open, every control in force is verified again this often (drift). */
    reverify: duration
      .refine((ms) => ms >= 30_000, 'must be at least 30s (each check reads every target)')
      .prefault('5m'),
    authorized: authorizationSchema.prefault({}),
    actions: z.record(z.string(), actionSchema).default({}),
    playbooks: z.record(z.string(), playbookSchema).default({}),
  })
  .superRefine((section, ctx) => {
    for (const kind of ['actions', 'playbooks'] as const)
      for (const name of Object.keys(section[kind])) {
        const problem = nameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', path: [kind, name], message: problem });
      }
    for (const [name, playbook] of Object.entries(section.playbooks)) {
      if (section.actions[name])
        ctx.addIssue({ code: 'custom', path: ['playbooks', name], message: 'an action has the same name' });
      const seen = new Set<string>();
      playbook.steps.forEach((step, i) => {
        for (const action of typeof step === 'string' ? [step] : step) {
          if (!section.actions[action])
            ctx.addIssue({
              code: 'custom',
              path: ['playbooks', name, 'steps', i],
              message: `unknown action "${action}"`,
            });
          if (seen.has(action))
            ctx.addIssue({
              code: 'custom',
              path: ['playbooks', name, 'steps', i],
              message: `"${action}" appears twice`,
            });
          seen.add(action);
        }
      });
    }
  })
  .prefault({});

export type ContainmentConfig = z.output<typeof containmentConfigSchema>;
export type ContainmentActionConfig = ContainmentConfig['actions'][string];
