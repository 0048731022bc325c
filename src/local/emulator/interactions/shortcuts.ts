/** Shortcuts and the Home tab: message and global shortcuts, app_home_opened. */
import type { DeliveryResult } from '../delivery.js';
import type { SlackEmulator } from '../emulator.js';
import { subscribed } from '../events.js';

/** A person picks a message shortcut ("More actions" on a message). */
export async function messageShortcut(
  slack: SlackEmulator,
  input: { user: string; channel: string; ts: string; callbackId: string },
) {
  const user = slack.requireUser(input.user);
  const channel = slack.requireChannel(input.channel);
  const message = slack.workspace.message(channel.id, input.ts);
  if (!message) throw new Error(`No message ${input.ts} in ${channel.id}`);
  const payload = {
    type: 'message_action',
    token: slack.verificationToken,
    action_ts: slack.workspace.nextTs(),
    team: slack.teamRef(),
    user: slack.userRef(user),
    channel: { id: channel.id, name: channel.is_im ? 'directmessage' : channel.name },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: input.callbackId,
    trigger_id: slack.issueTrigger(user.id),
    response_url: slack.issueResponseUrl({ user: user.id, channel: channel.id, kind: 'command' }),
    message_ts: message.ts,
    message: slack.api.messageObject(message),
  };
  return slack.deliverForm('message_action', { payload: JSON.stringify(payload) });
}

export async function globalShortcut(slack: SlackEmulator, input: { user: string; callbackId: string }) {
  const user = slack.requireUser(input.user);
  return slack.deliverForm('shortcut', {
    payload: JSON.stringify({
      type: 'shortcut',
      token: slack.verificationToken,
      action_ts: slack.workspace.nextTs(),
      team: slack.teamRef(),
      user: slack.userRef(user),
      is_enterprise_install: false,
      enterprise: null,
      callback_id: input.callbackId,
      trigger_id: slack.issueTrigger(user.id),
    }),
  });
}

/** A person opens the app's Home tab. */
export async function openHome(slack: SlackEmulator, userId: string): Promise<DeliveryResult | undefined> {
  const user = slack.requireUser(userId);
  if (!subscribed(slack, 'app_home_opened')) return undefined;
  const im = slack.workspace.imWith(slack.bot.id, user.id);
  const home = slack.home(user.id);
  return slack.deliverEvent({
    type: 'app_home_opened',
    user: user.id,
    channel: im.id,
    tab: 'home',
    event_ts: slack.workspace.nextTs(),
    ...(home ? { view: home } : {}),
  });
}
