import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../../services.js';
import { userFacingMessage } from '../../user-facing-error.js';

/** Message shortcut "Add to incident timeline": records the message and its permalink. */
export function addToTimelineHandler(services: Services) {
  return async function handleAddToTimeline({
    ack,
    shortcut,
    respond,
  }: AllMiddlewareArgs & SlackShortcutMiddlewareArgs<MessageShortcut>): Promise<void> {
    await ack();
    services.afterAck.run(() => recordMessage(services, shortcut, respond));
  };
}

async function recordMessage(
  services: Services,
  shortcut: MessageShortcut,
  respond: SlackShortcutMiddlewareArgs<MessageShortcut>['respond'],
): Promise<void> {
  try {
    const incident = await services.incidents.requireForChannel(
      shortcut.channel.id,
      'Add to incident timeline',
    );
    const message = shortcut.message as { ts: string; text?: string; user?: string };
    await services.incidents.addMessage(incident.id, shortcut.user.id, {
      channel: shortcut.channel.id,
      ts: message.ts,
      author: message.user,
      text: (message.text ?? '').slice(0, 2000),
    });
    await respond({ response_type: 'ephemeral', text: `Added to the ${incident.id} timeline.` });
  } catch (error) {
    await respond({ response_type: 'ephemeral', text: userFacingMessage(error, services.logger) });
  }
}
