/** chat.*: post, ephemeral, update, delete, permalink, scheduled messages. */

import { type Json, randomId } from '../../workspace.js';
import type { WebApi } from '../api.js';
import { clampLimit, decodeCursor, encodeCursor } from '../paging.js';
import { type MethodHandler, SlackApiError } from '../params.js';

export function chatMethods(api: WebApi): Record<string, MethodHandler> {
  const ws = api.ws;
  return {
    'chat.postMessage': (p, caller) => {
      const channel = api.channel(p, caller);
      api.canPost(channel, caller);
      const content = api.content(p);
      const threadTs = api.threadParent(channel, p.str('thread_ts'));
      const metadata = p.json('metadata', 'invalid_metadata_format') as Json | undefined;
      const message = api.post(channel, caller, {
        ...content,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(metadata ? { metadata } : {}),
      });
      return { channel: channel.id, ts: message.ts, message: api.messageObject(message) };
    },

    'chat.postEphemeral': (p, caller) => {
      const channel = api.channel(p, caller);
      // Slack refuses an ephemeral from an app that is not in the channel with not_in_channel
      // (docs methods/chat.postEphemeral errors; chat:write.public does not lift it, issue 14)
      api.requireOpen(channel);
      api.requireMember(channel, caller);
      const user = p.str('user');
      const target = user ? ws.users.get(user) : undefined;
      if (!target) throw new SlackApiError('user_not_found');
      if (!channel.members.includes(target.id)) throw new SlackApiError('user_not_in_channel');
      const content = api.content(p);
      const threadTs = p.str('thread_ts');
      const ephemeral = ws.addEphemeral({
        channel: channel.id,
        user: target.id,
        from: 'app',
        text: content.text,
        ...(content.blocks ? { blocks: content.blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      return { message_ts: ephemeral.ts };
    },

    'chat.update': (p, caller) => {
      const channel = api.channel(p, caller);
      const ts = p.str('ts');
      const message = ts ? ws.message(channel.id, ts) : undefined;
      if (!message || message.subtype === 'tombstone') throw new SlackApiError('message_not_found');
      if (message.user !== caller.id) throw new SlackApiError('cant_update_message');
      api.requireOpen(channel);
      const content = api.content(p, false);
      if (!content.text && !content.blocks && !message.text && !message.blocks)
        throw new SlackApiError('no_text');
      api.editMessage(message, caller.id, {
        text: content.text || (content.blocks ? '' : message.text),
        ...(content.blocks ? { blocks: content.blocks } : {}),
        ...(content.attachments ? { attachments: content.attachments } : {}),
      });
      return {
        channel: channel.id,
        ts: message.ts,
        text: message.text,
        message: api.messageObject(message, { withReplyInfo: false }),
      };
    },

    'chat.delete': (p, caller) => {
      const channel = api.channel(p, caller);
      const ts = p.str('ts');
      const message = ts ? ws.message(channel.id, ts) : undefined;
      if (!message || message.subtype === 'tombstone') throw new SlackApiError('message_not_found');
      if (message.user !== caller.id) throw new SlackApiError('cant_delete_message');
      api.deleteMessage(message);
      return { channel: channel.id, ts: message.ts };
    },

    'chat.getPermalink': (p, caller) => {
      const channel = api.channel(p, caller);
      const ts = p.str('message_ts');
      const message = ts ? ws.message(channel.id, ts) : undefined;
      if (!message) throw new SlackApiError('message_not_found');
      return { channel: channel.id, permalink: api.permalink(channel.id, message.ts, message.thread_ts) };
    },

    'chat.scheduleMessage': (p, caller) => {
      const channel = api.channel(p, caller);
      api.canPost(channel, caller);
      const postAt = p.int('post_at', Number.NaN);
      if (Number.isNaN(postAt)) throw new SlackApiError('invalid_time');
      const now = ws.now();
      if (postAt <= now) throw new SlackApiError('time_in_past');
      if (postAt > now + 120 * 24 * 3600) throw new SlackApiError('time_too_far');
      const content = api.content(p);
      const threadTs = api.threadParent(channel, p.str('thread_ts'));
      const scheduled = {
        id: randomId('Q'),
        channel: channel.id,
        post_at: postAt,
        date_created: now,
        user: caller.id,
        text: content.text,
        ...(content.blocks ? { blocks: content.blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
      ws.scheduled.set(scheduled.id, scheduled);
      ws.changed({ kind: 'channel', channel: channel.id });
      return {
        channel: channel.id,
        scheduled_message_id: scheduled.id,
        post_at: postAt,
        message: {
          text: content.text,
          ...(content.blocks ? { blocks: content.blocks } : {}),
          bot_id: caller.bot_id,
          type: 'delayed_message',
          subtype: 'bot_message',
          user: caller.id,
        },
      };
    },

    'chat.deleteScheduledMessage': (p, caller) => {
      const channel = api.channel(p, caller);
      const id = p.str('scheduled_message_id');
      const scheduled = id ? ws.scheduled.get(id) : undefined;
      if (!scheduled || scheduled.channel !== channel.id)
        throw new SlackApiError('invalid_scheduled_message_id');
      ws.scheduled.delete(scheduled.id);
      ws.changed({ kind: 'channel', channel: channel.id });
      return {};
    },

    'chat.scheduledMessages.list': (p, caller) => {
      const channelId = p.str('channel');
      if (channelId && !ws.channels.get(channelId)) throw new SlackApiError('invalid_channel');
      const limit = clampLimit(p, 100, 1000);
      const offset = Number(decodeCursor(p.str('cursor'), 'offset') ?? 0);
      if (Number.isNaN(offset)) throw new SlackApiError('invalid_cursor');
      const all = [...ws.scheduled.values()]
        .filter((s) => s.user === caller.id && (!channelId || s.channel === channelId))
        .sort((a, b) => a.post_at - b.post_at);
      const page = all.slice(offset, offset + limit);
      return {
        scheduled_messages: page.map((s) => ({
          id: s.id,
          channel_id: s.channel,
          post_at: s.post_at,
          date_created: s.date_created,
          text: s.text,
        })),
        response_metadata: {
          next_cursor: offset + limit < all.length ? encodeCursor('offset', offset + limit) : '',
        },
      };
    },
  };
}
