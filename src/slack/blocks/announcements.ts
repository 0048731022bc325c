import type { ChatMessage } from '../../chat/port.js';
import type { QuellConfig } from '../../config/schema.js';
import type { AnnouncementFollowUp } from '../../incidents/announcements.js';
import type { Incident, Severity } from '../../incidents/model.js';
import {
  actorName,
  context,
  escapeText,
  mention,
  plainUserText,
  section,
  slackDate,
  truncate,
} from './format.js';

/**
 * The announcement in `channels.announcement` and the replies in its thread. A private incident's
 * say only that one exists, its severity and who leads it: never its title, agent, channel or
 * status detail, and its resolution without a summary.
 */

const SEVERITY_EMOJI: Record<Severity, string> = {
  sev1: ':red_circle:',
  sev2: ':large_orange_circle:',
  sev3: ':large_yellow_circle:',
  sev4: ':white_circle:',
};

const SUMMARY_TEXT_LIMIT = 600;

export function announcementMessage(incident: Incident, config: QuellConfig): ChatMessage {
  const sev = config.severities[incident.severity].label;
  const emoji = incident.status === 'resolved' ? ':white_check_mark:' : SEVERITY_EMOJI[incident.severity];
  const commander = `Commander: ${mention(incident.roles.commander)}`;
  const declared = `Declared ${slackDate(incident.createdAt)}`;
  const resolved = incident.resolvedAt ? ` · Resolved ${slackDate(incident.resolvedAt)}` : '';
  if (incident.private) {
    const state =
      incident.status === 'resolved' ? 'was handled privately and is resolved' : 'is being handled privately';
    return {
      text: `:lock: A ${sev} incident (${incident.id}) ${state}. ${commander.replace(': ', ' ')}.`,
      blocks: [
        section(`:lock: *A ${sev} incident (${incident.id}) ${state}.*`),
        context(`${commander} · ${declared}${resolved} · Ask the commander if you need to be involved.`),
      ],
    };
  }
  const where = incident.channelId ? ` in <#${incident.channelId}>` : '';
  const title = escapeText(incident.title);
  return {
    text: `${emoji} ${sev} incident ${incident.id} declared${where}: ${plainUserText(incident.title)} (${incident.status})`,
    blocks: [
      section(`${emoji} *${sev} incident ${incident.id} declared*${where}\n${title}`),
      context(`Status: *${incident.status}* · ${commander} · ${declared}${resolved}`),
    ],
  };
}

export function announcementFollowUpMessage(
  incident: Incident,
  followUp: AnnouncementFollowUp,
  config: QuellConfig,
): ChatMessage {
  const label = (s: Severity) => config.severities[s].label;
  const by = actorName(followUp.actor);
  let text: string;
  switch (followUp.kind) {
    case 'severity': {
      const direction = followUp.to < followUp.from ? 'raised' : 'lowered';
      text = `${SEVERITY_EMOJI[followUp.to]} ${by} ${direction} the severity: ${label(followUp.from)} → *${label(followUp.to)}*.`;
      break;
    }
    case 'status':
      text = `${by} moved ${incident.id} to *${followUp.to}* (was ${followUp.from}).`;
      break;
    case 'commander':
      text = `${mention(followUp.to)} now leads ${incident.id}${followUp.from ? ` (was ${mention(followUp.from)})` : ''}.`;
      break;
    case 'privacy':
      text = `:lock: ${incident.id} is now handled in a private channel; its details are no longer shared here. Ask ${mention(incident.roles.commander)} if you need to be involved.`;
      break;
    case 'resolved': {
      const { summary } = followUp;
      const lasted = formatDuration(Date.parse(summary.resolvedAt) - Date.parse(summary.declaredAt));
      const lines = [`:white_check_mark: *${incident.id} is resolved* after ${lasted} (by ${by}).`];
      if (!incident.private) {
        if (summary.impact)
          lines.push(`*Impact:* ${escapeText(truncate(summary.impact, SUMMARY_TEXT_LIMIT))}`);
        if (summary.rootCause)
          lines.push(`*Root cause:* ${escapeText(truncate(summary.rootCause, SUMMARY_TEXT_LIMIT))}`);
        if (incident.channelId) lines.push(`The postmortem follows in <#${incident.channelId}>.`);
      }
      text = lines.join('\n');
      break;
    }
  }
  return { text, blocks: [section(text)] };
}

/** 2d 3h, 4h 12m, 35m, under a minute. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return 'under a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days) return `${days}d${hours ? ` ${hours}h` : ''}`;
  if (hours) return `${hours}h${mins ? ` ${mins}m` : ''}`;
  return `${mins}m`;
}
