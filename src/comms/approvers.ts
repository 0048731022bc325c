import type { QuellConfig } from '../config/schema.js';
import type { Incident } from '../incidents/model.js';
import {
  type ActorRule,
  describeRule,
  type PermissionDecision,
  type Permissions,
} from '../incidents/permissions.js';
import type { Approvers } from './config.js';
import type { CommsDraft } from './model.js';

/** Who may approve or reject an audience's messages, decided through the shared Permissions. */
export class CommsApprovers {
  constructor(private readonly deps: { config: QuellConfig; permissions: Permissions }) {}

  /** Whether `user` may approve messages for the draft's audience in this incident right now. */
  async may(user: string, audience: string, incident: Incident): Promise<boolean> {
    return (await this.decision(user, audience, incident)).allowed;
  }

  decision(user: string, audience: string, incident: Incident): Promise<PermissionDecision> {
    return this.deps.permissions.mayAct(user, approverRule(this.for(audience)), incident);
  }

  /** The audience's approvers as a who-may-act rule. */
  rule(audience: string): ActorRule {
    return approverRule(this.for(audience));
  }

  for(audience: string): Approvers {
    return this.deps.config.comms.audiences[audience]?.approvers ?? this.deps.config.comms.defaultApprovers;
  }

  /**
   * Refuses unless `user` may approve (or publish) the draft's audience: the refusal is recorded on
   * the timeline and says who may decide (and a failed lookup, if any).
   */
  async assert(
    user: string,
    draft: CommsDraft,
    incident: Incident,
    operation: 'comms.approve' | 'comms.publish' = 'comms.approve',
  ): Promise<void> {
    await this.deps.permissions.authorize(user, operation, incident, {
      rule: approverRule(this.for(draft.audience)),
      subject: draft.title,
      code: 'comms_not_approver',
    });
  }
}

/** "the incident commander (<@U1>), the communications lead (unassigned) or <!subteam^S1>". */
export function describeApprovers(approvers: Approvers, incident?: Incident): string {
  return describeRule(approverRule(approvers), incident);
}

function approverRule(approvers: Approvers): ActorRule {
  return { ...approvers, source: 'comms.defaultApprovers' };
}
