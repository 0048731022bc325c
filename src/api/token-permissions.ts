import type { Incident } from '../incidents/model.js';
import {
  type ActorRule,
  type PermissionDecision,
  type PermissionModelDeps,
  RulePermissions,
} from '../incidents/permissions.js';
import type { ApiTokens } from './tokens.js';

/**
 * The permission model, able to decide API tokens as well as people. A token cannot be looked up
 * in Slack, so its standing comes from its config: a `member` token passes the rules any full
 * member passes (declare by default) and those granting the declarer, on incidents it declared; a
 * `responder` token also passes the rules granting configured responders. Roles, listed users, user
 * groups and admin grants never name a token. Everything else (the rules, describing who may,
 * recording a refusal on the timeline) is the one model's, unchanged.
 */
export class TokenAwarePermissions extends RulePermissions {
  constructor(
    deps: PermissionModelDeps,
    private readonly tokens: Pick<ApiTokens, 'byActor'>,
  ) {
    super(deps);
  }

  override async mayAct(
    actor: string,
    rule: ActorRule,
    incident: Incident | undefined,
  ): Promise<PermissionDecision> {
    const token = this.tokens.byActor(actor);
    if (!token) return super.mayAct(actor, rule, incident);
    const allowed =
      Boolean(rule.members) ||
      (Boolean(rule.declarer) && incident?.declaredBy === actor) ||
      (Boolean(rule.responders) && token.standing === 'responder');
    return allowed
      ? { allowed: true, unchecked: [] }
      : {
          allowed: false,
          unchecked: [],
          reason: `API token ${token.name} has the standing of a ${token.standing}`,
        };
  }
}
