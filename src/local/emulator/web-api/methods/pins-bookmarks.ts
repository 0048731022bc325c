/** pins.* and bookmarks.*. */
import { randomId } from '../../workspace.js';
import type { WebApi } from '../api.js';
import { type MethodHandler, SlackApiError } from '../params.js';
import { MAX_PINS } from '../rules.js';

export function pinsAndBookmarksMethods(api: WebApi): Record<string, MethodHandler> {
  const ws = api.ws;
  return {
    'pins.add': (p, caller) => {
      const channel = api.channel(p, caller);
      api.requireMember(channel, caller);
      const ts = p.str('timestamp');
      if (!ts) throw new SlackApiError('no_item_specified');
      const message = ws.message(channel.id, ts);
      if (!message) throw new SlackApiError('message_not_found');
      if (channel.pins.some((pin) => pin.ts === ts)) throw new SlackApiError('already_pinned');
      if (channel.pins.length >= MAX_PINS) throw new SlackApiError('too_many_pins');
      channel.pins.push({ ts, created: ws.now(), created_by: caller.id });
      api.systemMessage(
        channel,
        caller.id,
        'pinned_item',
        `<@${caller.id}> pinned a message to this channel.`,
        {
          item_type: 'C',
          item: { ts },
        },
      );
      api.hooks.messageEvent({
        type: 'pin_added',
        user: caller.id,
        channel_id: channel.id,
        item: { type: 'message', channel: channel.id, message: api.messageObject(message) },
        event_ts: ws.nextTs(),
      });
      return {};
    },

    'pins.remove': (p, caller) => {
      const channel = api.channel(p, caller);
      const ts = p.str('timestamp');
      if (!ts) throw new SlackApiError('no_item_specified');
      if (!channel.pins.some((pin) => pin.ts === ts)) throw new SlackApiError('no_pin');
      channel.pins = channel.pins.filter((pin) => pin.ts !== ts);
      ws.changed({ kind: 'channel', channel: channel.id });
      return {};
    },

    'pins.list': (p, caller) => {
      const channel = api.channel(p, caller);
      return {
        items: [...channel.pins].reverse().map((pin) => {
          const message = ws.message(channel.id, pin.ts)!;
          return {
            type: 'message',
            created: pin.created,
            created_by: pin.created_by,
            channel: channel.id,
            message: { ...api.messageObject(message), permalink: api.permalink(channel.id, pin.ts) },
          };
        }),
      };
    },

    'bookmarks.add': (p, caller) => {
      const channel = api.channel(p, caller, 'channel_id');
      api.requireMember(channel, caller);
      const title = p.str('title');
      if (!title)
        throw new SlackApiError('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] missing required field: title'] },
        });
      const type = p.str('type');
      if (type !== 'link') throw new SlackApiError('invalid_bookmark_type');
      const link = p.str('link') ?? '';
      if (!/^https?:\/\/\S+$/.test(link)) throw new SlackApiError('invalid_link');
      if (channel.bookmarks.length >= 100) throw new SlackApiError('too_many_bookmarks');
      const now = ws.now();
      const bookmark = {
        id: randomId('Bk', 10),
        channel_id: channel.id,
        title,
        link,
        emoji: p.str('emoji') ?? null,
        icon_url: null,
        type: 'link',
        entity_id: null,
        date_created: now,
        date_updated: 0,
        rank: String.fromCharCode(97 + channel.bookmarks.length),
        last_updated_by_user_id: caller.id,
        last_updated_by_team_id: ws.team.id,
        shortcut_id: null,
        app_id: caller.app_id ?? null,
      };
      channel.bookmarks.push(bookmark);
      ws.changed({ kind: 'channel', channel: channel.id });
      return { bookmark };
    },

    'bookmarks.list': (p, caller) => {
      const channel = api.channel(p, caller, 'channel_id');
      return { bookmarks: channel.bookmarks };
    },

    'bookmarks.remove': (p, caller) => {
      const channel = api.channel(p, caller, 'channel_id');
      const id = p.str('bookmark_id');
      const before = channel.bookmarks.length;
      channel.bookmarks = channel.bookmarks.filter((b) => b.id !== id);
      if (channel.bookmarks.length === before) throw new SlackApiError('not_found');
      ws.changed({ kind: 'channel', channel: channel.id });
      return {};
    },
  };
}
