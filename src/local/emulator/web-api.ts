import { randomBytes } from 'node:crypto';
import { LIMITS, blockProblems as validateBlocks, viewProblems as validateView } from './validate/index.js';
import {
  type EmuChannel,
  type EmuFile,
  type EmuMessage,
  type EmuUser,
  type EmuView,
  type Json,
  lowerBound,
  randomId,
  type Workspace,
} from './workspace.js';

/**
 * Slack Web API methods over the emulated workspace: Slack's parameters, response shapes, errors
 * and limits. A method throws SlackApiError for `{ ok: false, error }` answers.
 */

export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
  ) {
    super(code);
  }
}

/** Request parameters as Slack reads them: form strings or JSON values. */
export class Params {
  constructor(readonly raw: Record<string, unknown>) {}

  str(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string'
      ? value
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  }

  bool(name: string): boolean {
    const value = this.raw[name];
    return value === true || value === 'true' || value === '1' || value === 1;
  }

  int(name: string, fallback: number): number {
    const value = this.raw[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    return Number.isFinite(n) ? Math.trunc(n) : Number.NaN;
  }

  /** A JSON-valued argument (blocks, view, files): a JSON string in forms, a value in JSON bodies. */
  json(name: string, errorCode: string): unknown {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      throw new SlackApiError(errorCode);
    }
  }
}

export interface Trigger {
  id: string;
  user: string;
  issuedAt: number;
  exchanged: boolean;
}

export interface WebApiHooks {
  /** Public base URL of the emulator (permalinks, upload URLs, file downloads). */
  baseUrl(): string;
  trigger(id: string): Trigger | undefined;
  /** A message event happened in a channel (posted, changed, deleted, joined...). */
  messageEvent(event: Json): void;
  /** Scopes granted to the app; undefined turns scope checks off. */
  scopes(): readonly string[] | undefined;
}

export type MethodHandler = (params: Params, caller: EmuUser) => Json | Promise<Json>;

const TRIGGER_TTL_MS = 3_000;
const TOPIC_LIMIT = 250;
const MAX_PINS = 100;

