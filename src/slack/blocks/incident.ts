import type { Block, ChatMessage } from '../../chat/port.js';
import type { QuellConfig } from '../../config/schema.js';
import {
  AGENT_FIELD_LABELS,
  AGENT_FIELDS,
  type Incident,
  ROLE_LABELS,
  ROLES,
  type Status,
} from '../../incidents/model.js';
import type { IncidentPresenter } from '../../incidents/presenter.js';
import type { TimelineEvent } from '../../incidents/timeline.js';
import { announcementFollowUpMessage, announcementMessage } from './announcements.js';
import {
  actorName,
  context,
  divider,
  escapeExcept,
  escapeText,
  fields,
  header,
  lineSections,
  MENTIONS_DATES_LINKS,
  MESSAGE_BLOCK_LIMIT,
  mention,
  plainUserText,
  section,
  slackDate,
  truncateMrkdwn,
} from './format.js';
import { obligationsSummarySection } from './obligations.js';
import { movedToPrivateMessage } from './privacy.js';

const STATUS_EMOJI: Record<Status, string> = {
  investigating: ':mag:',
  contained: ':shield:',
  monitoring: ':eyes:',
  resolved: ':white_check_mark:',
};

const SEVERITY_EMOJI = {
  sev1: ':red_circle:',
  sev2: ':large_orange_circle:',
  sev3: ':large_yellow_circle:',
  sev4: ':white_circle:',
};

const STAGE_LABELS = {
  shadow: 'Shadow',
  'read-only': 'Read-only',
  limited: 'Limited',
  full: 'Full',
} as const;

/** The summary's reactivation plan: each stage with its owner and what must hold before the next. */
export function reactivationPlanText(steps: NonNullable<Incident['reactivationPlan']>['steps']): string {
  const lines = steps.map(
    (s, i) =>
      `${i + 1}. *${STAGE_LABELS[s.stage]}*: ${mention(s.owner)}${s.criteria ? ` (${escapeText(s.criteria)})` : ''}`,
  );
  return `*Reactivation plan*\n${lines.join('\n')}`;
}

/** Block Kit for incident messages: pure functions of the incident, unit-tested. */
export function incidentViews(config: QuellConfig): IncidentPresenter {
  const sev = (incident: Incident) => config.severities[incident.severity].label;
  const drill = (incident: Incident) => (incident.drill ? '[DRILL] ' : '');

  return {
    summary(incident) {
      const agentFacts = AGENT_FIELDS.filter((f) => incident.agent[f]).map(
        (f) => `*${AGENT_FIELD_LABELS[f]}:* ${escapeText(incident.agent[f]!)}`,
      );
      const nextUpdate =
        incident.status === 'resolved'
          ? 'none (resolved)'
          : incident.nextUpdateDueAt
            ? slackDate(incident.nextUpdateDueAt)
            : `none (${sev(incident)} has no cadence)`;
      const blocks: Block[] = [
        header(`${drill(incident)}${incident.id}: ${plainUserText(incident.title)}`),
        fields([
          ['Severity', `${SEVERITY_EMOJI[incident.severity]} ${sev(incident)}`],
          ['Status', `${STATUS_EMOJI[incident.status]} ${incident.status}`],
          ...ROLES.map((role): [string, string] => [ROLE_LABELS[role], mention(incident.roles[role])]),
          ['Next update due', nextUpdate],
          ['Declared', `${slackDate(incident.createdAt)} by ${actorName(incident.declaredBy)}`],
        ]),
      ];
      if (incident.description)
        blocks.push(section(`*What the agent did*\n${escapeText(incident.description)}`));
      blocks.push(
        section(
          `*Agent facts*\n${agentFacts.length ? agentFacts.join('\n') : '_none recorded yet: `/incident agent &lt;field&gt; &lt;value&gt;`_'}`,
        ),
      );
      if (incident.reactivationPlan)
        blocks.push(section(reactivationPlanText(incident.reactivationPlan.steps)));
      const deadlines = obligationsSummarySection(incident);
      if (deadlines) blocks.push(deadlines);
      blocks.push(divider);
      const links = [
        incident.channelId ? `<#${incident.channelId}>` : null,
        '`/incident timeline`',
        '`/incident help`',
      ].filter(Boolean);
      blocks.push(
        context(
          `${links.join(' · ')} · Updated ${slackDate(incident.updatedAt, '{time}')} · live summary, kept current by Quell`,
        ),
      );
      return {
        text: `${drill(incident)}${incident.id} ${sev(incident)} ${incident.status}: ${escapeText(incident.title)}`,
        blocks,
      };
    },

    announcement: (incident) => announcementMessage(incident, config),

    announcementFollowUp: (incident, followUp) => announcementFollowUpMessage(incident, followUp, config),

    movedToPrivate: (incident) => movedToPrivateMessage(incident),

    changeNotice(incident, event) {
      // people's words inside the event (a note, an agent fact) must not become markup
      const text = `${drill(incident)}${actorName(event.actor)} ${escapeExcept(event.text, MENTIONS_DATES_LINKS)}`;
      return { text, blocks: [context(text)] };
    },

    setupFailures(incident, failures) {
      // Quell's mentions stay whole; an error message is not markup
      const list = failures.map((f) => `• ${escapeExcept(f, MENTIONS_DATES_LINKS)}`).join('\n');
      return {
        text: `${incident.id} is open, but some set-up steps failed: ${failures.map((f) => escapeExcept(f, MENTIONS_DATES_LINKS)).join('; ')}`,
        blocks: [
          section(`:warning: *${incident.id} is open, but some set-up steps failed:*\n${list}`),
          context(
            'The incident record is safe. Invite missing people by hand; everything else keeps working.',
          ),
        ],
      };
    },
  };
}

const TIMELINE_EVENTS_SHOWN = 45;
/** One event's text in the listing: 45 lines of this fit in 50 blocks with room to spare. */
const TIMELINE_LINE_LIMIT = 600;

/**
 * The ephemeral timeline listing, newest last, within Slack's 50-block message limit. Event text
 * mixes Quell's markup (`made <@U…> commander`) with people's words: mentions, dates and links stay
 * whole so they render, everything else is escaped so nobody's text becomes markup.
 */
export function timelineMessage(incident: Incident, events: readonly TimelineEvent[]): ChatMessage {
  const shown = events.slice(-TIMELINE_EVENTS_SHOWN);
  const lines = shown.map((e) => {
    const link = typeof e.data.permalink === 'string' ? ` (<${e.data.permalink}|message>)` : '';
    const text = truncateMrkdwn(escapeExcept(e.text, MENTIONS_DATES_LINKS), TIMELINE_LINE_LIMIT);
    return `${slackDate(e.at, '{date_short} {time}')} ${actorName(e.actor)} ${text}${link}`;
  });
  const omitted = events.length - shown.length;
  const blocks: Block[] = [header(`Timeline of ${incident.id}`)];
  if (omitted > 0)
    blocks.push(
      context(`${omitted} earlier events are not shown here; the evidence archive has all of them.`),
    );
  blocks.push(...lineSections(lines));
  return {
    text: `Timeline of ${incident.id}: ${events.length} events`,
    blocks: blocks.slice(0, MESSAGE_BLOCK_LIMIT),
  };
}
