import type { InputBlock, ModalView } from '@slack/types';
import { formatDuration } from '../../config/duration.js';
import type { QuellConfig } from '../../config/schema.js';
import { cadenceFor } from '../../incidents/cadence.js';
import type { Incident } from '../../incidents/model.js';
import { MAX_UPDATE_FIELD_LENGTH } from '../../reminders/index.js';
import { UPDATE_FIELDS, VIEWS } from '../ids.js';
import { context, LABEL_LIMIT, PLACEHOLDER_LIMIT, plain, VIEW_TITLE_LIMIT } from './format.js';

export interface UpdateModalMetadata {
  incidentId: string;
  channelId: string;
}

function textInput(
  field: { block: string; action: string },
  label: string,
  hint: string,
  placeholder: string,
): InputBlock {
  return {
    type: 'input',
    block_id: field.block,
    label: plain(label, LABEL_LIMIT),
    hint: plain(hint, LABEL_LIMIT),
    element: {
      type: 'plain_text_input',
      action_id: field.action,
      multiline: true,
      max_length: MAX_UPDATE_FIELD_LENGTH,
      placeholder: plain(placeholder, PLACEHOLDER_LIMIT),
    },
  };
}

/** The structured update form, opened by `/incident update` or a prompt's "Post update" button. */
export function updateModal(
  incident: Incident,
  config: QuellConfig,
  metadata: UpdateModalMetadata,
): ModalView {
  const cadence = cadenceFor(incident.severity, config);
  const label = config.severities[incident.severity].label;
  const nextHint =
    cadence === null
      ? `${label} has no update cadence: set a time to be reminded then.`
      : `Empty: one ${label} cadence (${formatDuration(cadence)}) after you post. An earlier time brings the next reminder forward.`;
  return {
    type: 'modal',
    callback_id: VIEWS.update,
    private_metadata: JSON.stringify(metadata),
    title: plain(`Update ${incident.id}`, VIEW_TITLE_LIMIT),
    submit: plain('Post update', VIEW_TITLE_LIMIT),
    close: plain('Cancel', VIEW_TITLE_LIMIT),
    blocks: [
      context(
        `${incident.drill ? '[DRILL] ' : ''}*${incident.id}* · ${label} · ${incident.status}: the update is posted in the incident channel and kept on the timeline.`,
      ),
      textInput(
        UPDATE_FIELDS.impact,
        'Impact',
        'Who and what is affected, and how badly.',
        'e.g. 40 customers received an email meant for another account',
      ),
      textInput(
        UPDATE_FIELDS.containment,
        'Containment',
        'What is in place, whether it is verified, what is still open.',
        'e.g. email tool disabled for the agent; verified no sends since 14:20',
      ),
      textInput(
        UPDATE_FIELDS.investigation,
        'Investigation',
        'Keep facts apart from hypotheses.',
        'Facts: ... Hypotheses: ...',
      ),
      {
        type: 'input',
        block_id: UPDATE_FIELDS.nextUpdate.block,
        optional: true,
        label: plain('Next update by'),
        hint: plain(nextHint, LABEL_LIMIT),
        element: { type: 'datetimepicker', action_id: UPDATE_FIELDS.nextUpdate.action },
      },
    ],
  };
}
