import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  StaticSelectAction,
} from '@slack/bolt';
import type { Services } from '../../../services.js';
import { decodePromptRef, snoozedPromptMessage } from '../../blocks/reminders.js';
import { updateModal } from '../../blocks/update-modal.js';
import { userFacingMessage } from '../../user-facing-error.js';

const STALE_BUTTON =
  ':warning: This button no longer carries a reminder Quell understands; use `/incident update`.';

/** "Post update" on a prompt or escalation: opens the update form for that incident. */
export function postUpdateActionHandler(services: Services) {
  return async function handlePostUpdateButton({
    ack,
    body,
    action,
    client,
    respond,
  }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>): Promise<void> {
    await ack();
    const ref = decodePromptRef(action.value);
    if (!ref) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: STALE_BUTTON });
      return;
    }
    try {
      const incident = await services.store.require(ref.i);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: updateModal(incident, services.config, {
          incidentId: incident.id,
          channelId: incident.channelId ?? body.channel?.id ?? '',
        }),
      });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: userFacingMessage(error, services.logger),
      });
    }
  };
}

/** The prompt's Snooze menu: moves the reminder, then replaces the prompt so it cannot be used twice. */
export function snoozeActionHandler(services: Services) {
  return async function handleSnooze({
    ack,
    body,
    action,
    respond,
  }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<StaticSelectAction>>): Promise<void> {
    await ack();
    const ref = decodePromptRef(action.selected_option?.value);
    if (!ref?.s) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: STALE_BUTTON });
      return;
    }
    try {
      const incident = await services.reminders.updates.snooze(ref.i, body.user.id, {
        dueAt: ref.d,
        overdueSince: ref.o,
        snoozeMs: ref.s,
      });
      await respond({
        replace_original: true,
        ...snoozedPromptMessage(incident.id, body.user.id, incident.nextUpdateDueAt!),
      });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: userFacingMessage(error, services.logger),
      });
    }
  };
}
