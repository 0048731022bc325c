import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { WorkspaceIdentity } from '../../incidents/authorize-workspace.js';
import type { Logger } from '../../logging/logger.js';

/** The ids a request names: its workspace, its Enterprise Grid org and the app it is meant for. */
export interface RequestOrigin {
  teamIds: string[];
  enterpriseId?: string;
  appId?: string;
}

export function originOf(body: unknown): RequestOrigin {
  const b = (body ?? {}) as {
    team_id?: string;
    team?: { id?: string; enterprise_id?: string } | null;
    enterprise_id?: string;
    enterprise?: { id?: string } | null;
    api_app_id?: string;
    view?: { team_id?: string; app_id?: string };
  };
  const teamIds = [b.team_id, b.team?.id, b.view?.team_id].filter((t): t is string => Boolean(t));
  const enterpriseId = b.enterprise_id ?? b.enterprise?.id ?? b.team?.enterprise_id ?? undefined;
  const appId = b.api_app_id ?? b.view?.app_id;
  return {
    teamIds: [...new Set(teamIds)],
    ...(enterpriseId ? { enterpriseId } : {}),
    ...(appId ? { appId } : {}),
  };
}

/** Why a request from `origin` is not this Quell's, or undefined when it is. */
export function foreignReason(origin: RequestOrigin, workspace: WorkspaceIdentity): string | undefined {
  const ids = workspace.current;
  if (!ids) return undefined;
  if (ids.appId && origin.appId && origin.appId !== ids.appId) return `app ${origin.appId} is not this app`;
  // an org-wide install accepts every workspace of its enterprise
  if (ids.enterpriseId && origin.enterpriseId === ids.enterpriseId) return undefined;
  if (ids.enterpriseId && origin.enterpriseId && origin.enterpriseId !== ids.enterpriseId)
    return `enterprise ${origin.enterpriseId} is not this workspace's`;
  if (origin.teamIds.length === 0) return 'the request names no workspace';
  if (!origin.teamIds.some((t) => ids.teamIds.includes(t)))
    return `workspace ${origin.teamIds.join('/')} is not this Quell's`;
  return undefined;
}

/**
 * Learns the bot token's workspace with `auth.test` (and its app, where the answer names it),
 * unless the config's `workspace:` section named them. Called once at start-up; a failure stops
 * start-up, since without it any workspace's requests would be accepted. An Enterprise Grid org
 * install accepts its whole enterprise.
 */
export async function learnWorkspace(client: WebClient, workspace: WorkspaceIdentity): Promise<void> {
  const auth = (await client.auth.test()) as Awaited<ReturnType<WebClient['auth']['test']>> & {
    app_id?: string;
  };
  workspace.learn({
    teamIds: auth.team_id ? [auth.team_id] : [],
    ...(auth.is_enterprise_install && auth.enterprise_id ? { enterpriseId: auth.enterprise_id } : {}),
    ...(auth.app_id ? { appId: auth.app_id } : {}),
  });
}

/**
 * Bolt global middleware: a request for another workspace, enterprise or app is acknowledged (so
 * Slack does not retry it), logged and goes no further.
 */
export function onlyThisWorkspace(
  workspace: WorkspaceIdentity,
  logger: Pick<Logger, 'warn'>,
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const reason = foreignReason(originOf(args.body), workspace);
    if (!reason) {
      await args.next();
      return;
    }
    logger.warn({ reason, origin: originOf(args.body) }, 'refused a request from another workspace');
    const ack = (args as { ack?: (response?: unknown) => Promise<void> }).ack;
    if (ack) await ack();
  };
}
