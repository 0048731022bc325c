/** auth.test, team, users.* and usergroups.*. */
import type { WebApi } from '../api.js';
import { clampLimit, decodeCursor, encodeCursor } from '../paging.js';
import { type MethodHandler, SlackApiError } from '../params.js';

export function usersMethods(api: WebApi): Record<string, MethodHandler> {
  const ws = api.ws;
  return {
    'auth.test': (_p, caller) => ({
      url: `https://${ws.team.domain}.slack.com/`,
      team: ws.team.name,
      user: caller.name,
      team_id: ws.team.id,
      user_id: caller.id,
      ...(caller.bot_id ? { bot_id: caller.bot_id } : {}),
      is_enterprise_install: false,
    }),

    'users.info': (p) => ({ user: api.userObject(api.user(p.str('user'))) }),

    'users.list': (p) => {
      const limit = clampLimit(p, 100, 1000);
      const offset = Number(decodeCursor(p.str('cursor'), 'offset') ?? 0);
      if (Number.isNaN(offset)) throw new SlackApiError('invalid_cursor');
      const all = [...ws.users.values()];
      return {
        members: all.slice(offset, offset + limit).map((u) => api.userObject(u)),
        cache_ts: ws.now(),
        response_metadata: {
          next_cursor: offset + limit < all.length ? encodeCursor('offset', offset + limit) : '',
        },
      };
    },

    'users.lookupByEmail': (p) => {
      // a required argument left out is invalid_arguments on Slack, not a lookup that finds nobody
      const email = (p.str('email') ?? '').trim().toLowerCase();
      if (!email)
        throw new SlackApiError('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] missing required field: email'] },
        });
      const user = [...ws.users.values()].find((u) => u.email?.toLowerCase() === email && !u.deleted);
      if (!user) throw new SlackApiError('users_not_found');
      return { user: api.userObject(user) };
    },

    'usergroups.users.list': (p) => {
      const group = ws.usergroups.get(p.str('usergroup') ?? '');
      if (!group) throw new SlackApiError('no_such_subteam');
      return { users: group.users };
    },

    'usergroups.list': (p) => ({
      usergroups: [...ws.usergroups.values()].map((g) => ({
        id: g.id,
        team_id: ws.team.id,
        is_usergroup: true,
        name: g.name,
        description: g.description,
        handle: g.handle,
        is_external: false,
        user_count: g.users.length,
        ...(p.bool('include_users') ? { users: g.users } : {}),
      })),
    }),
  };
}
