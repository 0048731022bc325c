/**
 * Type-level proof that the builders' types are Slack's: `npx tsc --noEmit` checks this file, and
 * each `@ts-expect-error` fails the build if the line below it ever compiles (an unused directive
 * is an error). `typed-builders.test.ts` also compiles it without the directives and counts one
 * error per case, so a case cannot pass by accident.
 */
import type {
  Button,
  Checkboxes,
  ConfirmationDialog,
  HomeView,
  ModalView,
  PlainTextOption,
} from '@slack/types';
import type { Block, ChatMessage } from '../../../src/chat/port.js';
import { commsViews, homeView } from '../../../src/slack/blocks/comms.js';
import { editModal, overrideModal } from '../../../src/slack/blocks/comms-modals.js';
import { containmentViews } from '../../../src/slack/blocks/containment.js';
import { declareModal } from '../../../src/slack/blocks/declare-modal.js';
import { incidentViews, timelineMessage } from '../../../src/slack/blocks/incident.js';
import { reminderViews, snoozedPromptMessage } from '../../../src/slack/blocks/reminders.js';
import {
  gateOverrideModal,
  openActionsMessage,
  resolutionViews,
  triageDecisionModal,
  triageQuestionsModal,
} from '../../../src/slack/blocks/resolution.js';
import { updateModal } from '../../../src/slack/blocks/update-modal.js';

type Returns<R> = (...args: never[]) => R;

/** Every builder returns Slack's types: a message of KnownBlocks, a ModalView or a HomeView. */
export const builders = {
  timelineMessage: timelineMessage satisfies Returns<ChatMessage>,
  openActionsMessage: openActionsMessage satisfies Returns<ChatMessage>,
  snoozedPromptMessage: snoozedPromptMessage satisfies Returns<ChatMessage>,
  declareModal: declareModal satisfies Returns<ModalView>,
  updateModal: updateModal satisfies Returns<ModalView>,
  editModal: editModal satisfies Returns<ModalView>,
  overrideModal: overrideModal satisfies Returns<ModalView>,
  gateOverrideModal: gateOverrideModal satisfies Returns<ModalView>,
  triageQuestionsModal: triageQuestionsModal satisfies Returns<ModalView>,
  triageDecisionModal: triageDecisionModal satisfies Returns<ModalView>,
  homeView: homeView satisfies Returns<HomeView>,
  presenters: [incidentViews, reminderViews, resolutionViews, commsViews, containmentViews],
};

// A block type Slack does not have.
// @ts-expect-error: 'sectoin' is not a KnownBlock
export const misspelledBlock: Block = { type: 'sectoin', text: { type: 'mrkdwn', text: 'x' } };

// The 0.x gate checklist bug: a mrkdwn option description (Slack accepts plain_text there).
export const mrkdwnDescription: PlainTextOption = {
  text: { type: 'plain_text', text: 'Contained' },
  value: 'contained',
  // @ts-expect-error: an option description is a plain_text object
  description: { type: 'mrkdwn', text: 'ticked by <@W0123456789>' },
};

// A header's text must be plain_text.
// @ts-expect-error: header text cannot be mrkdwn
export const mrkdwnHeader: Block = { type: 'header', text: { type: 'mrkdwn', text: '*x*' } };

// A button style other than primary or danger.
export const badButton: Button = {
  type: 'button',
  action_id: 'a',
  text: { type: 'plain_text', text: 'Go' },
  // @ts-expect-error: 'warning' is not a button style
  style: 'warning',
};

// A confirmation dialog's buttons are plain text.
export const mrkdwnConfirm: ConfirmationDialog = {
  title: { type: 'plain_text', text: 'Sure?' },
  text: { type: 'plain_text', text: 'Really?' },
  // @ts-expect-error: confirm is a plain_text object
  confirm: { type: 'mrkdwn', text: '*Yes*' },
};

// Checkboxes without options.
// @ts-expect-error: options is required
export const noOptions: Checkboxes = { type: 'checkboxes', action_id: 'a' };

// A modal's title must be plain text.
export const mrkdwnTitle: ModalView = {
  type: 'modal',
  // @ts-expect-error: a modal title is plain_text
  title: { type: 'mrkdwn', text: 'Declare' },
  blocks: [],
};

// A builder whose return type is Slack's rejects a malformed block inside its body.
export function brokenBuilder(): ChatMessage {
  return {
    text: 'x',
    // @ts-expect-error: a context block holds text and image elements, not buttons
    blocks: [{ type: 'context', elements: [{ type: 'button', text: { type: 'plain_text', text: 'x' } }] }],
  };
}
