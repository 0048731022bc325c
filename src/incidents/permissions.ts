import type { ChatPort, UserProfile } from '../chat/port.js';
import { type Clock, systemClock } from '../clock.js';
import { QuellError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import {
  DEFAULT_GRANTS,
  type Grant,
  type Operation,
  type PermissionsConfig,
  permissionsConfigSchema,
} from './authorize-config.js';
import { CachedLookups } from './authorize-lookups.js';
import { OPERATION_LABELS, type RefusalLog } from './authorize-refusals.js';
import { WorkspaceIdentity } from './authorize-workspace.js';
import {
  apiTokenName,
  automationActorLabel,
  type Incident,
  isAutomationActor,
  ROLE_LABELS,
  type Role,
  SYSTEM_ACTOR,
} from './model.js';

export { OPERATIONS, type Operation, roleOperation } from './authorize-config.js';
export { OPERATION_LABELS } from './authorize-refusals.js';

/**
 * Who may do what: one permission model for every operation (authorize-config.ts lists them and
 * their defaults), decided in the domain whichever surface asked.
 *
 * The API the domain services call:
 * - `authorize(actor, operation, incident, options?)`: resolves when `actor` may; otherwise records
 *   the refusal (the incident's timeline, or the permission audit log outside an incident) and
 *   throws NotPermittedError, whose message says who may do it and why this person may not.
 * - `check(...)`: the same decision without recording or throwing (to show or hide a button).
 * - `mayAct(actor, rule, incident)` / `describe(rule)`: a rule the caller holds (containment's per
 *   action `authorized`, which records refusals in its own audit).
 *
 * A rule grants incident roles (whoever holds them now), listed users, the configured responders,
 * the declarer, user groups, workspace admins/owners and (for declare) any full member. Role
 * holders, listed users, configured responder ids and the declarer are trusted without a lookup:
 * they were checked when they got there. Everyone else is looked up (`users.info`, cached briefly):
 * guests and people from other organisations (Slack Connect) are refused by default, and a failed
 * lookup refuses, naming the reason (fail closed).
 */
export interface ActorRule {
  readonly roles: readonly Role[];
  readonly users: readonly string[];
  readonly usergroups: readonly string[];
  readonly responders?: boolean;
  readonly admins?: boolean;
  readonly declarer?: boolean;
  readonly members?: boolean;
  /** The config field the rule comes from, named when the rule lets nobody act. */
  readonly source?: string;
}

export interface PermissionDecision {
  allowed: boolean;
  /** Why a part of the rule could not be checked (a failed lookup); empty when all was checked. */
  unchecked: string[];
  /** Why this person is refused before the rule counts (a guest, another organisation). */
  reason?: string;
}

export interface Authorization extends PermissionDecision {
  operation: Operation;
  /** Who may do it: "the incident commander (<@U1>), a configured responder or a workspace admin". */
  who: string;
}

export interface AuthorizeOptions {
  /** Replaces the configured rule: a containment action's `authorized`, an audience's approvers. */
  rule?: ActorRule;
  /** What exactly was asked, for the refusal: the action name, the audience, the role's new holder. */
  subject?: string;
  /** A role assignment's new holder: taking an empty commander role yourself is for responders only. */
  target?: string;
  /** The refusal's error code, where a feature has its own stable one (default `not_permitted`). */
  code?: string;
}

export interface Permissions {
  mayAct(actor: string, rule: ActorRule, incident: Incident | undefined): Promise<PermissionDecision>;
  /** "the incident commander (<@U1>), <!subteam^S1> or <@U2>"; role holders shown when `incident` is given. */
  describe(rule: ActorRule, incident?: Incident): string;
  /** The rule an operation is decided by (config `permissions.operations`, else the default). */
  ruleOf(operation: Operation): ActorRule;
  check(
    actor: string,
    operation: Operation,
    incident: Incident | undefined,
    options?: AuthorizeOptions,
  ): Promise<Authorization>;
  /** Why this person may not act or hold a role at all (a guest, another organisation), or undefined. */
  barred?(profile: UserProfile): string | undefined;
  /** Resolves when allowed; else records the refusal and throws NotPermittedError. */
  authorize(
    actor: string,
    operation: Operation,
    incident: Incident | undefined,
    options?: AuthorizeOptions,
  ): Promise<void>;
}

/** Refused by the permission model; the message says who may and why not this person. */
export class NotPermittedError extends QuellError {
  constructor(
    message: string,
    readonly authorization?: Authorization,
    code = 'not_permitted',
  ) {
    super(code, message);
  }
}

/** Rules combine by union: anyone either rule allows. */
export function unionRules(a: ActorRule, b: Omit<ActorRule, 'source'>): ActorRule {
  return {
    roles: [...new Set([...a.roles, ...b.roles])],
    users: [...new Set([...a.users, ...b.users])],
    usergroups: [...new Set([...a.usergroups, ...b.usergroups])],
    responders: Boolean(a.responders || b.responders),
    admins: Boolean(a.admins || b.admins),
    declarer: Boolean(a.declarer || b.declarer),
    members: Boolean(a.members || b.members),
    source: a.source,
  };
}

/** The refusal sentence's tail when a lookup failed: " (could not check <!subteam^S1>: timeout)". */
export function uncheckedNote(decision: PermissionDecision): string {
  const notes = [...(decision.reason ? [decision.reason] : []), ...decision.unchecked];
  return notes.length ? ` (${notes.join('; ')})` : '';
}

export interface PermissionModelDeps {
  chat: Pick<ChatPort, 'usergroupMembers'> & Partial<Pick<ChatPort, 'userInfo'>>;
  logger: Pick<Logger, 'warn'>;
  /** `permissions` and `responders` from the config file; defaults when absent. */
  config?: {
    permissions?: PermissionsConfig;
    responders?: { users: readonly string[]; usergroups: readonly string[] };
    resolution?: { gate: { approvers: Omit<ActorRule, 'source'>; override: Omit<ActorRule, 'source'> } };
  };
  clock?: Clock;
  /** Where `authorize` records refusals; without it refusals are only logged. */
  refusals?: RefusalLog;
  workspace?: WorkspaceIdentity;
}

/** The permission model (the name stays from the seam it grew out of). */
export class RulePermissions implements Permissions {
  private readonly settings: PermissionsConfig;
  private readonly responders: { users: readonly string[]; usergroups: readonly string[] };
  private readonly lookups: CachedLookups;
  private readonly workspace: WorkspaceIdentity;

  constructor(private readonly deps: PermissionModelDeps) {
    this.settings = deps.config?.permissions ?? permissionsConfigSchema.parse(undefined);
    this.responders = deps.config?.responders ?? { users: [], usergroups: [] };
    this.workspace = deps.workspace ?? new WorkspaceIdentity();
    const chat = deps.chat;
    this.lookups = new CachedLookups({
      chat: {
        usergroupMembers: (g) => chat.usergroupMembers(g),
        userInfo: (u) =>
          chat.userInfo ? chat.userInfo(u) : Promise.reject(new Error('no users.info in this chat')),
      },
      clock: deps.clock ?? systemClock,
      ttlMs: this.settings.lookupCacheTtl,
    });
  }

  ruleOf(operation: Operation): ActorRule {
    const configured = this.settings.operations[operation];
    if (configured) return { ...configured, source: `permissions.operations.${operation}` };
    const gate = this.deps.config?.resolution?.gate;
    if (gate && operation === 'gate.approve')
      return { ...gate.approvers, source: 'resolution.gate.approvers' };
    if (gate && operation === 'gate.override')
      return { ...gate.override, source: 'resolution.gate.override' };
    return { ...DEFAULT_GRANTS[operation], source: `permissions.operations.${operation}` };
  }

  async check(
    actor: string,
    operation: Operation,
    incident: Incident | undefined,
    options: AuthorizeOptions = {},
  ): Promise<Authorization> {
    const configured = this.settings.operations[operation];
    let rule = configured || !options.rule ? this.ruleOf(operation) : options.rule;
    // Taking an empty commander role yourself: configured responders only (no self-promotion).
    if (operation === 'role.commander' && options.target === actor && incident && !incident.roles.commander)
      rule = { roles: [], users: [], usergroups: [], responders: true, source: rule.source };
    const decision = await this.mayAct(actor, rule, incident);
    return { ...decision, operation, who: this.describe(rule, incident) };
  }

  async authorize(
    actor: string,
    operation: Operation,
    incident: Incident | undefined,
    options: AuthorizeOptions = {},
  ): Promise<void> {
    const decision = await this.check(actor, operation, incident, options);
    if (decision.allowed) return;
    await this.deps.refusals
      ?.record(
        {
          actor,
          operation,
          who: decision.who,
          ...(incident ? { incident } : {}),
          ...(options.subject ? { subject: options.subject } : {}),
          ...(decision.reason || decision.unchecked.length
            ? { reason: [decision.reason, ...decision.unchecked].filter(Boolean).join('; ') }
            : {}),
        },
        OPERATION_LABELS[operation],
      )
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error, actor, operation }, 'could not record a refusal'),
      );
    throw new NotPermittedError(refusalMessage(decision, options.subject), decision, options.code);
  }

  async mayAct(actor: string, rule: ActorRule, incident: Incident | undefined): Promise<PermissionDecision> {
    // Quell itself, and a rule of the config file acting for the operator who wrote it (alert rules);
    // an API token is decided by its standing (src/api/token-permissions.ts), else refused below
    if (actor === SYSTEM_ACTOR || (isAutomationActor(actor) && apiTokenName(actor) === undefined))
      return allowed();
    if (incident && rule.roles.some((role) => incident.roles[role] === actor)) return allowed();
    if (rule.users.includes(actor)) return allowed();
    if (rule.declarer && incident?.declaredBy === actor) return allowed();
    if (rule.responders && this.responders.users.includes(actor)) return allowed();

    const unchecked: string[] = [];
    const groups = [...new Set([...rule.usergroups, ...(rule.responders ? this.responders.usergroups : [])])];
    let inGroup = false;
    for (const group of groups) {
      try {
        if ((await this.lookups.usergroupMembers(group)).includes(actor)) {
          inGroup = true;
          break;
        }
      } catch (error) {
        this.deps.logger.warn(
          { err: error, usergroup: group, rule: rule.source },
          'could not read user group members',
        );
        unchecked.push(`could not check membership of <!subteam^${group}>: ${reasonOf(error)}`);
      }
    }
    if (!inGroup && !rule.admins && !rule.members) return { allowed: false, unchecked };

    let profile: UserProfile;
    try {
      profile = await this.lookups.profile(actor);
    } catch (error) {
      this.deps.logger.warn({ err: error, user: actor }, 'could not look up a user');
      return {
        allowed: false,
        unchecked: [...unchecked, `could not look up <@${actor}>: ${reasonOf(error)}`],
      };
    }
    const barred = this.barred(profile);
    if (barred) return { allowed: false, unchecked, reason: barred };
    if (inGroup || rule.members || (rule.admins && (profile.isAdmin || profile.isOwner))) return allowed();
    return { allowed: false, unchecked };
  }

  /**
   * Why this person may not act at all, or undefined: a guest, someone from another organisation,
   * a deactivated account or an app. Also used for whoever is about to be given a role.
   */
  barred(profile: UserProfile): string | undefined {
    if (profile.deleted) return `<@${profile.id}> is deactivated`;
    if (profile.isBot) return `<@${profile.id}> is an app, not a person`;
    if ((profile.isRestricted || profile.isUltraRestricted) && !this.settings.guests)
      return 'guests may not change incidents (`permissions.guests`)';
    if (!this.settings.otherOrganisations && !this.workspace.isHome(profile.teamId, profile.enterpriseId))
      return 'people from other organisations may not change incidents (`permissions.otherOrganisations`)';
    return undefined;
  }

  /** Why `user` may not hold a role (a guest, another organisation), or undefined; fails closed. */
  async roleHolderProblem(user: string): Promise<string | undefined> {
    const profile = await this.lookups.profile(user);
    return this.barred(profile);
  }

  describe(rule: ActorRule, incident?: Incident): string {
    return describeRule(rule, incident);
  }
}

