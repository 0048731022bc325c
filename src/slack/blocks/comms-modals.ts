import type { LintFinding } from '../../comms/lint.js';
import type { CommsDraft } from '../../comms/model.js';
import { MAX_MESSAGE_LENGTH } from '../../comms/service.js';
import { COMMS_FIELDS, VIEWS } from '../ids.js';
import { context, section, truncate } from './format.js';

/** What the comms forms carry between opening and submission. */
export interface CommsFormMetadata {
  /** incident id, draft id, version shown */
  i: string;
  d: string;
  v: number;
  /** Channel the draft is in, for replies. */
  c: string;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text });

/** The Edit form: the latest text, editable; saving adds a version. */
export function editModal(draft: CommsDraft, metadata: CommsFormMetadata) {
  const latest = draft.versions.at(-1)!;
  return {
    type: 'modal' as const,
    callback_id: VIEWS.commsEdit,
    private_metadata: JSON.stringify(metadata),
    title: plain('Edit draft'),
    submit: plain('Save new version'),
    close: plain('Cancel'),
    blocks: [
      context(
        `${draft.title}, ${draft.incidentId}: editing v${latest.number}. Saving adds v${latest.number + 1}; every earlier version is kept.`,
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
) {
  const list = warnings.map((w) => `:warning: ${w.message}`).join('\n');
  return {
    type: 'modal' as const,
    callback_id: VIEWS.commsOverride,
    private_metadata: JSON.stringify(metadata),
    title: plain('Approve with warnings'),
    submit: plain('Approve anyway'),
    close: plain('Cancel'),
    blocks: [
      section(truncate(`*${draft.title} v${metadata.v}* has lint warnings:\n${list}`, 3000)),
      {
        type: 'input',
        block_id: COMMS_FIELDS.overrideReason.block,
        label: plain('Why is it right to publish this as it is?'),
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
