import { z } from 'zod';
import { duration, slackUsergroupId, slackUserId } from '../config/fields.js';
import { ROLES, type Role } from './model.js';

/**
 * Every operation a person can ask Quell for, one name each. The permission model (permissions.ts)
 * decides each of them in the domain, whichever surface (command, button, form, shortcut, App Home,
 * API) asked.
 */
export const OPERATIONS = [
  'declare',
  'severity.raise',
  'severity.lower',
  'status',
  'resolve',
  'reopen',
  'role.commander',
  'role.tech-lead',
  'role.scribe',
  'role.comms',
  'agent.facts',
  'reactivation-plan',
  'note',
  'update',
  'containment.run',
  'containment.undo',
  'comms.draft',
  'comms.edit',
  'comms.approve',
  'comms.publish',
  'gate.tick',
  'gate.approve',
  'gate.override',
  'actions',
  'archive',
  'postmortem',
  'obligation.add',
  'obligation.submit',
  'obligation.waive',
  /** `/incident collect` and marking the first unauthorized action (src/forensics). */
  'forensics.collect',
  'forensics.mark',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The operation that assigns `role`. */
export const roleOperation = (role: Role): Operation => `role.${role}` as Operation;

/**
 * Who may do one operation. Grants add up (anyone any line allows); guests and people from other
 * organisations are refused before any of them unless `permissions.guests` / `otherOrganisations`.
 */
export const grantSchema = z.strictObject({
  /** Whoever holds these incident roles right now. */
  roles: z.array(z.enum(ROLES)).default([]),
  users: z.array(slackUserId).default([]),
  usergroups: z.array(slackUsergroupId).default([]),
  /** The configured `responders` (users and user groups). */
  responders: z.boolean().default(false),
  /** Workspace admins and owners (`users.info`). */
  admins: z.boolean().default(false),
  /** Whoever declared the incident. */
  declarer: z.boolean().default(false),
  /** Any full member of the workspace. */
  members: z.boolean().default(false),
});
export type Grant = z.output<typeof grantSchema>;

const ALL_ROLES: Role[] = [...ROLES];
const grant = (g: Partial<Grant>): Grant => ({
  roles: [],
  users: [],
  usergroups: [],
  responders: false,
  admins: false,
  declarer: false,
  members: false,
  ...g,
});
const leads = (roles: Role[], extra: Partial<Grant> = {}) =>
  grant({ roles, responders: true, admins: true, ...extra });

/**
 * The defaults (README "Permissions" has this as a table). `containment.run`/`undo` default to each
 * action's `containment.authorized`, `comms.approve` to the audience's approvers and `gate.approve`
 * / `gate.override` to `resolution.gate.approvers` / `override`: those rules are used unless this
 * section names the operation.
 */
export const DEFAULT_GRANTS: Record<Operation, Grant> = {
  declare: grant({ members: true }),
  'severity.raise': leads(ALL_ROLES, { declarer: true }),
  'severity.lower': leads(['commander']),
  status: leads(['commander', 'tech-lead']),
  resolve: leads(['commander']),
  reopen: leads(['commander'], { declarer: true }),
  // Taking an EMPTY commander role yourself is for responders only (permissions.ts).
  'role.commander': leads(['commander']),
  'role.tech-lead': leads(['commander']),
  'role.scribe': leads(['commander', 'tech-lead']),
  'role.comms': leads(['commander', 'tech-lead']),
  'agent.facts': leads(ALL_ROLES, { declarer: true }),
  'reactivation-plan': leads(['commander', 'tech-lead']),
  note: leads(ALL_ROLES, { declarer: true }),
  update: leads(ALL_ROLES),
  'containment.run': leads(['commander', 'tech-lead']),
  'containment.undo': leads(['commander', 'tech-lead']),
  'comms.draft': leads(ALL_ROLES),
  'comms.edit': leads(ALL_ROLES),
  'comms.approve': leads(['commander', 'comms']),
  'comms.publish': leads(['commander', 'comms']),
  'gate.tick': leads(ALL_ROLES),
  'gate.approve': leads(['commander']),
  'gate.override': leads(['commander']),
  actions: leads(ALL_ROLES, { declarer: true }),
  archive: leads(['commander', 'scribe']),
  postmortem: leads(['commander', 'scribe', 'tech-lead']),
  'obligation.add': leads(ALL_ROLES, { declarer: true }),
  'obligation.submit': leads(['commander', 'comms']),
  // a waived legal clock is a decision the commander owns (the reason is recorded)
  'obligation.waive': leads(['commander']),
  'forensics.collect': leads(['commander', 'tech-lead', 'scribe']),
  'forensics.mark': leads(['commander', 'tech-lead']),
};

/** Operations whose default rule comes from another config field (see DEFAULT_GRANTS). */
export const RULE_FROM_ELSEWHERE: Partial<Record<Operation, string>> = {
  'containment.run': 'containment.authorized',
  'containment.undo': 'containment.authorized',
  'comms.approve': 'comms.defaultApprovers / comms.audiences.<name>.approvers',
  'gate.approve': 'resolution.gate.approvers',
  'gate.override': 'resolution.gate.override',
};

/** The `permissions:` section of the config file. */
export const permissionsConfigSchema = z
  .strictObject({
    /** Let single- and multi-channel guests do what their grants allow (refused by default). */
    guests: z.boolean().default(false),
    /** Let people from other organisations (Slack Connect) do what their grants allow (refused by default). */
    otherOrganisations: z.boolean().default(false),
    /** How long a `users.info` profile or a user group's members are remembered. */
    lookupCacheTtl: duration.prefault('60s'),
    /** Replaces the default rule of the operations it names. */
    operations: z.partialRecord(z.enum(OPERATIONS), grantSchema).default({}),
  })
  .prefault({});
export type PermissionsConfig = z.output<typeof permissionsConfigSchema>;

/** The `workspace:` section: which Slack workspace this Quell serves (request hygiene, other-org check). */
export const workspaceConfigSchema = z
  .strictObject({
    /** Accepted team ids; default the bot token's team from `auth.test` at start-up. */
    teamIds: z
      .array(z.string().regex(/^T[A-Z0-9]{2,}$/, 'must be a Slack team id such as T024BE7LH'))
      .default([]),
    /** An Enterprise Grid org install: requests from any workspace of this enterprise are accepted. */
    enterpriseId: z
      .string()
      .regex(/^E[A-Z0-9]{2,}$/, 'must be a Slack enterprise id such as E0AB12CDE')
      .optional(),
    /** The app id requests must carry; default the bot's app from `auth.test`/`bots.info`. */
    appId: z
      .string()
      .regex(/^A[A-Z0-9]{2,}$/, 'must be a Slack app id such as A0123ABCD')
      .optional(),
  })
  .prefault({});
export type WorkspaceConfig = z.output<typeof workspaceConfigSchema>;
