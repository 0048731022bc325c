/** views.open / push / update / publish. */
import type { WebApi } from '../api.js';

import { type MethodHandler, SlackApiError } from '../params.js';

export function viewsMethods(api: WebApi): Record<string, MethodHandler> {
  const ws = api.ws;
  return {
    'views.open': (p) => {
      // an invalid view leaves the trigger unused
      const view = api.parseView(p, 'modal');
      const trigger = api.exchangeTrigger(p);
      const opened = api.createView(trigger.user, 'modal', view, null);
      ws.modalStacks.set(trigger.user, [opened.id]);
      ws.changed({ kind: 'views', user: trigger.user });
      return { view: api.viewObject(opened) };
    },

    'views.push': (p) => {
      const view = api.parseView(p, 'modal');
      const trigger = api.exchangeTrigger(p);
      const stack = ws.modalStacks.get(trigger.user) ?? [];
      if (stack.length === 0) throw new SlackApiError('not_found');
      if (stack.length >= 3) throw new SlackApiError('push_limit_reached');
      const pushed = api.createView(trigger.user, 'modal', view, stack[stack.length - 1]!);
      pushed.root_view_id = stack[0]!;
      stack.push(pushed.id);
      ws.changed({ kind: 'views', user: trigger.user });
      return { view: api.viewObject(pushed) };
    },

    'views.update': (p) => {
      const viewId = p.str('view_id');
      const externalId = p.str('external_id');
      if (!viewId && !externalId)
        throw new SlackApiError('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] either view_id or external_id is required'] },
        });
      const existing = viewId
        ? ws.views.get(viewId)
        : [...ws.views.values()].find((v) => v.external_id === externalId);
      if (!existing || !api.isLive(existing)) throw new SlackApiError('not_found');
      const hash = p.str('hash');
      if (hash && hash !== existing.hash) throw new SlackApiError('hash_conflict');
      const view = api.parseView(p, existing.type);
      api.replaceView(existing, view);
      return { view: api.viewObject(existing) };
    },

    'views.publish': (p) => {
      const user = api.user(p.str('user_id'));
      const view = api.parseView(p, 'home');
      const currentId = ws.homes.get(user.id);
      const current = currentId ? ws.views.get(currentId) : undefined;
      const hash = p.str('hash');
      if (current && hash && hash !== current.hash) throw new SlackApiError('hash_conflict');
      if (current) {
        api.replaceView(current, view);
        return { view: api.viewObject(current) };
      }
      const home = api.createView(user.id, 'home', view, null);
      ws.homes.set(user.id, home.id);
      ws.changed({ kind: 'views', user: user.id });
      return { view: api.viewObject(home) };
    },
  };
}
