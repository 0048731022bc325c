import type { Block } from '../../chat/port.js';
import { formatDuration } from '../../config/duration.js';
import type { Incident } from '../../incidents/model.js';
import type { Obligation, ObligationPresenter } from '../../obligations/index.js';
import {
  context,
  escapeText,
  header,
  lineSections,
  MESSAGE_BLOCK_LIMIT,
  section,
  slackDate,
} from './format.js';
import { personMention } from './reminders.js';

/**
 * Block Kit for notification obligations: pure functions. Deadlines use Slack's date tokens, so each
 * reader sees them in their own time zone; config text (names, citations) is escaped like people's.
 */

const drillTag = (o: { drill: boolean }) => (o.drill ? '[DRILL] ' : '');

function commanderMention(incident: Incident): string {
  return incident.roles.commander ? `<@${incident.roles.commander}>` : '<!here>';
}

/** "due Mon 24 Nov at 14:00 (in 3 days)" in the reader's time zone. */
function dueText(o: Obligation): string {
  return `${slackDate(o.deadlineAt)} (${slackDate(o.deadlineAt, '{ago}')})`;
}

/** One line per obligation: the pinned summary and `/incident obligations` share it. */
export function obligationLine(o: Obligation): string {
  const name = `${drillTag(o)}*${escapeText(o.name)}* (\`${o.type}\`)`;
  switch (o.status) {
    case 'submitted':
      return `:white_check_mark: ${name}: submitted ${slackDate(o.submitted!.at)} by ${personMention(o.submitted!.by)}${o.submitted!.reference ? `, ref ${escapeText(o.submitted!.reference)}` : ''}`;
    case 'waived':
      return `:heavy_minus_sign: ${name}: waived by ${personMention(o.waived!.by)}: ${escapeText(o.waived!.reason)}`;
    default:
      return o.initial
        ? `:hourglass_flowing_sand: ${name}: initial report ${slackDate(o.initial.at)}; complete report outstanding (deadline was ${slackDate(o.deadlineAt)})`
        : `:alarm_clock: ${name}: due ${dueText(o)} to the ${escapeText(o.authority)}`;
  }
}

/** The pinned summary's section, or none when the incident has no obligation. */
export function obligationsSummarySection(incident: Incident): Block | undefined {
  const list = incident.obligations ?? [];
  if (list.length === 0) return undefined;
  return section(`*Notification deadlines*\n${list.map(obligationLine).join('\n')}`);
}

const addHint = (type: string) => `\`/incident obligation add ${type} --aware <when you became aware>\``;

export function obligationViews(): ObligationPresenter {
  return {
    changed(_incident, o, event) {
      const who = personMention(event.actor);
      const line = (() => {
        switch (event.kind) {
          case 'obligation_added':
            return `:alarm_clock: ${who} started the ${drillTag(o)}*${escapeText(o.name)}* clock: aware ${slackDate(o.awareAt)}, due ${dueText(o)} to the ${escapeText(o.authority)}. When it is sent: \`/incident obligation submitted ${o.type} <reference>\`.`;
          case 'obligation_initial':
            return `:hourglass_flowing_sand: ${who} recorded the initial ${drillTag(o)}${escapeText(o.name)}; the complete report is still to follow.`;
          case 'obligation_submitted':
            return `:white_check_mark: ${who} recorded the ${drillTag(o)}${escapeText(o.name)} as submitted${o.submitted?.reference ? ` (ref ${escapeText(o.submitted.reference)})` : ''}.`;
          default:
            return `:heavy_minus_sign: ${who} waived the ${drillTag(o)}${escapeText(o.name)}: ${escapeText(o.waived?.reason ?? '')}`;
        }
      })();
      return { text: line, blocks: [section(line), context(escapeText(o.citation))] };
    },

    proposal(incident, type, marker) {
      const drill = incident.drill ? '[DRILL] ' : '';
      const text = `${drill}${incident.id} may start a notification clock: ${escapeText(type.name)} (${formatDuration(type.deadline)} from awareness).`;
      return {
        text,
        blocks: noticeBlocks(
          marker,
          `:scales: *${drill}This incident may start a notification clock: ${escapeText(type.name)}*\nDue ${formatDuration(type.deadline)} after the organisation became aware, to the ${escapeText(type.authority)}. If it applies: ${addHint(type.id)}.`,
          type.citation,
        ),
      };
    },

    reminder(incident, o, type, marker) {
      const text = `${drillTag(o)}${incident.id}: the ${escapeText(o.name)} is due ${slackDate(o.deadlineAt, '{ago}')}.`;
      const draft = type ? ` Draft it with \`/comms draft ${type.audience}\`;` : '';
      return {
        text,
        blocks: noticeBlocks(
          marker,
          `:alarm_clock: *${drillTag(o)}${escapeText(o.name)} for ${incident.id} is due ${dueText(o)}* ${commanderMention(incident)}\nTo the ${escapeText(o.authority)}.${draft} record it with \`/incident obligation submitted ${o.type} <reference>\`${o.phased ? ` (an initial report: \`--initial\`)` : ''}.`,
          o.citation,
        ),
      };
    },

    overdue(incident, o, targets, marker) {
      const mentions = [
        commanderMention(incident),
        ...targets.users.map((u) => `<@${u}>`),
        ...targets.usergroups.map((g) => `<!subteam^${g}>`),
      ].join(' ');
      const text = `${drillTag(o)}:rotating_light: ${incident.id}: the ${escapeText(o.name)} deadline passed with nothing submitted: ${mentions}`;
      return {
        text,
        blocks: noticeBlocks(
          marker,
          `:rotating_light: *${drillTag(o)}Deadline missed: ${escapeText(o.name)} for ${incident.id}* ${mentions}\nIt was due ${slackDate(o.deadlineAt)} to the ${escapeText(o.authority)}, and nothing is recorded as submitted. Send it now and record it (\`/incident obligation submitted ${o.type} <reference>\`), or waive it with the reason (\`/incident obligation waive ${o.type} <reason>\`).`,
          o.citation,
        ),
      };
    },

    list(incident, types) {
      const list = incident.obligations ?? [];
      const lines = list.length
        ? list.map((o) => `${obligationLine(o)}\n      _${escapeText(o.citation)}_`)
        : ['_No notification obligation recorded yet._'];
      const known = types
        .map((t) => `\`${t.id}\` ${escapeText(t.name)} (${formatDuration(t.deadline)})`)
        .join(' · ');
      const blocks: Block[] = [
        header(`Notification deadlines of ${incident.id}`),
        ...lineSections(lines),
        context(`Types: ${known}`),
        context(
          '`/incident obligation add <type> [--aware <time>]` · `/incident obligation submitted <type> [--initial] [reference]` · `/incident obligation waive <type> <reason>`',
        ),
      ];
      return {
        text: `${incident.id}: ${list.length} notification obligation${list.length === 1 ? '' : 's'}`,
        blocks: blocks.slice(0, MESSAGE_BLOCK_LIMIT),
      };
    },
  };
}

/** A notice's section, its block id the marker that finds the message again, and its citation beneath. */
function noticeBlocks(marker: string, markdown: string, citation: string): Block[] {
  return [
    { type: 'section', block_id: marker, text: { type: 'mrkdwn', text: markdown } },
    context(escapeText(citation)),
  ];
}
