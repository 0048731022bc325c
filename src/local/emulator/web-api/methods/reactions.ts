/** reactions.*. */
import type { WebApi } from '../api.js';

import { type MethodHandler, SlackApiError } from '../params.js';

export function reactionsMethods(api: WebApi): Record<string, MethodHandler> {
  const ws = api.ws;
  return {
    'reactions.add': (p, caller) => {
      const channel = api.channel(p, caller);
      const message = ws.message(channel.id, p.str('timestamp') ?? '');
      if (!message) throw new SlackApiError('message_not_found');
      const name = (p.str('name') ?? '').replace(/:/g, '');
      if (!name) throw new SlackApiError('invalid_name');
      api.react(message, caller.id, name, true);
      return {};
    },

    'reactions.remove': (p, caller) => {
      const channel = api.channel(p, caller);
      const message = ws.message(channel.id, p.str('timestamp') ?? '');
      if (!message) throw new SlackApiError('message_not_found');
      api.react(message, caller.id, (p.str('name') ?? '').replace(/:/g, ''), false);
      return {};
    },

    'reactions.get': (p, caller) => {
      const channel = api.channel(p, caller);
      const message = ws.message(channel.id, p.str('timestamp') ?? '');
      if (!message) throw new SlackApiError('message_not_found');
      return { type: 'message', channel: channel.id, message: api.messageObject(message) };
    },
  };
}
