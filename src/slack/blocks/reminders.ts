import { z } from 'zod';
import type { Block, ChatMessage } from '../../chat/port.js';
import { formatDuration } from '../../config/duration.js';
import type { QuellConfig } from '../../config/schema.js';
import type { Incident } from '../../incidents/model.js';
import { SYSTEM_ACTOR } from '../../incidents/model.js';
import type { PromptReason } from '../../reminders/index.js';
import type { PromptFacts, ReminderPresenter, SettledFacts } from '../../reminders/presenter.js';
import { ACTIONS } from '../ids.js';
import { context, escapeText, section, slackDate } from './format.js';

/**
 * What the prompt's buttons carry back: which incident, which due time (a stale prompt must not
 * snooze a newer one), since when the update is missing, and for Snooze how long. Short keys: a
 * select option's value holds at most 150 characters.
 */
const isoInstant = z.iso.datetime({ offset: true });
export const promptRefSchema = z.object({
  i: z.string().min(1).max(40),
  d: isoInstant,
  o: isoInstant,
  s: z.number().int().positive().optional(),
});
export type PromptRef = z.infer<typeof promptRefSchema>;

export function decodePromptRef(value: string | undefined): PromptRef | undefined {
  try {
    const parsed = promptRefSchema.safeParse(JSON.parse(value ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const drillTag = (incident: Incident) => (incident.drill ? '[DRILL] ' : '');

/** The commander, or everyone active in the channel when nobody holds the role. */
function commanderMention(incident: Incident): string {
  return incident.roles.commander ? `<@${incident.roles.commander}>` : '<!here>';
}

function whichUpdate(
  reason: PromptReason,
  since: string | undefined,
  incident: Incident,
  sev: string,
): string {
  const when = since ? ` ${slackDate(since)}` : '';
  switch (reason) {
    case 'declared':
      return `The first update since ${incident.id} was declared${when} is due.`;
    case 'update':
      return `The next update is due; the last one was posted${when}.`;
    case 'severity':
      return `An update is due at the ${sev} cadence, which restarted when the severity changed${when}.`;
    case 'reopened':
      return `An update is due since ${incident.id} was reopened${when}.`;
    case 'snoozed':
      return `The update is still missing; the reminder was snoozed${when}.`;
    default:
      return 'An update is due.';
  }
}

function promptActions(config: QuellConfig, ref: PromptRef, blockId: string): Block {
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.postUpdate,
        style: 'primary',
        text: { type: 'plain_text', text: 'Post update' },
        value: JSON.stringify(ref),
      },
      {
        type: 'static_select',
        action_id: ACTIONS.snoozeUpdate,
        placeholder: { type: 'plain_text', text: 'Snooze' },
        options: config.reminders.snoozeChoices.map((ms) => ({
          text: { type: 'plain_text', text: `Snooze ${formatDuration(ms)}` },
          value: JSON.stringify({ ...ref, s: ms }),
        })),
      },
    ],
  };
}

/** Block Kit for reminders: pure functions, unit-tested. */
export function reminderViews(config: QuellConfig): ReminderPresenter {
  const sev = (incident: Incident) => config.severities[incident.severity].label;

  return {
    prompt(facts: PromptFacts): ChatMessage {
      const { incident, dueAt, overdueSince, late } = facts;
      const who = commanderMention(incident);
      const missingSince =
        overdueSince === dueAt
          ? `Due ${slackDate(dueAt, '{time}')} (${slackDate(dueAt, '{ago}')}).`
          : `Missing since ${slackDate(overdueSince, '{time}')} (${slackDate(overdueSince, '{ago}')}).`;
      const cadence =
        facts.cadenceMs !== null
          ? ` ${sev(incident)} updates are due every ${formatDuration(facts.cadenceMs)}.`
          : '';
      const lines = [
        `:alarm_clock: *${drillTag(incident)}Update due for ${incident.id}* ${who}`,
        `${whichUpdate(facts.reason, facts.since, incident, sev(incident))} ${missingSince}${cadence}`,
      ];
      if (late)
        lines.push(
          `:hourglass: This reminder is late: it fell due ${slackDate(dueAt)} while Quell was not running.`,
        );
      const blocks: Block[] = [
        section(lines.join('\n')),
        context(
          'An update answers: impact, containment, investigation (facts kept apart from hypotheses) and when the next update comes.',
        ),
        promptActions(config, { i: incident.id, d: dueAt, o: overdueSince }, facts.marker),
      ];
      const lateText = late ? ' (late: Quell was not running when it fell due)' : '';
      return {
        text: `${drillTag(incident)}${who} update due for ${incident.id}${lateText}: ${escapeText(incident.title)}`,
        blocks,
      };
    },

    escalation(facts) {
      const { incident, overdueSince } = facts;
      const mentions = [
        ...(facts.commander !== false ? [commanderMention(incident)] : []),
        ...facts.users.map((u) => `<@${u}>`),
        ...facts.usergroups.map((g) => `<!subteam^${g}>`),
      ].join(' ');
      const text = `${drillTag(incident)}:rotating_light: ${incident.id} update overdue: ${mentions}`;
      return {
        text,
        blocks: [
          section(
            `:rotating_light: *${drillTag(incident)}Update overdue for ${incident.id}* ${mentions}\n${stepLabel(facts.step ?? 0, facts.steps ?? 1)} The update due ${slackDate(overdueSince)} is still missing (${slackDate(overdueSince, '{ago}')}); it was asked for ${slackDate(facts.promptedAt, '{time}')}. A missed update is a sign the incident is drifting: post one, or say who will.`,
          ),
          promptActions(config, { i: incident.id, d: facts.dueAt, o: overdueSince }, facts.marker),
        ],
      };
    },

    update(incident, event, update) {
      const next = update.nextUpdateAt ? slackDate(update.nextUpdateAt) : 'none scheduled';
      const blocks: Block[] = [
        section(
          `:memo: *${drillTag(incident)}Update on ${incident.id}* from <@${event.actor}> · ${sev(incident)} · ${incident.status}`,
        ),
        section(`*Impact*\n${escapeText(update.impact)}`),
        section(`*Containment*\n${escapeText(update.containment)}`),
        section(`*Investigation*\n${escapeText(update.investigation)}`),
        context(`*Next update:* ${next}`),
      ];
      return {
        text: `${drillTag(incident)}${incident.id} update from <@${event.actor}>: impact: ${escapeText(update.impact)}; containment: ${escapeText(update.containment)}; investigation: ${escapeText(update.investigation)}`,
        blocks,
      };
    },

    settled(facts) {
      const what = facts.kind === 'prompt' ? 'Update reminder' : 'Overdue escalation';
      const text = `${drillTag(facts.incident)}${fateIcon(facts.fate)} ${what} for ${facts.incident.id}: ${fateText(facts)}`;
      return { text, blocks: [context(text)] };
    },

    snoozed(incident, event) {
      const until = typeof event.data.until === 'string' ? slackDate(event.data.until, '{time}') : 'later';
      const text = `${drillTag(incident)}<@${event.actor}> snoozed the update reminder until ${until}.`;
      return { text, blocks: [context(text)] };
    },
  };
}

function stepLabel(step: number, steps: number): string {
  return step < steps
    ? `Escalation ${step + 1} of ${steps}.`
    : `Still missing: repeat ${step - steps + 1} of the last escalation.`;
}

/** A person as Quell mentions them: only a real user id becomes a mention; Quell's own acts say Quell. */
export function personMention(actor: string): string {
  if (/^[UW][A-Z0-9]{2,}$/.test(actor)) return `<@${actor}>`;
  return actor === SYSTEM_ACTOR ? 'Quell' : 'someone';
}

function fateIcon(fate: SettledFacts['fate']): string {
  return {
    answered: ':white_check_mark:',
    snoozed: ':zzz:',
    superseded: ':arrows_counterclockwise:',
    resolved: ':checkered_flag:',
  }[fate];
}

function fateText({ fate, actor, at, until }: SettledFacts): string {
  const when = slackDate(at, '{time}');
  switch (fate) {
    case 'answered':
      return `answered by ${personMention(actor)} at ${when}.`;
    case 'snoozed':
      return `snoozed by ${personMention(actor)} at ${when}${until ? ` until ${slackDate(until, '{time}')}` : ''}.`;
    case 'resolved':
      return `no longer needed: the incident was resolved at ${when}.`;
    default:
      return `superseded at ${when} (the update clock changed); see the pinned summary for when the next update is due.`;
  }
}

/** What replaces a prompt once someone has snoozed it, so the buttons cannot be used twice. */
export function snoozedPromptMessage(incidentId: string, actor: string, until: string): ChatMessage {
  const text = `:zzz: Update reminder for ${incidentId} snoozed by <@${actor}> until ${slackDate(until, '{time}')}.`;
  return { text, blocks: [context(text)] };
}