/** Bot scopes that let a method run (any one of them), from Slack's method reference. */
const METHOD_SCOPES: Record<string, readonly string[]> = {
  'bookmarks.add': ['bookmarks:write'],
  'bookmarks.list': ['bookmarks:read'],
  'bookmarks.remove': ['bookmarks:write'],
  'chat.delete': ['chat:write'],
  'chat.deleteScheduledMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.postMessage': ['chat:write'],
  'chat.scheduleMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'conversations.archive': ['channels:manage', 'channels:write', 'groups:write'],
  'conversations.create': ['channels:manage', 'channels:write', 'groups:write'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.info': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.invite': ['channels:manage', 'channels:write.invites', 'groups:write', 'channels:write'],
  'conversations.join': ['channels:join'],
  'conversations.list': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.members': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.setPurpose': ['channels:manage', 'channels:write.topic', 'groups:write', 'channels:write'],
  'conversations.setTopic': ['channels:manage', 'channels:write.topic', 'groups:write', 'channels:write'],
  'files.completeUploadExternal': ['files:write'],
  'files.getUploadURLExternal': ['files:write'],
  'files.info': ['files:read'],
  'pins.add': ['pins:write'],
  'pins.list': ['pins:read'],
  'pins.remove': ['pins:write'],
  'reactions.add': ['reactions:write'],
  'reactions.get': ['reactions:read'],
  'reactions.remove': ['reactions:write'],
  'usergroups.list': ['usergroups:read'],
  'usergroups.users.list': ['usergroups:read'],
  'users.info': ['users:read'],
  'users.list': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
};

/** The scopes a method accepts (Slack's X-Accepted-OAuth-Scopes header). */
export function acceptedScopes(method: string): readonly string[] {
  return METHOD_SCOPES[method] ?? [];
}

export function newViewHash(): string {
  return `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
}

function encodeCursor(kind: string, value: string | number): string {
  return Buffer.from(`${kind}:${value}`).toString('base64');
}

function decodeCursor(cursor: string | undefined, kind: string): string | undefined {
  if (!cursor) return undefined;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!decoded.startsWith(`${kind}:`)) throw new SlackApiError('invalid_cursor');
  return decoded.slice(kind.length + 1);
}

function clampLimit(params: Params, fallback: number, max: number): number {
  const limit = params.int('limit', fallback);
  if (Number.isNaN(limit)) throw new SlackApiError('invalid_limit');
  if (limit <= 0) return fallback;
  return Math.min(limit, max);
}

/** Channel names: lower-case letters, digits, `-` and `_`, at most 80 characters. */
export function channelNameError(name: string | undefined): string | undefined {
  if (name === undefined || name.trim() === '') return 'invalid_name_required';
  if (name.length > 80) return 'invalid_name_maxlength';
  if (!/^[a-z0-9_-]+$/.test(name)) return 'invalid_name_specials';
  if (/^[-_]+$/.test(name)) return 'invalid_name_punctuation';
  return undefined;
}

export class WebApi {
  readonly methods: Record<string, MethodHandler>;

  constructor(
    private readonly ws: Workspace,
    private readonly hooks: WebApiHooks,
  ) {
    this.methods = this.table();
  }

  has(method: string): boolean {
    return Object.hasOwn(this.methods, method);
  }

  async call(method: string, params: Params, caller: EmuUser): Promise<Json> {
    const handler = this.methods[method];
    if (!handler) throw new SlackApiError('unknown_method', { req_method: method });
    const scopes = this.hooks.scopes();
    const needed = METHOD_SCOPES[method];
    if (scopes && needed && !needed.some((s) => scopes.includes(s)))
      throw new SlackApiError('missing_scope', { needed: needed[0], provided: scopes.join(',') });
    return { ok: true, ...(await handler(params, caller)) };
  }

  // shapes

  conversation(channel: EmuChannel, viewer: string, withCount = false): Json {
    if (channel.is_im)
      return {
        id: channel.id,
        created: channel.created,
        is_im: true,
        is_org_shared: false,
        user: channel.im_user,
        is_user_deleted: false,
        priority: 0,
      };
    return {
      id: channel.id,
      name: channel.name,
      is_channel: !channel.is_private,
      is_group: channel.is_private,
      is_im: false,
      is_mpim: false,
      is_private: channel.is_private,
      created: channel.created,
      creator: channel.creator,
      is_archived: channel.is_archived,
      is_general: channel.is_general,
      unlinked: 0,
      name_normalized: channel.name,
      is_shared: false,
      is_ext_shared: false,
      is_org_shared: false,
      pending_shared: [],
      is_pending_ext_shared: false,
      is_member: channel.members.includes(viewer),
      topic: channel.topic,
      purpose: channel.purpose,
      previous_names: channel.previous_names,
      updated: channel.created * 1000,
      ...(withCount ? { num_members: channel.members.length } : {}),
    };
  }

  userObject(user: EmuUser): Json {
    const [first, ...rest] = user.real_name.split(' ');
    const scopes = this.hooks.scopes();
    const showEmail = !scopes || scopes.includes('users:read.email');
    return {
      id: user.id,
      team_id: this.ws.team.id,
      name: user.name,
      deleted: user.deleted,
      color: user.color,
      real_name: user.real_name,
      tz: user.tz,
      tz_label: user.tz,
      tz_offset: 0,
      profile: {
        title: user.title ?? '',
        phone: '',
        skype: '',
        real_name: user.real_name,
        real_name_normalized: user.real_name,
        display_name: user.display_name,
        display_name_normalized: user.display_name,
        first_name: first ?? '',
        last_name: rest.join(' '),
        status_text: '',
        status_emoji: '',
        team: this.ws.team.id,
        ...(showEmail && user.email ? { email: user.email } : {}),
        ...(user.bot_id ? { bot_id: user.bot_id, api_app_id: user.app_id, always_active: true } : {}),
      },
      is_admin: user.is_admin,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: user.is_bot,
      is_app_user: false,
      updated: 1_700_000_000,
      is_email_confirmed: !user.is_bot,
    };
  }

  messageObject(message: EmuMessage, options: { withReplyInfo?: boolean } = {}): Json {
    const channel = this.ws.channels.get(message.channel);
    const out: Json = {
      type: 'message',
      ...(message.subtype ? { subtype: message.subtype } : {}),
      ...(message.user ? { user: message.user } : {}),
      ...(message.bot_id ? { bot_id: message.bot_id, app_id: message.app_id } : {}),
      text: message.text,
      ts: message.ts,
      team: this.ws.team.id,
    };
    if (message.bot_id) {
      const bot = message.user ? this.ws.users.get(message.user) : undefined;
      out.bot_profile = {
        id: message.bot_id,
        app_id: message.app_id,
        name: bot?.real_name ?? 'app',
        deleted: false,
        team_id: this.ws.team.id,
      };
    }
    if (message.blocks) out.blocks = message.blocks;
    if (message.attachments) out.attachments = message.attachments;
    if (message.edited) out.edited = message.edited;
    if (message.metadata) out.metadata = message.metadata;
    if (message.topic !== undefined) out.topic = message.topic;
    if (message.purpose !== undefined) out.purpose = message.purpose;
    if (message.inviter) out.inviter = message.inviter;
    if (message.files) out.files = message.files.map((id) => this.fileObject(this.ws.files.get(id)!));
    if (message.reactions?.length)
      out.reactions = message.reactions.map((r) => ({ name: r.name, users: r.users, count: r.users.length }));
    if (channel?.pins.some((p) => p.ts === message.ts)) out.pinned_to = [message.channel];
    if (message.thread_ts) {
      out.thread_ts = message.thread_ts;
      if (message.thread_ts !== message.ts) {
        const parent = this.ws.message(message.channel, message.thread_ts);
        if (parent?.user) out.parent_user_id = parent.user;
      } else if (options.withReplyInfo !== false) {
        const replies = (message.replies ?? []).map((ts) => this.ws.message(message.channel, ts)!);
        const users = [...new Set(replies.map((r) => r.user).filter(Boolean))] as string[];
        out.reply_count = replies.length;
        out.reply_users_count = users.length;
        out.latest_reply = replies[replies.length - 1]?.ts ?? message.ts;
        out.reply_users = users.slice(0, 5);
        out.is_locked = false;
        out.subscribed = false;
      }
    }
    return out;
  }

  fileObject(file: EmuFile): Json {
    const base = this.hooks.baseUrl();
    const type = file.name.includes('.') ? file.name.split('.').pop()!.toLowerCase() : 'binary';
    return {
      id: file.id,
      created: file.created,
      timestamp: file.created,
      name: file.name,
      title: file.title,
      mimetype: file.mimetype,
      filetype: type,
      pretty_type: type.toUpperCase(),
      user: file.user,
      user_team: this.ws.team.id,
      editable: false,
      size: file.length,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: file.channels.length > 0,
      public_url_shared: false,
      display_as_bot: false,
      url_private: `${base}/files/${file.id}/${encodeURIComponent(file.name)}`,
      url_private_download: `${base}/files/${file.id}/${encodeURIComponent(file.name)}?download=1`,
      permalink: `${base}/files/${file.id}/${encodeURIComponent(file.name)}`,
      channels: file.channels,
      groups: [],
      ims: [],
      comments_count: 0,
    };
  }

  viewObject(view: EmuView): Json {
    const v = view.view;
    return {
      id: view.id,
      team_id: view.team_id,
      type: view.type,
      title: v.title,
      ...(v.submit ? { submit: v.submit } : {}),
      ...(v.close ? { close: v.close } : {}),
      blocks: v.blocks ?? [],
      private_metadata: (v.private_metadata as string | undefined) ?? '',
      callback_id: (v.callback_id as string | undefined) ?? '',
      external_id: view.external_id,
      state: { values: view.values },
      hash: view.hash,
      clear_on_close: Boolean(v.clear_on_close),
      notify_on_close: Boolean(v.notify_on_close),
      submit_disabled: Boolean(v.submit_disabled),
      root_view_id: view.root_view_id,
      previous_view_id: view.previous_view_id,
      app_id: this.ws.team.appId,
      app_installed_team_id: this.ws.team.id,
      bot_id: this.botIdOf(view),
    };
  }

  permalink(channel: string, ts: string, threadTs?: string): string {
    const base = `${this.hooks.baseUrl()}/archives/${channel}/p${ts.replace('.', '')}`;
    return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
  }

  private botIdOf(_view: EmuView): string {
    for (const user of this.ws.users.values()) if (user.app_id === this.ws.team.appId) return user.bot_id!;
    return 'B0QUELL';
  }

  // lookups with Slack's errors

  private channel(params: Params, caller: EmuUser, name = 'channel'): EmuChannel {
    const id = params.str(name);
    if (!id) throw new SlackApiError('channel_not_found');
    if (/^[UW]/.test(id)) {
      const user = this.ws.users.get(id);
      if (!user || user.deleted) throw new SlackApiError('channel_not_found');
      return this.ws.imWith(caller.id, id);
    }
    const channel = this.ws.channels.get(id);
    if (!channel) throw new SlackApiError('channel_not_found');
    // a private channel is invisible to non-members
    if ((channel.is_private || channel.is_im) && !channel.members.includes(caller.id))
      throw new SlackApiError('channel_not_found');
    return channel;
  }

  private requireMember(channel: EmuChannel, caller: EmuUser): void {
    if (!channel.members.includes(caller.id)) throw new SlackApiError('not_in_channel');
  }

  private requireOpen(channel: EmuChannel): void {
    if (channel.is_archived) throw new SlackApiError('is_archived');
  }

  private user(id: string | undefined): EmuUser {
    const user = id ? this.ws.users.get(id) : undefined;
    if (!user) throw new SlackApiError('user_not_found');
    return user;
  }

  /** Text/blocks of a message, with Slack's content rules. */
  private content(params: Params, required = true): { text: string; blocks?: Json[]; attachments?: Json[] } {
    const text = params.str('text') ?? '';
    const blocks = params.json('blocks', 'invalid_blocks_format') as Json[] | undefined;
    const attachments = params.json('attachments', 'invalid_attachments') as Json[] | undefined;
    if (blocks !== undefined) {
      const errors = validateBlocks(blocks, 'message');
      if (errors.length)
        throw new SlackApiError('invalid_blocks', { errors, response_metadata: { messages: errors } });
    }
    if (required && !text && !blocks?.length && !attachments?.length) throw new SlackApiError('no_text');
    if (text.length > LIMITS.messageText) throw new SlackApiError('msg_too_long');
    return {
      text,
      ...(blocks?.length ? { blocks } : {}),
      ...(attachments?.length ? { attachments } : {}),
    };
  }

  private canPost(channel: EmuChannel, caller: EmuUser): void {
    this.requireOpen(channel);
    if (channel.members.includes(caller.id)) return;
    const scopes = this.hooks.scopes();
    const publicPosting =
      !channel.is_private && !channel.is_im && (!scopes || scopes.includes('chat:write.public'));
    if (!publicPosting) throw new SlackApiError('not_in_channel');
  }

  private threadParent(channel: EmuChannel, threadTs: string | undefined): string | undefined {
    if (!threadTs) return undefined;
    const parent = this.ws.message(channel.id, threadTs);
    // a reply's ts is not a thread: Slack answers cannot_reply_to_message... or posts to the channel
    if (!parent) throw new SlackApiError('thread_not_found');
    if (parent.thread_ts && parent.thread_ts !== parent.ts)
      throw new SlackApiError('cannot_reply_to_message');
    return parent.ts;
  }

  /** Posts a message as `author` (an app or a person) and emits the `message` event. */
  post(channel: EmuChannel, author: EmuUser, content: Partial<EmuMessage>): EmuMessage {
    const message = this.ws.addMessage({
      ts: this.ws.nextTs(),
      channel: channel.id,
      user: author.id,
      text: content.text ?? '',
      ...(author.bot_id ? { bot_id: author.bot_id, app_id: author.app_id } : {}),
      ...content,
    });
    this.hooks.messageEvent({
      ...this.messageObject(message, { withReplyInfo: false }),
      channel: channel.id,
      event_ts: message.ts,
      channel_type: channelType(channel),
    });
    return message;
  }

  /** A system message (joined, topic set, pinned) as Slack writes them in the channel. */
  systemMessage(channel: EmuChannel, user: string, subtype: string, text: string, extra: Json = {}): void {
    this.post(channel, this.ws.users.get(user)!, {
      subtype,
      text,
      bot_id: undefined,
      app_id: undefined,
      ...extra,
    });
  }

  joinChannel(channel: EmuChannel, user: string, inviter?: string): void {
    if (!this.ws.addMember(channel, user)) return;
    this.systemMessage(channel, user, 'channel_join', `<@${user}> has joined the channel`, {
      ...(inviter ? { inviter } : {}),
    });
    this.hooks.messageEvent({
      type: 'member_joined_channel',
      user,
      channel: channel.id,
      channel_type: channel.is_private ? 'G' : 'C',
      team: this.ws.team.id,
      ...(inviter ? { inviter } : {}),
      event_ts: this.ws.nextTs(),
    });
  }

  editMessage(message: EmuMessage, editor: string, content: Partial<EmuMessage>): void {
    const channel = this.ws.channels.get(message.channel)!;
    const previous = this.messageObject(message, { withReplyInfo: false });
    const editTs = this.ws.nextTs();
    Object.assign(message, content, { edited: { user: editor, ts: editTs } });
    if (!content.blocks) delete message.blocks;
    const event = {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: channel.id,
      channel_type: channelType(channel),
      message: this.messageObject(message, { withReplyInfo: false }),
      previous_message: previous,
      event_ts: editTs,
      ts: editTs,
    };
    this.ws.recordEvent(event);
    this.ws.changed({ kind: 'channel', channel: channel.id });
    this.hooks.messageEvent(event);
  }

  deleteMessage(message: EmuMessage): void {
    const channel = this.ws.channels.get(message.channel)!;
    const previous = this.messageObject(message, { withReplyInfo: false });
    const eventTs = this.ws.nextTs();
    this.ws.removeMessage(message);
    const event = {
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      channel: channel.id,
      channel_type: channelType(channel),
      ts: eventTs,
      deleted_ts: message.ts,
      event_ts: eventTs,
      previous_message: previous,
    };
    this.ws.recordEvent(event);
    this.hooks.messageEvent(event);
  }

  private historyPage(
    messages: readonly EmuMessage[],
    params: Params,
    options: { newestFirst: boolean; max: number; fallback: number },
  ): { page: EmuMessage[]; nextCursor: string | undefined } {
    const limit = clampLimit(params, options.fallback, options.max);
    const inclusive = params.bool('inclusive');
    const oldest = params.str('oldest');
    const latest = params.str('latest');
    if (oldest !== undefined && oldest !== '' && Number.isNaN(Number(oldest)))
      throw new SlackApiError('invalid_ts_oldest');
    if (latest !== undefined && latest !== '' && Number.isNaN(Number(latest)))
      throw new SlackApiError('invalid_ts_latest');
    const cursorTs = decodeCursor(params.str('cursor'), 'next_ts');
    if (cursorTs !== undefined && Number.isNaN(Number(cursorTs))) throw new SlackApiError('invalid_cursor');
    const inRange = (m: EmuMessage) => {
      const t = Number(m.ts);
      if (oldest && Number(oldest) > 0 && (inclusive ? t < Number(oldest) : t <= Number(oldest)))
        return false;
      if (latest && Number(latest) > 0 && (inclusive ? t > Number(latest) : t >= Number(latest)))
        return false;
      return true;
    };
    if (options.newestFirst) {
      // walk back from the newest message (or the cursor) towards the oldest
      let index = cursorTs !== undefined ? lowerBound(messages, cursorTs) : messages.length - 1;
      if (cursorTs !== undefined && messages[index]?.ts !== cursorTs) index -= 1;
      const page: EmuMessage[] = [];
      for (; index >= 0 && page.length < limit; index--) {
        const message = messages[index]!;
        if (inRange(message)) page.push(message);
        else if (oldest && Number(message.ts) <= Number(oldest)) break;
      }
      let next: EmuMessage | undefined;
      for (; index >= 0; index--) {
        if (inRange(messages[index]!)) {
          next = messages[index];
          break;
        }
        if (oldest && Number(messages[index]!.ts) <= Number(oldest)) break;
      }
      return { page, nextCursor: next ? encodeCursor('next_ts', next.ts) : undefined };
    }
    const start = cursorTs !== undefined ? lowerBound(messages, cursorTs) : 0;
    const matching = messages.slice(start).filter(inRange);
    return {
      page: matching.slice(0, limit),
      nextCursor: matching[limit] ? encodeCursor('next_ts', matching[limit]!.ts) : undefined,
    };
  }

  private table(): Record<string, MethodHandler> {
    const ws = this.ws;
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

      // conversations

      'conversations.create': (p, caller) => {
        const name = p.str('name');
        const problem = channelNameError(name);
        if (problem) throw new SlackApiError(problem);
        if ([...ws.channels.values()].some((c) => !c.is_im && c.name === name))
          throw new SlackApiError('name_taken');
        const channel = ws.addChannel({ name: name!, creator: caller.id, is_private: p.bool('is_private') });
        this.hooks.messageEvent({
          type: 'channel_created',
          channel: { id: channel.id, name: channel.name, created: channel.created, creator: caller.id },
          event_ts: ws.nextTs(),
        });
        return { channel: this.conversation(channel, caller.id) };
      },

      'conversations.info': (p, caller) => ({
        channel: this.conversation(this.channel(p, caller), caller.id, p.bool('include_num_members')),
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
          channels: page.map((c) => this.conversation(c, caller.id, true)),
          response_metadata: { next_cursor: next ? encodeCursor('next_id', next.id) : '' },
        };
      },

      'conversations.members': (p, caller) => {
        const channel = this.channel(p, caller);
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
        const channel = this.channel(p, caller);
        this.requireMember(channel, caller);
        const { page, nextCursor } = this.historyPage(ws.timeline(channel.id), p, {
          newestFirst: true,
          max: 999,
          fallback: 100,
        });
        return {
          messages: page.map((m) => this.messageObject(m)),
          has_more: nextCursor !== undefined,
          pin_count: channel.pins.length,
          channel_actions_ts: null,
          channel_actions_count: 0,
          ...(nextCursor ? { response_metadata: { next_cursor: nextCursor } } : {}),
        };
      },

      'conversations.replies': (p, caller) => {
        const channel = this.channel(p, caller);
        this.requireMember(channel, caller);
        const ts = p.str('ts');
        const parent = ts ? ws.message(channel.id, ts) : undefined;
        if (!parent) throw new SlackApiError('thread_not_found');
        const root = parent.thread_ts && parent.thread_ts !== parent.ts ? parent.thread_ts : parent.ts;
        const thread = ws.thread(channel.id, root);
        const { page, nextCursor } = this.historyPage(thread, p, {
          newestFirst: false,
          max: 1000,
          fallback: 1000,
        });
        return {
          messages: page.map((m) => this.messageObject(m)),
          has_more: nextCursor !== undefined,
          ...(nextCursor ? { response_metadata: { next_cursor: nextCursor } } : {}),
        };
      },

      'conversations.setTopic': (p, caller) => {
        const channel = this.channel(p, caller);
        this.requireOpen(channel);
        this.requireMember(channel, caller);
        const topic = p.str('topic') ?? '';
        if (topic.length > TOPIC_LIMIT) throw new SlackApiError('too_long');
        channel.topic = { value: topic, creator: caller.id, last_set: ws.now() };
        this.systemMessage(channel, caller.id, 'channel_topic', `set the channel topic: ${topic}`, { topic });
        return { channel: this.conversation(channel, caller.id) };
      },

      'conversations.setPurpose': (p, caller) => {
        const channel = this.channel(p, caller);
        this.requireOpen(channel);
        this.requireMember(channel, caller);
        const purpose = p.str('purpose') ?? '';
        if (purpose.length > TOPIC_LIMIT) throw new SlackApiError('too_long');
        channel.purpose = { value: purpose, creator: caller.id, last_set: ws.now() };
        this.systemMessage(channel, caller.id, 'channel_purpose', `set the channel description: ${purpose}`, {
          purpose,
        });
        return { channel: this.conversation(channel, caller.id) };
      },

      'conversations.invite': (p, caller) => {
        const channel = this.channel(p, caller);
        this.requireOpen(channel);
        this.requireMember(channel, caller);
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
        for (const id of valid) this.joinChannel(channel, id, caller.id);
        return { channel: this.conversation(channel, caller.id), ...(errors.length ? { errors } : {}) };
      },

      'conversations.join': (p, caller) => {
        const channel = this.channel(p, caller);
        if (channel.is_private || channel.is_im)
          throw new SlackApiError('method_not_supported_for_channel_type');
        this.requireOpen(channel);
        const already = channel.members.includes(caller.id);
        this.joinChannel(channel, caller.id);
        return {
          channel: this.conversation(channel, caller.id),
          ...(already
            ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } }
            : {}),
        };
      },

      'conversations.archive': (p, caller) => {
        const channel = this.channel(p, caller);
        if (channel.is_im) throw new SlackApiError('method_not_supported_for_channel_type');
        if (channel.is_archived) throw new SlackApiError('already_archived');
        if (channel.is_general) throw new SlackApiError('cant_archive_general');
        this.requireMember(channel, caller);
        this.systemMessage(channel, caller.id, 'channel_archive', 'archived the channel');
        channel.is_archived = true;
        ws.changed({ kind: 'workspace' });
        this.hooks.messageEvent({ type: 'channel_archive', channel: channel.id, user: caller.id });
        return {};
      },

      'conversations.unarchive': (p, caller) => {
        const channel = this.channel(p, caller);
        if (!channel.is_archived) throw new SlackApiError('not_archived');
        channel.is_archived = false;
        this.systemMessage(channel, caller.id, 'channel_unarchive', 'un-archived the channel');
        ws.changed({ kind: 'workspace' });
        return {};
      },

      // chat

      'chat.postMessage': (p, caller) => {
        const channel = this.channel(p, caller);
        this.canPost(channel, caller);
        const content = this.content(p);
        const threadTs = this.threadParent(channel, p.str('thread_ts'));
        const metadata = p.json('metadata', 'invalid_metadata_format') as Json | undefined;
        const message = this.post(channel, caller, {
          ...content,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...(metadata ? { metadata } : {}),
        });
        return { channel: channel.id, ts: message.ts, message: this.messageObject(message) };
      },

      'chat.postEphemeral': (p, caller) => {
        const channel = this.channel(p, caller);
        // Slack refuses an ephemeral from an app that is not in the channel with not_in_channel
        // (docs methods/chat.postEphemeral errors; chat:write.public does not lift it, issue 14)
        this.requireOpen(channel);
        this.requireMember(channel, caller);
        const user = p.str('user');
        const target = user ? ws.users.get(user) : undefined;
        if (!target) throw new SlackApiError('user_not_found');
        if (!channel.members.includes(target.id)) throw new SlackApiError('user_not_in_channel');
        const content = this.content(p);
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
        const channel = this.channel(p, caller);
        const ts = p.str('ts');
        const message = ts ? ws.message(channel.id, ts) : undefined;
        if (!message || message.subtype === 'tombstone') throw new SlackApiError('message_not_found');
        if (message.user !== caller.id) throw new SlackApiError('cant_update_message');
        this.requireOpen(channel);
        const content = this.content(p, false);
        if (!content.text && !content.blocks && !message.text && !message.blocks)
          throw new SlackApiError('no_text');
        this.editMessage(message, caller.id, {
          text: content.text || (content.blocks ? '' : message.text),
          ...(content.blocks ? { blocks: content.blocks } : {}),
          ...(content.attachments ? { attachments: content.attachments } : {}),
        });
        return {
          channel: channel.id,
          ts: message.ts,
          text: message.text,
          message: this.messageObject(message, { withReplyInfo: false }),
        };
      },

      'chat.delete': (p, caller) => {
        const channel = this.channel(p, caller);
        const ts = p.str('ts');
        const message = ts ? ws.message(channel.id, ts) : undefined;
        if (!message || message.subtype === 'tombstone') throw new SlackApiError('message_not_found');
        if (message.user !== caller.id) throw new SlackApiError('cant_delete_message');
        this.deleteMessage(message);
        return { channel: channel.id, ts: message.ts };
      },

      'chat.getPermalink': (p, caller) => {
        const channel = this.channel(p, caller);
        const ts = p.str('message_ts');
        const message = ts ? ws.message(channel.id, ts) : undefined;
        if (!message) throw new SlackApiError('message_not_found');
        return { channel: channel.id, permalink: this.permalink(channel.id, message.ts, message.thread_ts) };
      },

      'chat.scheduleMessage': (p, caller) => {
        const channel = this.channel(p, caller);
        this.canPost(channel, caller);
        const postAt = p.int('post_at', Number.NaN);
        if (Number.isNaN(postAt)) throw new SlackApiError('invalid_time');
        const now = ws.now();
        if (postAt <= now) throw new SlackApiError('time_in_past');
        if (postAt > now + 120 * 24 * 3600) throw new SlackApiError('time_too_far');
        const content = this.content(p);
        const threadTs = this.threadParent(channel, p.str('thread_ts'));
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
        const channel = this.channel(p, caller);
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

      // pins and bookmarks

      'pins.add': (p, caller) => {
        const channel = this.channel(p, caller);
        this.requireMember(channel, caller);
        const ts = p.str('timestamp');
        if (!ts) throw new SlackApiError('no_item_specified');
        const message = ws.message(channel.id, ts);
        if (!message) throw new SlackApiError('message_not_found');
        if (channel.pins.some((pin) => pin.ts === ts)) throw new SlackApiError('already_pinned');
        if (channel.pins.length >= MAX_PINS) throw new SlackApiError('too_many_pins');
        channel.pins.push({ ts, created: ws.now(), created_by: caller.id });
        this.systemMessage(
          channel,
          caller.id,
          'pinned_item',
          `<@${caller.id}> pinned a message to this channel.`,
          {
            item_type: 'C',
            item: { ts },
          },
        );
        this.hooks.messageEvent({
          type: 'pin_added',
          user: caller.id,
          channel_id: channel.id,
          item: { type: 'message', channel: channel.id, message: this.messageObject(message) },
          event_ts: ws.nextTs(),
        });
        return {};
      },

      'pins.remove': (p, caller) => {
        const channel = this.channel(p, caller);
        const ts = p.str('timestamp');
        if (!ts) throw new SlackApiError('no_item_specified');
        if (!channel.pins.some((pin) => pin.ts === ts)) throw new SlackApiError('no_pin');
        channel.pins = channel.pins.filter((pin) => pin.ts !== ts);
        ws.changed({ kind: 'channel', channel: channel.id });
        return {};
      },

      'pins.list': (p, caller) => {
        const channel = this.channel(p, caller);
        return {
          items: [...channel.pins].reverse().map((pin) => {
            const message = ws.message(channel.id, pin.ts)!;
            return {
              type: 'message',
              created: pin.created,
              created_by: pin.created_by,
              channel: channel.id,
              message: { ...this.messageObject(message), permalink: this.permalink(channel.id, pin.ts) },
            };
          }),
        };
      },

      'bookmarks.add': (p, caller) => {
        const channel = this.channel(p, caller, 'channel_id');
        this.requireMember(channel, caller);
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
        const channel = this.channel(p, caller, 'channel_id');
        return { bookmarks: channel.bookmarks };
      },

      'bookmarks.remove': (p, caller) => {
        const channel = this.channel(p, caller, 'channel_id');
        const id = p.str('bookmark_id');
        const before = channel.bookmarks.length;
        channel.bookmarks = channel.bookmarks.filter((b) => b.id !== id);
        if (channel.bookmarks.length === before) throw new SlackApiError('not_found');
        ws.changed({ kind: 'channel', channel: channel.id });
        return {};
      },

      // reactions

      'reactions.add': (p, caller) => {
        const channel = this.channel(p, caller);
        const message = ws.message(channel.id, p.str('timestamp') ?? '');
        if (!message) throw new SlackApiError('message_not_found');
        const name = (p.str('name') ?? '').replace(/:/g, '');
        if (!name) throw new SlackApiError('invalid_name');
        this.react(message, caller.id, name, true);
        return {};
      },

      'reactions.remove': (p, caller) => {
        const channel = this.channel(p, caller);
        const message = ws.message(channel.id, p.str('timestamp') ?? '');
        if (!message) throw new SlackApiError('message_not_found');
        this.react(message, caller.id, (p.str('name') ?? '').replace(/:/g, ''), false);
        return {};
      },

      'reactions.get': (p, caller) => {
        const channel = this.channel(p, caller);
        const message = ws.message(channel.id, p.str('timestamp') ?? '');
        if (!message) throw new SlackApiError('message_not_found');
        return { type: 'message', channel: channel.id, message: this.messageObject(message) };
      },

      // users and groups

      'users.info': (p) => ({ user: this.userObject(this.user(p.str('user'))) }),

      'users.list': (p) => {
        const limit = clampLimit(p, 100, 1000);
        const offset = Number(decodeCursor(p.str('cursor'), 'offset') ?? 0);
        if (Number.isNaN(offset)) throw new SlackApiError('invalid_cursor');
        const all = [...ws.users.values()];
        return {
          members: all.slice(offset, offset + limit).map((u) => this.userObject(u)),
          cache_ts: ws.now(),
          response_metadata: {
            next_cursor: offset + limit < all.length ? encodeCursor('offset', offset + limit) : '',
          },
        };
      },

      'users.lookupByEmail': (p) => {
        const email = (p.str('email') ?? '').toLowerCase();
        const user = [...ws.users.values()].find((u) => u.email?.toLowerCase() === email && !u.deleted);
        if (!user) throw new SlackApiError('users_not_found');
        return { user: this.userObject(user) };
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

      // views

      'views.open': (p) => {
        // an invalid view leaves the trigger unused
        const view = this.parseView(p, 'modal');
        const trigger = this.exchangeTrigger(p);
        const opened = this.createView(trigger.user, 'modal', view, null);
        ws.modalStacks.set(trigger.user, [opened.id]);
        ws.changed({ kind: 'views', user: trigger.user });
        return { view: this.viewObject(opened) };
      },

      'views.push': (p) => {
        const view = this.parseView(p, 'modal');
        const trigger = this.exchangeTrigger(p);
        const stack = ws.modalStacks.get(trigger.user) ?? [];
        if (stack.length === 0) throw new SlackApiError('not_found');
        if (stack.length >= 3) throw new SlackApiError('push_limit_reached');
        const pushed = this.createView(trigger.user, 'modal', view, stack[stack.length - 1]!);
        pushed.root_view_id = stack[0]!;
        stack.push(pushed.id);
        ws.changed({ kind: 'views', user: trigger.user });
        return { view: this.viewObject(pushed) };
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
        if (!existing || !this.isLive(existing)) throw new SlackApiError('not_found');
        const hash = p.str('hash');
        if (hash && hash !== existing.hash) throw new SlackApiError('hash_conflict');
        const view = this.parseView(p, existing.type);
        this.replaceView(existing, view);
        return { view: this.viewObject(existing) };
      },

      'views.publish': (p) => {
        const user = this.user(p.str('user_id'));
        const view = this.parseView(p, 'home');
        const currentId = ws.homes.get(user.id);
        const current = currentId ? ws.views.get(currentId) : undefined;
        const hash = p.str('hash');
        if (current && hash && hash !== current.hash) throw new SlackApiError('hash_conflict');
        if (current) {
          this.replaceView(current, view);
          return { view: this.viewObject(current) };
        }
        const home = this.createView(user.id, 'home', view, null);
        ws.homes.set(user.id, home.id);
        ws.changed({ kind: 'views', user: user.id });
        return { view: this.viewObject(home) };
      },

      // files (upload v2)

      'files.getUploadURLExternal': (p, caller) => {
        const filename = p.str('filename');
        const length = p.int('length', 0);
        if (!filename || !length || Number.isNaN(length) || length < 1)
          throw new SlackApiError('missing_argument');
        const file: EmuFile = {
          id: randomId('F'),
          name: filename,
          title: filename,
          length,
          user: caller.id,
          created: ws.now(),
          mimetype: mimeType(filename),
          uploaded: false,
          completed: false,
          channels: [],
        };
        ws.files.set(file.id, file);
        return { upload_url: `${this.hooks.baseUrl()}/upload/v1/${file.id}`, file_id: file.id };
      },

      'files.completeUploadExternal': (p, caller) => {
        const entries = p.json('files', 'invalid_arguments');
        if (!Array.isArray(entries) || entries.length === 0)
          throw new SlackApiError('invalid_arguments', {
            response_metadata: { messages: ['[ERROR] missing required field: files'] },
          });
        const files = entries.map((entry) => {
          const file = ws.files.get(String((entry as Json).id));
          if (!file?.uploaded || file.user !== caller.id) throw new SlackApiError('file_not_found');
          if ((entry as Json).title) file.title = String((entry as Json).title);
          return file;
        });
        const channelId = p.str('channel_id') ?? p.str('channels')?.split(',')[0];
        if (channelId) {
          const channel = this.channel(new Params({ channel: channelId }), caller);
          this.requireOpen(channel);
          this.requireMember(channel, caller);
          const blocks = p.json('blocks', 'invalid_blocks') as Json[] | undefined;
          const errors = blocks ? validateBlocks(blocks, 'message') : [];
          if (errors.length)
            throw new SlackApiError('invalid_blocks', { response_metadata: { messages: errors } });
          const threadTs = this.threadParent(channel, p.str('thread_ts'));
          for (const file of files) file.channels.push(channel.id);
          this.post(channel, caller, {
            text: p.str('initial_comment') ?? '',
            files: files.map((f) => f.id),
            ...(blocks ? { blocks } : {}),
            ...(threadTs ? { thread_ts: threadTs } : {}),
          });
        }
        for (const file of files) file.completed = true;
        return { files: files.map((f) => ({ ...this.fileObject(f), id: f.id, title: f.title })) };
      },

      'files.info': (p) => {
        const file = ws.files.get(p.str('file') ?? '');
        if (!file?.completed) throw new SlackApiError('file_not_found');
        return { file: this.fileObject(file), comments: [], response_metadata: { next_cursor: '' } };
      },
    };
  }

  react(message: EmuMessage, user: string, name: string, add: boolean): void {
    message.reactions ??= [];
    const existing = message.reactions.find((r) => r.name === name);
    if (add) {
      if (existing?.users.includes(user)) throw new SlackApiError('already_reacted');
      if (existing) existing.users.push(user);
      else message.reactions.push({ name, users: [user] });
    } else {
      if (!existing?.users.includes(user)) throw new SlackApiError('no_reaction');
      existing.users = existing.users.filter((u) => u !== user);
      if (existing.users.length === 0) message.reactions = message.reactions.filter((r) => r !== existing);
    }
    const channel = this.ws.channels.get(message.channel)!;
    this.hooks.messageEvent({
      type: add ? 'reaction_added' : 'reaction_removed',
      user,
      reaction: name,
      item_user: message.user,
      item: { type: 'message', channel: channel.id, ts: message.ts },
      event_ts: this.ws.nextTs(),
    });
    this.ws.changed({ kind: 'channel', channel: message.channel });
  }

  private exchangeTrigger(p: Params): Trigger {
    const id = p.str('trigger_id') ?? p.str('interactivity_pointer');
    if (!id || !/^\d+\.\d+\.[0-9a-f]+$/.test(id)) throw new SlackApiError('invalid_trigger_id');
    const trigger = this.hooks.trigger(id);
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    if (trigger.exchanged) throw new SlackApiError('exchanged_trigger_id');
    if (Date.now() - trigger.issuedAt > TRIGGER_TTL_MS) throw new SlackApiError('expired_trigger_id');
    trigger.exchanged = true;
    return trigger;
  }

  private parseView(p: Params, expected: 'modal' | 'home'): Json {
    const view = p.json('view', 'invalid_arguments');
    if (view === undefined)
      throw new SlackApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: view'] },
      });
    const errors = validateView(view, expected);
    if (errors.length)
      throw new SlackApiError('invalid_arguments', { response_metadata: { messages: errors } });
    const json = view as Json;
    if (JSON.stringify(json).length > 250_000) throw new SlackApiError('view_too_large');
    const externalId = json.external_id as string | undefined;
    if (externalId && [...this.ws.views.values()].some((v) => v.external_id === externalId && this.isLive(v)))
      throw new SlackApiError('duplicate_external_id');
    return json;
  }

  private createView(user: string, type: 'modal' | 'home', view: Json, previous: string | null): EmuView {
    const id = randomId('V');
    const created: EmuView = {
      id,
      team_id: this.ws.team.id,
      user,
      type,
      view,
      values: initialValues(view),
      hash: newViewHash(),
      root_view_id: id,
      previous_view_id: previous,
      external_id: (view.external_id as string | undefined) ?? '',
    };
    this.ws.views.set(id, created);
    return created;
  }

  replaceView(existing: EmuView, view: Json): void {
    existing.view = view;
    existing.values = initialValues(view, existing.values);
    existing.errors = undefined;
    existing.hash = newViewHash();
    if (view.external_id) existing.external_id = String(view.external_id);
    this.ws.changed({ kind: 'views', user: existing.user });
  }

  isLive(view: EmuView): boolean {
    if (view.type === 'home') return this.ws.homes.get(view.user) === view.id;
    return (this.ws.modalStacks.get(view.user) ?? []).includes(view.id);
  }
}

export function channelType(channel: EmuChannel): string {
  if (channel.is_im) return 'im';
  return channel.is_private ? 'group' : 'channel';
}

/** Input values a view starts with: each input's initial value, as Slack reports it in `state`. */
export function initialValues(
  view: Json,
  previous: Record<string, Record<string, Json>> = {},
): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  const blocks = (view.blocks as Json[] | undefined) ?? [];
  blocks.forEach((block, index) => {
    const elements: Json[] =
      block.type === 'input' && block.element
        ? [block.element as Json]
        : block.type === 'actions'
          ? ((block.elements as Json[] | undefined) ?? [])
          : block.type === 'section' && block.accessory
            ? [block.accessory as Json]
            : [];
    const blockId = (block.block_id as string | undefined) ?? `block_${index}`;
    for (const element of elements) {
      const actionId = element.action_id as string | undefined;
      if (!actionId) continue;
      const state = initialState(element);
      if (!state) continue;
      values[blockId] ??= {};
      values[blockId][actionId] = previous[blockId]?.[actionId] ?? state;
    }
  });
  return values;
}

function initialState(element: Json): Json | undefined {
  const type = element.type as string;
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type, value: (element.initial_value as string | undefined) ?? null };
    case 'static_select':
      return { type, selected_option: element.initial_option ?? null };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: element.initial_options ?? [] };
    case 'radio_buttons':
      return { type, selected_option: element.initial_option ?? null };
    case 'users_select':
      return { type, selected_user: element.initial_user ?? null };
    case 'multi_users_select':
      return { type, selected_users: element.initial_users ?? [] };
    case 'conversations_select':
      return { type, selected_conversation: element.initial_conversation ?? null };
    case 'channels_select':
      return { type, selected_channel: element.initial_channel ?? null };
    case 'datepicker':
      return { type, selected_date: element.initial_date ?? null };
    case 'timepicker':
      return { type, selected_time: element.initial_time ?? null };
    default:
      return undefined;
  }
}

function mimeType(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase();
  const types: Record<string, string> = {
    json: 'application/json',
    txt: 'text/plain',
    md: 'text/markdown',
    csv: 'text/csv',
    zip: 'application/zip',
    gz: 'application/gzip',
    tgz: 'application/gzip',
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    html: 'text/html',
  };
  return types[ext ?? ''] ?? 'application/octet-stream';
}
