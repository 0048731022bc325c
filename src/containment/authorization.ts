import type { Clock } from '../clock.js';
import type { Incident } from '../incidents/model.js';
import { type ActorRule, type Permissions, uncheckedNote, unionRules } from '../incidents/permissions.js';
import type { ActionTools } from './actions.js';
import type { ContainmentAuditLog } from './audit-log.js';
import type { ContainmentAuthorization } from './config.js';
import { ContainmentRefusedError } from './errors.js';
import type { ResolvedAction } from './registry.js';

/** Who may run containment (`containment.authorized`, per action), decided through the shared Permissions. */
export class ContainmentAuthorizer {
  constructor(
    private readonly deps: {
      permissions: Permissions;
      audit: ContainmentAuditLog;
      actions: ActionTools;
      clock: Clock;
      /** The config's `responders`, who are authorized when a rule says `responders: true`. */
      responders: { users: readonly string[]; usergroups: readonly string[] };
    },
  ) {}

  /** Refuses (recorded, then thrown) unless `user` may run every one of `actions`. */
  async authorize(incident: Incident, user: string, actions: ResolvedAction[], what: string): Promise<void> {
    for (const action of actions) {
      const rule = this.ruleOf(action.authorized);
      const decision = await this.deps.permissions.mayAct(user, rule, incident);
      if (decision.allowed) continue;
      const who = this.deps.permissions.describe(rule);
      await this.deps.audit.record(
        {
          at: this.deps.clock.now().toISOString(),
          incidentId: incident.id,
          actor: user,
          event: 'refused',
          action: action.name,
          adapter: action.adapter.id,
          target: this.deps.actions.describe(action, action.defaultArgs, incident.id),
          dryRun: incident.drill,
          outcome: 'refused',
          requests: [],
          detail: `not authorized for ${what}${uncheckedNote(decision)}`,
        },
        `was refused containment ${what}: not authorized to run ${action.name}`,
      );
      throw new ContainmentRefusedError(
        `You are not authorized to run \`${action.name}\`${what === action.name ? '' : ` (needed for ${what})`}. It may be run by ${who}${uncheckedNote(decision)}. Ask one of them, or the incident commander to give you a role. This refusal is on the incident timeline.`,
      );
    }
  }

  /** A containment rule as a who-may-act rule: `responders: true` adds the configured responders. */
  private ruleOf(rule: ContainmentAuthorization): ActorRule {
    const own = {
      roles: rule.roles,
      users: rule.users,
      usergroups: rule.usergroups,
      source: 'containment.authorized',
    };
    return rule.responders ? unionRules(own, { roles: [], ...this.deps.responders }) : own;
  }
}