function allowed(): PermissionDecision {
  return { allowed: true, unchecked: [] };
}

function reasonOf(error: unknown): string {
  return (error as Error)?.message || String(error);
}

/** "You may not lower the severity. It may be done by …; (guests may not …). This refusal is recorded." */
export function refusalMessage(authorization: Authorization, subject?: string): string {
  const what = `${OPERATION_LABELS[authorization.operation]}${subject ? ` (${subject})` : ''}`;
  return `:no_entry: You may not ${what}${uncheckedNote(authorization)}. Who may: ${authorization.who}. Nothing was changed; this refusal is recorded.`;
}

/** The one wording of a rule, for refusals and for the approvers line under a draft. */
export function describeRule(rule: ActorRule, incident?: Incident): string {
  const parts = [
    ...rule.roles.map((role) => {
      const label = `the ${ROLE_LABELS[role].toLowerCase()}`;
      if (!incident) return label;
      const holder = incident.roles[role];
      return `${label} (${holder ? `<@${holder}>` : 'unassigned'})`;
    }),
    ...(rule.declarer
      ? [
          incident
            ? `the declarer (${automationActorLabel(incident.declaredBy) ?? `<@${incident.declaredBy}>`})`
            : 'the declarer',
        ]
      : []),
    ...(rule.responders ? ['a configured responder'] : []),
    ...rule.usergroups.map((g) => `<!subteam^${g}>`),
    ...rule.users.map((u) => `<@${u}>`),
    ...(rule.admins ? ['a workspace admin or owner'] : []),
    ...(rule.members ? ['any full member of the workspace'] : []),
  ];
  const unique = [...new Set(parts)];
  if (unique.length === 0) return rule.source ? `nobody (check \`${rule.source}\`)` : 'nobody';
  return unique.length === 1 ? unique[0]! : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

export type { Grant };
