import type { ActionsBlock } from '@slack/types';
import type { ChatMessage } from '../../chat/port.js';
import type { Incident } from '../../incidents/model.js';
import { NO_PRIVATE_CONVERSION } from '../../incidents/privacy.js';
import { ACTIONS } from '../ids.js';
import { context, mention, plain, section } from './format.js';

/**
 * `/incident private` in a public incident channel: Slack cannot turn the channel private, so
 * Quell says so and offers the one thing it can do, a private follow-up channel.
 */
export function privateFollowUpOffer(incident: Incident): ChatMessage {
  const actions: ActionsBlock = {
    type: 'actions',
    block_id: 'private_follow_up',
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.privateFollowUp,
        text: plain('Declare a private follow-up channel', 75),
        style: 'primary',
        value: incident.id,
        confirm: {
          title: plain('Move to a private channel?', 100),
          text: plain(
            `${incident.id} moves to a new private channel: its role holders and responders are invited, this channel stops being the incident's, and the announcement stops showing details.`,
            300,
          ),
          confirm: plain('Move it', 30),
          deny: plain('Keep it here', 30),
        },
      },
    ],
  };
  return {
    text: `${NO_PRIVATE_CONVERSION} Declare a private follow-up channel for ${incident.id} instead.`,
    blocks: [
      section(
        `:lock: *${NO_PRIVATE_CONVERSION}*\nWhat Quell can do: move ${incident.id} to a new *private follow-up channel*. Its role holders and responders are invited there, the live summary is pinned there, and from then on the announcement, App Home and talking points show no details.`,
      ),
      actions,
      context('What was said here stays visible to this channel’s members.'),
    ],
  };
}

export function alreadyPrivateMessage(incident: Incident): ChatMessage {
  const text = `${incident.id} is already private: its channel is private and its announcement shows no details.`;
  return { text, blocks: [section(`:lock: ${text}`)] };
}

/** Posted in the public channel the incident left: whom to ask, never where it went. */
export function movedToPrivateMessage(incident: Incident): ChatMessage {
  const text = `:lock: ${incident.id} continues in a private channel. This channel is no longer the incident's; ask ${mention(incident.roles.commander)} if you need to be involved.`;
  return { text, blocks: [section(text)] };
}
