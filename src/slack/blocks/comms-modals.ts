import type { ModalView } from '@slack/types';
import type { LintFinding } from '../../comms/index.js';
import { MAX_MESSAGE_LENGTH } from '../../comms/index.js';
import type { CommsDraft } from '../../comms/model.js';
import { COMMS_FIELDS, VIEWS } from '../ids.js';
import { context, escapeText, LABEL_LIMIT, plain, section, VIEW_TITLE_LIMIT } from './format.js';

/** What the comms forms carry between opening and submission. */
export interface CommsFormMetadata {
  /** incident id, draft id, version shown */
  i: string;
  d: string;
  v: number;
  /** Channel the draft is in, for replies. */
  c: string;
}

const title = (text: string) => plain(text, VIEW_TITLE_LIMIT);

/** The Edit form: the latest text, editable; saving adds a version. */
export function editModal(draft: CommsDraft, metadata: CommsFormMetadata): ModalView {
  const latest = draft.versions.at(-1)!;
  return {
    type: 'modal',
    callback_id: VIEWS.commsEdit,
    private_metadata: JSON.stringify(metadata),
    title: title('Edit draft'),
    submit: title('Save new version'),
    close: title('Cancel'),
    blocks: [
      context(
        `${escapeText(draft.title)}, ${draft.incidentId}: editing v${latest.number}. Saving adds v${latest.number + 1}; every earlier version is kept.`,
      ),
      {
        type: 'input',
        block_id: COMMS_FIELDS.text.block,
        label: plain('Message'),
        element: {
          type: 'plain_text_input',
          action_id: COMMS_FIELDS.text.action,
          multiline: true,
          max_length: MAX_MESSAGE_LENGTH,
          initial_value: latest.text.slice(0, MAX_MESSAGE_LENGTH),
        },
        hint: plain('Replace every [[missing: …]] with real words. Lint runs again when you save.'),
      },
    ],
  };
}

/** Approving a version with lint warnings: the warnings, and a reason that is recorded. */
export function overrideModal(
  draft: CommsDraft,
  warnings: readonly LintFinding[],
  metadata: CommsFormMetadata,
): ModalView {
  const list = warnings.map((w) => `:warning: ${escapeText(w.message)}`).join('\n');
  return {
    type: 'modal',
    callback_id: VIEWS.commsOverride,
    private_metadata: JSON.stringify(metadata),
    title: title('Approve with warnings'),
    submit: title('Approve anyway'),
    close: title('Cancel'),
    blocks: [
      section(`*${escapeText(draft.title)} v${metadata.v}* has lint warnings:\n${list}`),
      {
        type: 'input',
        block_id: COMMS_FIELDS.overrideReason.block,
        label: plain('Why is it right to publish this as it is?', LABEL_LIMIT),
        element: {
          type: 'plain_text_input',
          action_id: COMMS_FIELDS.overrideReason.action,
          multiline: true,
          min_length: 10,
          max_length: 500,
        },
      },
      context('Your name, the time, these warnings and your reason go on the incident timeline.'),
    ],
  };
}
