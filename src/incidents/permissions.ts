import type { ChatPort } from '../chat/port.js';
import type { Logger } from '../logging/logger.js';
import { type Incident, ROLE_LABELS, type Role } from './model.js';

/**
 * Who may act: the one seam behind which containment's `authorized`, comms approvers and the
 * restart gate's approvers/override decide. A rule names incident roles (whoever holds them now),
 * users and Slack user groups. The full permission model is a later issue; this is where it goes.
 *
 * A user group whose members cannot be read does not grant anything (fail closed), and the
 * decision says so, so the refusal a person sees can name the reason instead of a bare "no".
 */
export interface ActorRule {
  readonly roles: readonly Role[];
  readonly users: readonly string[];
  readonly usergroups: readonly string[];
  /** The config field the rule comes from, named when the rule lets nobody act. */
  readonly source?: string;
}

export interface PermissionDecision {
  allowed: boolean;
  /** Why a part of the rule could not be checked (a failed group lookup); empty when all was checked. */
  unchecked: string[];
}

export interface Permissions {
  mayAct(actor: string, rule: ActorRule, incident: Incident): Promise<PermissionDecision>;
  /** "the incident commander (<@U1>), <!subteam^S1> or <@U2>"; role holders shown when `incident` is given. */
  describe(rule: ActorRule, incident?: Incident): string;
}

/** Rules combine by union: anyone either rule allows. */
export function unionRules(a: ActorRule, b: Omit<ActorRule, 'source'>): ActorRule {
  return {
    roles: [...new Set([...a.roles, ...b.roles])],
    users: [...new Set([...a.users, ...b.users])],
    usergroups: [...new Set([...a.usergroups, ...b.usergroups])],
    source: a.source,
  };
}

/** The refusal sentence's tail when a lookup failed: " (could not check <!subteam^S1>: timeout)". */
export function uncheckedNote(decision: PermissionDecision): string {
  return decision.unchecked.length ? ` (${decision.unchecked.join('; ')})` : '';
}

/** Permissions read from the rule itself and Slack user group membership. */
export class RulePermissions implements Permissions {
  constructor(
    private readonly deps: { chat: Pick<ChatPort, 'usergroupMembers'>; logger: Pick<Logger, 'warn'> },
  ) {}

  async mayAct(actor: string, rule: ActorRule, incident: Incident): Promise<PermissionDecision> {
    if (rule.roles.some((role) => incident.roles[role] === actor)) return { allowed: true, unchecked: [] };
    if (rule.users.includes(actor)) return { allowed: true, unchecked: [] };
    const unchecked: string[] = [];
    for (const group of new Set(rule.usergroups)) {
      try {
        if ((await this.deps.chat.usergroupMembers(group)).includes(actor))
          return { allowed: true, unchecked: [] };
      } catch (error) {
        const reason = (error as Error).message || String(error);
        this.deps.logger.warn(
          { err: error, usergroup: group, rule: rule.source },
          'could not read user group members',
        );
        unchecked.push(`could not check membership of <!subteam^${group}>: ${reason}`);
      }
    }
    return { allowed: false, unchecked };
  }

  describe(rule: ActorRule, incident?: Incident): string {
    return describeRule(rule, incident);
  }
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
    ...rule.usergroups.map((g) => `<!subteam^${g}>`),
    ...rule.users.map((u) => `<@${u}>`),
  ];
  const unique = [...new Set(parts)];
  if (unique.length === 0) return rule.source ? `nobody (check \`${rule.source}\`)` : 'nobody';
  return unique.length === 1 ? unique[0]! : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}
