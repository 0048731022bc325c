/** Slack's response shapes of conversations, users, messages, files and views. */
import type { EmuChannel, EmuFile, EmuMessage, EmuUser, EmuView, Json, Workspace } from '../workspace.js';
import type { WebApiHooks } from './params.js';

export class Shapes {
  constructor(
    readonly ws: Workspace,
    readonly hooks: WebApiHooks,
  ) {}

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

  botIdOf(_view: EmuView): string {
    for (const user of this.ws.users.values()) if (user.app_id === this.ws.team.appId) return user.bot_id!;
    return 'B0QUELL';
  }
}

export function channelType(channel: EmuChannel): string {
  if (channel.is_im) return 'im';
  return channel.is_private ? 'group' : 'channel';
}
