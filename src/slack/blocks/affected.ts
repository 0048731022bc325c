import type { InputBlock, ModalView, PlainTextOption } from '@slack/types';
import type { Block, ChatMessage } from '../../chat/port.js';
import type { Incident } from '../../incidents/model.js';
import {
  AFFECTED_LIMITS,
  type AffectedObject,
  type AffectedState,
  describeObject,
  inventoryCounts,
  isSettled,
} from '../../resolution/index.js';
import { ACTIONS, AFFECTED_FIELDS, VIEWS } from '../ids.js';
import {
  context,
  escapeText,
  header,
  LABEL_LIMIT,
  lineSections,
  MESSAGE_BLOCK_LIMIT,
  PLACEHOLDER_LIMIT,
  plain,
  plainOption,
  section,
  truncate,
  VIEW_TITLE_LIMIT,
} from './format.js';

/** Block Kit for the rollback inventory: the summary in the channel and the form of one entry. */

const drillTag = (incident: Incident) => (incident.drill ? '[DRILL] ' : '');
/** Entries listed in the summary; the rest are counted (the postmortem and the bundle have them all). */
const LISTED = 40;

const STATE_TEXT: Record<AffectedState, string> = {
  pending: 'not dealt with yet',
  reversed: 'reversed',
  accepted: 'accepted',
};

function entryLine(o: AffectedObject): string {
  const mark = isSettled(o) ? ':white_check_mark:' : ':x:';
  const values =
    o.before || o.after
      ? `\n    ${escapeText(truncate(o.before ?? '?', 120))} → ${escapeText(truncate(o.after ?? '?', 120))}`
      : '';
  const note = o.note ? `\n    _${escapeText(truncate(o.note, 240))}_` : '';
  const disclosure = o.disclosure ? `\n    Disclosed: ${escapeText(truncate(o.disclosure, 240))}` : '';
  return `${mark} *${escapeText(truncate(describeObject(o), 160))}* · ${o.reversible ? 'reversible' : 'irreversible'}, ${STATE_TEXT[o.state]}\n    ${escapeText(truncate(o.change, 300))}${values}${note}${disclosure}`;
}

/** The rollback inventory as posted in the incident channel (and answered to `/incident affected list`). */
export function inventorySummary(incident: Incident, objects: readonly AffectedObject[]): ChatMessage {
  const counts = inventoryCounts(objects);
  const headline =
    counts.total === 0
      ? 'Nothing recorded yet.'
      : `${counts.total} affected object${counts.total === 1 ? '' : 's'}: ${counts.reversed} reversed, ${counts.accepted} accepted (irreversible), ${counts.pending} still open.`;
  const lines = objects.slice(0, LISTED).map(entryLine);
  if (objects.length > LISTED)
    lines.push(`…and ${objects.length - LISTED} more (all in the postmortem and the evidence bundle)`);
  const blocks: Block[] = [
    header(`${drillTag(incident)}Rollback inventory: ${incident.id}`),
    section(`What the agent changed, and how each change was reversed or why it was not.\n${headline}`),
    ...lineSections(lines).slice(0, MESSAGE_BLOCK_LIMIT - 4),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTIONS.affectedAdd,
          text: plain('Record an affected object'),
          value: incident.id,
        },
      ],
    },
    context(
      'The restart gate\'s "Rollback" item passes once every reversible object is reversed and every irreversible one is accepted with a reason and a disclosure. Recording the same system and object id again updates it.',
    ),
  ];
  return {
    text: `${drillTag(incident)}Rollback inventory for ${incident.id}: ${headline}`,
    blocks,
  };
}

function textInput(
  field: { block: string; action: string },
  label: string,
  opts: {
    optional?: boolean;
    multiline?: boolean;
    max: number;
    initial?: string;
    hint?: string;
    placeholder?: string;
  },
): InputBlock {
  return {
    type: 'input',
    block_id: field.block,
    optional: opts.optional ?? false,
    label: plain(label, LABEL_LIMIT),
    ...(opts.hint ? { hint: plain(opts.hint, LABEL_LIMIT) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: field.action,
      multiline: opts.multiline ?? false,
      max_length: opts.max,
      ...(opts.initial ? { initial_value: opts.initial.slice(0, opts.max) } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder, PLACEHOLDER_LIMIT) } : {}),
    },
  };
}

