/**
 * The Slack Web API over the emulated workspace: dispatch with scope checks, Slack's lookups and
 * content rules, and the workspace changes several method families share (posting, editing,
 * joining, reacting, views). The methods themselves live in methods/, one module per family.
 */
import { LIMITS, blockProblems as validateBlocks, viewProblems as validateView } from '../validate/index.js';
import {
  type EmuChannel,
  type EmuMessage,
  type EmuUser,
  type EmuView,
  type Json,
  randomId,
  type Workspace,
} from '../workspace.js';
import { chatMethods } from './methods/chat.js';
import { conversationsMethods } from './methods/conversations.js';
import { filesMethods } from './methods/files.js';
import { pinsAndBookmarksMethods } from './methods/pins-bookmarks.js';
import { reactionsMethods } from './methods/reactions.js';
import { usersMethods } from './methods/users.js';
import { viewsMethods } from './methods/views.js';
import { type MethodHandler, type Params, SlackApiError, type Trigger, type WebApiHooks } from './params.js';
import { conversationFamily, scopesFor } from './scopes.js';
import { channelType, Shapes } from './shapes.js';

export { channelNameError } from './rules.js';

import { initialValues, newViewHash } from './view-state.js';

const TRIGGER_TTL_MS = 3_000;

export class WebApi extends Shapes {
  readonly methods: Record<string, MethodHandler>;

  constructor(ws: Workspace, hooks: WebApiHooks) {
    super(ws, hooks);
    this.methods = {
      ...usersMethods(this),
      ...conversationsMethods(this),
      ...chatMethods(this),
      ...pinsAndBookmarksMethods(this),
      ...reactionsMethods(this),
      ...viewsMethods(this),
      ...filesMethods(this),
    };
  }

  has(method: string): boolean {
    return Object.hasOwn(this.methods, method);
  }

  async call(method: string, params: Params, caller: EmuUser): Promise<Json> {
    const handler = this.methods[method];
    if (!handler) throw new SlackApiError('unknown_method', { req_method: method });
    const scopes = this.hooks.scopes();
    const needed = scopesFor(method, this.familyOf(method, params));
    if (scopes && needed.length && !needed.some((s) => scopes.includes(s)))
      throw new SlackApiError('missing_scope', { needed: needed[0], provided: scopes.join(',') });
    return { ok: true, ...(await handler(params, caller)) };
  }

  /** The kind of conversation a call acts on (public, private, DM), for its scope check. */
  private familyOf(method: string, params: Params) {
    if (method === 'conversations.create') return params.bool('is_private') ? 'groups' : 'channels';
    const id = params.str('channel');
    const channel = id ? this.ws.channels.get(id) : undefined;
    return channel ? conversationFamily(channel) : undefined;
  }

  // lookups with Slack's errors

  channel(params: Params, caller: EmuUser, name = 'channel'): EmuChannel {
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

  requireMember(channel: EmuChannel, caller: EmuUser): void {
    if (!channel.members.includes(caller.id)) throw new SlackApiError('not_in_channel');
  }

  requireOpen(channel: EmuChannel): void {
    if (channel.is_archived) throw new SlackApiError('is_archived');
  }

  user(id: string | undefined): EmuUser {
    const user = id ? this.ws.users.get(id) : undefined;
    if (!user) throw new SlackApiError('user_not_found');
    return user;
  }

  /** Text/blocks of a message, with Slack's content rules. */
  content(params: Params, required = true): { text: string; blocks?: Json[]; attachments?: Json[] } {
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

  canPost(channel: EmuChannel, caller: EmuUser): void {
    this.requireOpen(channel);
    if (channel.members.includes(caller.id)) return;
    const scopes = this.hooks.scopes();
    const publicPosting =
      !channel.is_private && !channel.is_im && (!scopes || scopes.includes('chat:write.public'));
    if (!publicPosting) throw new SlackApiError('not_in_channel');
  }

  threadParent(channel: EmuChannel, threadTs: string | undefined): string | undefined {
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

  exchangeTrigger(p: Params): Trigger {
    const id = p.str('trigger_id') ?? p.str('interactivity_pointer');
    if (!id || !/^\d+\.\d+\.[0-9a-f]+$/.test(id)) throw new SlackApiError('invalid_trigger_id');
    const trigger = this.hooks.trigger(id);
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    if (trigger.exchanged) throw new SlackApiError('exchanged_trigger_id');
    if (Date.now() - trigger.issuedAt > TRIGGER_TTL_MS) throw new SlackApiError('expired_trigger_id');
    trigger.exchanged = true;
    return trigger;
  }

  parseView(p: Params, expected: 'modal' | 'home'): Json {
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

  createView(user: string, type: 'modal' | 'home', view: Json, previous: string | null): EmuView {
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
