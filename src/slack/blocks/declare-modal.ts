import type { Checkboxes, InputBlock, ModalView, PlainTextOption } from '@slack/types';
import type { QuellConfig } from '../../config/schema.js';
import {
  CATEGORY_LABELS,
  INCIDENT_CATEGORIES,
  type IncidentCategory,
  SEVERITIES,
} from '../../incidents/model.js';
import { MAX_TITLE_LENGTH } from '../../incidents/service.js';
import { DECLARE_FIELDS, VIEWS } from '../ids.js';
import { LABEL_LIMIT, PLACEHOLDER_LIMIT, plain, plainOption, VIEW_TITLE_LIMIT } from './format.js';

export interface DeclareModalOptions {
  drill: boolean;
  announce: boolean;
  /** Where the command was typed, so the confirmation can go back there. */
  channelId: string;
  /** `--started` given with the command: the picker starts there. */
  startedAt?: string;
  /** `--private` given with the command: the Private box starts ticked. */
  private?: boolean;
  category?: IncidentCategory;
}

function textInput(
  field: { block: string; action: string },
  label: string,
  opts: { optional?: boolean; multiline?: boolean; max?: number; placeholder?: string } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: field.block,
    optional: opts.optional ?? false,
    label: plain(label, LABEL_LIMIT),
    element: {
      type: 'plain_text_input',
      action_id: field.action,
      multiline: opts.multiline ?? false,
      ...(opts.max ? { max_length: opts.max } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder, PLACEHOLDER_LIMIT) } : {}),
    },
  };
}

const OPTION_DRILL = 'drill';
const OPTION_NO_ANNOUNCE = 'no_announce';
const OPTION_PRIVATE = 'private';

/** The declare form opened by `/incident declare` with no arguments. */
export function declareModal(config: QuellConfig, options: DeclareModalOptions): ModalView {
  const severityOptions: PlainTextOption[] = SEVERITIES.map((s) =>
    plainOption(config.severities[s].label, s, config.severities[s].description),
  );
  const categoryOptions: PlainTextOption[] = INCIDENT_CATEGORIES.map((c) =>
    plainOption(CATEGORY_LABELS[c], c),
  );
  const initialCategory = categoryOptions.find((o) => o.value === options.category);
  const checkboxOptions: PlainTextOption[] = [
    plainOption('Drill (rehearsal: nothing leaves the team)', OPTION_DRILL),
    plainOption('Do not announce', OPTION_NO_ANNOUNCE),
    plainOption(
      'Private',
      OPTION_PRIVATE,
      'A private channel; the announcement names no title, agent or channel',
    ),
  ];
  const initial = checkboxOptions.filter(
    (o) =>
      (o.value === OPTION_DRILL && options.drill) ||
      (o.value === OPTION_NO_ANNOUNCE && !options.announce) ||
      (o.value === OPTION_PRIVATE && options.private === true),
  );
  return {
    type: 'modal',
    callback_id: VIEWS.declare,
    private_metadata: JSON.stringify({ channelId: options.channelId }),
    title: plain('Declare an incident', VIEW_TITLE_LIMIT),
    submit: plain('Declare', VIEW_TITLE_LIMIT),
    close: plain('Cancel', VIEW_TITLE_LIMIT),
    blocks: [
      textInput(DECLARE_FIELDS.title, 'Title', {
        max: MAX_TITLE_LENGTH,
        placeholder: 'Support agent deleted a shared mailbox',
      }),
      {
        type: 'input',
        block_id: DECLARE_FIELDS.severity.block,
        label: plain('Severity'),
        hint: plain(
          'Grade by side effects (blast radius, reversibility, data, money), never model confidence.',
        ),
        element: {
          type: 'static_select',
          action_id: DECLARE_FIELDS.severity.action,
          options: severityOptions,
        },
      },
      textInput(DECLARE_FIELDS.description, 'What did the agent do?', {
        optional: true,
        multiline: true,
        max: 2000,
      }),
      {
        type: 'input',
        block_id: DECLARE_FIELDS.started.block,
        optional: true,
        label: plain('When did the agent start misbehaving?'),
        hint: plain(
          'Leave empty if unknown. Notices, the impact window and the postmortem use it; the declaration time is kept separately.',
        ),
        element: {
          type: 'datetimepicker',
          action_id: DECLARE_FIELDS.started.action,
          ...(options.startedAt
            ? { initial_date_time: Math.floor(Date.parse(options.startedAt) / 1000) }
            : {}),
        },
      },
      {
        type: 'input',
        block_id: DECLARE_FIELDS.category.block,
        optional: true,
        label: plain('Category'),
        hint: plain('Security and privacy incidents are private unless your team configured otherwise.'),
        element: {
          type: 'static_select',
          action_id: DECLARE_FIELDS.category.action,
          options: categoryOptions,
          ...(initialCategory ? { initial_option: initialCategory } : {}),
        },
      },
      textInput(DECLARE_FIELDS.agentName, 'Agent name', { optional: true, max: 200 }),
      textInput(DECLARE_FIELDS.agentVersion, 'Agent version', { optional: true, max: 200 }),
      textInput(DECLARE_FIELDS.agentModel, 'Model', {
        optional: true,
        max: 200,
        placeholder: 'e.g. the model id and version',
      }),
      textInput(DECLARE_FIELDS.environment, 'Environment', {
        optional: true,
        max: 200,
        placeholder: 'production',
      }),
      {
        type: 'input',
        block_id: DECLARE_FIELDS.options.block,
        optional: true,
        label: plain('Options'),
        element: {
          type: 'checkboxes',
          action_id: DECLARE_FIELDS.options.action,
          options: checkboxOptions,
          ...(initial.length ? { initial_options: initial } : {}),
        } satisfies Checkboxes,
      },
    ],
  };
}

export const DECLARE_OPTIONS = {
  drill: OPTION_DRILL,
  noAnnounce: OPTION_NO_ANNOUNCE,
  private: OPTION_PRIVATE,
} as const;