export const REVERSIBLE_OPTIONS = { yes: 'reversible', no: 'irreversible' } as const;

/** The form of one inventory entry; `existing` pre-fills it (the same system + object id updates it). */
export function affectedModal(incident: Incident, channelId: string, existing?: AffectedObject): ModalView {
  const reversibleOptions: PlainTextOption[] = [
    plainOption('Reversible: it can be put back', REVERSIBLE_OPTIONS.yes),
    plainOption('Irreversible: sent, paid, deleted for good', REVERSIBLE_OPTIONS.no),
  ];
  const stateOptions: PlainTextOption[] = [
    plainOption('Not dealt with yet', 'pending'),
    plainOption('Reversed', 'reversed'),
    plainOption('Accepted (irreversible, disclosed)', 'accepted'),
  ];
  const reversible = existing ? reversibleOptions[existing.reversible ? 0 : 1] : undefined;
  const state = existing ? stateOptions.find((o) => o.value === existing.state) : stateOptions[0];
  return {
    type: 'modal',
    callback_id: VIEWS.affected,
    private_metadata: JSON.stringify({ incidentId: incident.id, channelId }),
    title: plain(incident.drill ? 'Affected (drill)' : 'Affected object', VIEW_TITLE_LIMIT),
    submit: plain('Record', VIEW_TITLE_LIMIT),
    close: plain('Cancel', VIEW_TITLE_LIMIT),
    blocks: [
      context(
        `${drillTag(incident)}*${incident.id}*: one object the agent changed. The same system and object id again updates its entry.`,
      ),
      textInput(AFFECTED_FIELDS.system, 'System', {
        max: AFFECTED_LIMITS.system,
        placeholder: 'crm, billing, mail, github…',
        ...(existing ? { initial: existing.system } : {}),
      }),
      textInput(AFFECTED_FIELDS.objectId, 'Object id', {
        max: AFFECTED_LIMITS.objectId,
        placeholder: 'e.g. customer 10443, refund re_3Q…, PR #812',
        ...(existing ? { initial: existing.objectId } : {}),
      }),
      textInput(AFFECTED_FIELDS.change, 'What the agent changed', {
        multiline: true,
        max: AFFECTED_LIMITS.change,
        ...(existing ? { initial: existing.change } : {}),
      }),
      textInput(AFFECTED_FIELDS.before, 'Before (if known)', {
        optional: true,
        max: AFFECTED_LIMITS.value,
        ...(existing?.before ? { initial: existing.before } : {}),
      }),
      textInput(AFFECTED_FIELDS.after, 'After (if known)', {
        optional: true,
        max: AFFECTED_LIMITS.value,
        ...(existing?.after ? { initial: existing.after } : {}),
      }),
      {
        type: 'input',
        block_id: AFFECTED_FIELDS.reversible.block,
        label: plain('Can it be reversed?'),
        element: {
          type: 'radio_buttons',
          action_id: AFFECTED_FIELDS.reversible.action,
          options: reversibleOptions,
          ...(reversible ? { initial_option: reversible } : {}),
        },
      },
      {
        type: 'input',
        block_id: AFFECTED_FIELDS.state.block,
        label: plain('Where it stands'),
        element: {
          type: 'radio_buttons',
          action_id: AFFECTED_FIELDS.state.action,
          options: stateOptions,
          ...(state ? { initial_option: state } : {}),
        },
      },
      textInput(AFFECTED_FIELDS.note, 'How it was reversed, or why it cannot be', {
        optional: true,
        multiline: true,
        max: AFFECTED_LIMITS.note,
        hint: 'Required once reversed or accepted.',
        ...(existing?.note ? { initial: existing.note } : {}),
      }),
      textInput(AFFECTED_FIELDS.disclosure, 'Disclosure (irreversible changes)', {
        optional: true,
        multiline: true,
        max: AFFECTED_LIMITS.disclosure,
        hint: 'Who was told, where and when: required to accept an irreversible change.',
        ...(existing?.disclosure ? { initial: existing.disclosure } : {}),
      }),
    ],
  };
}
