/** conversations.*: create, info, list, members, history, replies, join, invite, topic, purpose, archive. */
import type { Json } from '../../workspace.js';
import type { WebApi } from '../api.js';
import { clampLimit, decodeCursor, encodeCursor, historyPage } from '../paging.js';
import { type MethodHandler, SlackApiError } from '../params.js';
import { channelNameError, TOPIC_LIMIT } from '../rules.js';

export function conversationsMethods(api: WebApi): Record<string, MethodHandler> {
  const ws = api.ws;
  return {
    'conversations.create': (p, caller) => {
      const name = p.str('name');
      const problem = channelNameError(name);
      if (problem) throw new SlackApiError(problem);
      if ([...ws.channels.values()].some((c) => !c.is_im && c.name === name))
        throw new SlackApiError('name_taken');
      const channel = ws.addChannel({ name: name!, creator: caller.id, is_private: p.bool('is_private') });
      api.hooks.messageEvent({
        type: 'channel_created',
        channel: { id: channel.id, name: channel.name, created: channel.created, creator: caller.id },
        event_ts: ws.nextTs(),
      });
      return { channel: api.conversation(channel, caller.id) };
    },

    'conversations.info': (p, caller) => ({
      channel: api.conversation(api.channel(p, caller), caller.id, p.bool('include_num_members')),
    }),

    'conversations.list': (p, caller) => {
      const types = (p.str('types') ?? 'public_channel').split(',').map((t) => t.trim());
      const valid = ['public_channel', 'private_channel', 'mpim', 'im'];
      if (types.some((t) => !valid.includes(t))) throw new SlackApiError('invalid_types');
      const limit = clampLimit(p, 100, 1000);
      const after = decodeCursor(p.str('cursor'), 'next_id');
      const visible = [...ws.channels.values()]
        .filter((c) => {
          if (p.bool('exclude_archived') && c.is_archived) return false;
          if (c.is_im) return types.includes('im') && c.members.includes(caller.id);
          if (c.is_private) return types.includes('private_channel') && c.members.includes(caller.id);
          return types.includes('public_channel');
        })
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      const start = after ? visible.findIndex((c) => c.id >= after) : 0;
      const page = start < 0 ? [] : visible.slice(start, start + limit);
      const next = start >= 0 ? visible[start + limit] : undefined;
      return {
        channels: page.map((c) => api.conversation(c, caller.id, true)),
        response_metadata: { next_cursor: next ? encodeCursor('next_id', next.id) : '' },
      };
    },

    'conversations.members': (p, caller) => {
      const channel = api.channel(p, caller);
      const limit = clampLimit(p, 100, 1000);
      const offset = Number(decodeCursor(p.str('cursor'), 'offset') ?? 0);
      if (Number.isNaN(offset)) throw new SlackApiError('invalid_cursor');
      const members = channel.members.slice(offset, offset + limit);
      const more = offset + limit < channel.members.length;
      return {
        members,
        response_metadata: { next_cursor: more ? encodeCursor('offset', offset + limit) : '' },
      };
    },

    'conversations.history': (p, caller) => {
      const channel = api.channel(p, caller);
      api.requireMember(channel, caller);
      const { page, nextCursor } = historyPage(ws.timeline(channel.id), p, {
        newestFirst: true,
        max: 999,
        fallback: 100,
      });
      return {
        messages: page.map((m) => api.messageObject(m)),
        has_more: nextCursor !== undefined,
        pin_count: channel.pins.length,
        channel_actions_ts: null,
        channel_actions_count: 0,
        ...(nextCursor ? { response_metadata: { next_cursor: nextCursor } } : {}),
      };
    },

    'conversations.replies': (p, caller) => {
      const channel = api.channel(p, caller);
      api.requireMember(channel, caller);
      const ts = p.str('ts');
      const parent = ts ? ws.message(channel.id, ts) : undefined;
      if (!parent) throw new SlackApiError('thread_not_found');
      const root = parent.thread_ts && parent.thread_ts !== parent.ts ? parent.thread_ts : parent.ts;
      const thread = ws.thread(channel.id, root);
      const { page, nextCursor } = historyPage(thread, p, {
        newestFirst: false,
        max: 1000,
        fallback: 1000,
      });
      return {
        messages: page.map((m) => api.messageObject(m)),
        has_more: nextCursor !== undefined,
        ...(nextCursor ? { response_metadata: { next_cursor: nextCursor } } : {}),
      };
    },

    'conversations.setTopic': (p, caller) => {
      const channel = api.channel(p, caller);
      api.requireOpen(channel);
      api.requireMember(channel, caller);
      const topic = p.str('topic') ?? '';
      if (topic.length > TOPIC_LIMIT) throw new SlackApiError('too_long');
      channel.topic = { value: topic, creator: caller.id, last_set: ws.now() };
      api.systemMessage(channel, caller.id, 'channel_topic', `set the channel topic: ${topic}`, { topic });
      return { channel: api.conversation(channel, caller.id) };
    },

    'conversations.setPurpose': (p, caller) => {
      const channel = api.channel(p, caller);
      api.requireOpen(channel);
      api.requireMember(channel, caller);
      const purpose = p.str('purpose') ?? '';
      if (purpose.length > TOPIC_LIMIT) throw new SlackApiError('too_long');
      channel.purpose = { value: purpose, creator: caller.id, last_set: ws.now() };
      api.systemMessage(channel, caller.id, 'channel_purpose', `set the channel description: ${purpose}`, {
        purpose,
      });
      return { channel: api.conversation(channel, caller.id) };
    },

    'conversations.invite': (p, caller) => {
      const channel = api.channel(p, caller);
      api.requireOpen(channel);
      api.requireMember(channel, caller);
      const ids = (p.str('users') ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      if (ids.length === 0) throw new SlackApiError('no_user');
      if (ids.length > 1000) throw new SlackApiError('too_many_users');
      const errors: Json[] = [];
      const valid: string[] = [];
      for (const id of ids) {
        const user = ws.users.get(id);
        let error: string | undefined;
        if (!user || user.deleted) error = 'user_not_found';
        else if (id === caller.id) error = 'cant_invite_self';
        else if (channel.members.includes(id)) error = 'already_in_channel';
        if (error) errors.push({ user: id, ok: false, error });
        else if (!valid.includes(id)) valid.push(id);
      }
      const force = p.bool('force');
      if (errors.length && (!force || valid.length === 0))
        throw new SlackApiError(String(errors[0]!.error), { errors });
      for (const id of valid) api.joinChannel(channel, id, caller.id);
      return { channel: api.conversation(channel, caller.id), ...(errors.length ? { errors } : {}) };
    },

    'conversations.join': (p, caller) => {
      const channel = api.channel(p, caller);
      if (channel.is_private || channel.is_im)
        throw new SlackApiError('method_not_supported_for_channel_type');
      api.requireOpen(channel);
      const already = channel.members.includes(caller.id);
      api.joinChannel(channel, caller.id);
      return {
        channel: api.conversation(channel, caller.id),
        ...(already
          ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } }
          : {}),
      };
    },

    'conversations.archive': (p, caller) => {
      const channel = api.channel(p, caller);
      if (channel.is_im) throw new SlackApiError('method_not_supported_for_channel_type');
      if (channel.is_archived) throw new SlackApiError('already_archived');
      if (channel.is_general) throw new SlackApiError('cant_archive_general');
      api.requireMember(channel, caller);
      api.systemMessage(channel, caller.id, 'channel_archive', 'archived the channel');
      channel.is_archived = true;
      ws.changed({ kind: 'workspace' });
      api.hooks.messageEvent({ type: 'channel_archive', channel: channel.id, user: caller.id });
      return {};
    },

    'conversations.unarchive': (p, caller) => {
      const channel = api.channel(p, caller);
      if (!channel.is_archived) throw new SlackApiError('not_archived');
      channel.is_archived = false;
      api.systemMessage(channel, caller.id, 'channel_unarchive', 'un-archived the channel');
      ws.changed({ kind: 'workspace' });
      return {};
    },
  };
}
