import type { ConfirmationDialog } from '@slack/types';
import { plain, truncate, truncateMrkdwn } from './format.js';

/** Slack's confirmation dialog limits: title 100, text 300, confirm and deny 30 characters each. */
export const CONFIRM_LIMITS = { title: 100, text: 300, button: 30 } as const;

/** A confirmation dialog within Slack's limits; `mrkdwn` text keeps Slack markup whole when cut. */
export function confirmDialog(dialog: {
  title: string;
  text: string;
  confirm: string;
  deny: string;
  mrkdwn?: boolean;
  style?: 'primary' | 'danger';
}): ConfirmationDialog {
  return {
    title: plain(dialog.title, CONFIRM_LIMITS.title),
    text: dialog.mrkdwn
      ? { type: 'mrkdwn', text: truncateMrkdwn(dialog.text, CONFIRM_LIMITS.text) }
      : { type: 'plain_text', text: truncate(dialog.text, CONFIRM_LIMITS.text) },
    confirm: plain(dialog.confirm, CONFIRM_LIMITS.button),
    deny: plain(dialog.deny, CONFIRM_LIMITS.button),
    style: dialog.style ?? 'danger',
  };
}
