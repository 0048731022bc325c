import type { Incident } from '../incidents/model.js';
import type { Page, PageAction } from './model.js';

/**
 * What a page says, built from the incident as it is when the page leaves (not when it was
 * queued): one line of summary, the channel link and the facts a responder needs before opening
 * Slack. People's text (the title, agent facts) goes to the vendor as plain text, no Slack markup.
 */

/** Why a page is sent; part of its job key, so each reason pages once. */
export type PageReason =
  | { kind: 'declared' }
  | { kind: 'raised'; severity: string }
  | { kind: 'reopened'; at: string }
  | { kind: 'step'; index: number; key: string }
  | { kind: 'contained' }
  | { kind: 'resolved'; at: string };

export interface PageContext {
  /** "SEV1" for sev1 (the config's label). */
  severityLabel(incident: Incident): string;
  /** The incident channel's link, when it has one. */
  channelLink(incident: Incident): { href: string; text: string } | undefined;
}

/** The dedup key of every page about one incident. */
export function dedupKeyOf(incidentId: string): string {
  return `quell-${incidentId}`;
}

export function reasonText(reason: PageReason): string {
  switch (reason.kind) {
    case 'declared':
      return 'declared';
    case 'raised':
      return `severity raised to ${reason.severity}`;
    case 'reopened':
      return 'reopened';
    case 'step':
      return `no update: escalation step ${reason.index + 1}`;
    case 'contained':
      return 'contained in Slack';
    case 'resolved':
      return 'resolved in Slack';
  }
}

export function buildPage(
  incident: Incident,
  action: PageAction,
  reason: PageReason,
  context: PageContext,
  at: string,
): Page {
  const label = context.severityLabel(incident);
  const step = reason.kind === 'step' ? ` (update overdue, escalation step ${reason.index + 1})` : '';
  const link = context.channelLink(incident);
  const details: Record<string, string> = {
    incident: incident.id,
    severity: label,
    status: incident.status,
    reason: reasonText(reason),
    declared: incident.createdAt,
    ...(incident.agent.name ? { agent: incident.agent.name } : {}),
    ...(incident.agent.model ? { model: incident.agent.model } : {}),
    ...(incident.agent.environment ? { environment: incident.agent.environment } : {}),
    ...(incident.private ? { private: 'yes: details are in the private Slack channel' } : {}),
  };
  return {
    action,
    dedupKey: dedupKeyOf(incident.id),
    // a private incident's title stays in Slack: the pager only learns that one exists
    summary: `[${label}] ${incident.id}: ${incident.private ? 'private incident' : incident.title}${step}`,
    severity: incident.severity,
    ...(link ? { link } : {}),
    details,
    at,
    ...(action === 'trigger' ? {} : { note: `${incident.id} ${reasonText(reason)} (Quell)` }),
  };
}

/**
 * The incident channel as a link anyone in the workspace can open from the pager's app:
 * Slack's documented deep link `https://slack.com/app_redirect?channel=<id>` (`&team=<id>` picks
 * the workspace). A private channel's name stays in Slack.
 */
export function slackChannelLink(
  incident: Incident,
  teamId?: string,
): { href: string; text: string } | undefined {
  if (!incident.channelId) return undefined;
  const query = new URLSearchParams({ channel: incident.channelId, ...(teamId ? { team: teamId } : {}) });
  return {
    href: `https://slack.com/app_redirect?${query.toString()}`,
    text:
      incident.private || !incident.channelName
        ? 'Incident channel in Slack'
        : `Slack channel #${incident.channelName}`,
  };
}
