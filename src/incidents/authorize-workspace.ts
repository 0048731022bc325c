/**
 * Which Slack workspace (or Enterprise Grid org) this Quell serves. Start-up fills it from
 * `auth.test` unless the config's `workspace:` section names it; the request check (app.ts) and
 * the other-organisation rule of the permission model read it. Until it is known, nobody is treated
 * as from another organisation and no request is refused for its team.
 */
export interface WorkspaceIds {
  teamIds: readonly string[];
  enterpriseId?: string;
  appId?: string;
}

export class WorkspaceIdentity {
  private ids: WorkspaceIds | undefined;

  constructor(initial?: WorkspaceIds) {
    if (initial && (initial.teamIds.length || initial.enterpriseId)) this.ids = initial;
  }

  /** Sets what is not already configured (config wins over `auth.test`). */
  learn(found: WorkspaceIds): void {
    this.ids = {
      teamIds: this.ids?.teamIds.length ? this.ids.teamIds : found.teamIds,
      enterpriseId: this.ids?.enterpriseId ?? found.enterpriseId,
      appId: this.ids?.appId ?? found.appId,
    };
  }

  get current(): WorkspaceIds | undefined {
    return this.ids;
  }

  /** True when the team (or, for an org install, the enterprise) is this Quell's own. */
  isHome(teamId: string | undefined, enterpriseId?: string): boolean {
    if (!this.ids) return true;
    if (this.ids.enterpriseId && enterpriseId === this.ids.enterpriseId) return true;
    return teamId !== undefined && this.ids.teamIds.includes(teamId);
  }
}
