import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The emulated workspace's state: users, channels, messages (with threads), pins, bookmarks,
 * ephemeral messages, views, files, scheduled messages, and the log of message events (edits,
 * deletions). Pure state and invariants; Slack's request/response rules live in web-api.ts.
 */

export type Json = Record<string, unknown>;

export interface EmuUser {
  id: string;
  name: string;
  real_name: string;
  display_name: string;
  title?: string;
  email?: string;
  is_bot: boolean;
  bot_id?: string;
  app_id?: string;
  deleted: boolean;
  is_admin: boolean;
  tz: string;
  color: string;
}

export interface TopicValue {
  value: string;
  creator: string;
  last_set: number;
}

export interface EmuChannel {
  id: string;
  name: string;
  created: number;
  creator: string;
  is_private: boolean;
  is_im: boolean;
  /** For an IM: the person the bot talks to. */
  im_user?: string;
  is_archived: boolean;
  is_general: boolean;
  topic: TopicValue;
  purpose: TopicValue;
  members: string[];
  previous_names: string[];
  pins: { ts: string; created: number; created_by: string }[];
  bookmarks: Json[];
}

export interface EmuMessage {
  type: 'message';
  ts: string;
  channel: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  subtype?: string;
  text: string;
  blocks?: Json[];
  attachments?: Json[];
  thread_ts?: string;
  /** Ts of the replies, for a thread parent. */
  replies?: string[];
  edited?: { user: string; ts: string };
  files?: string[];
  reactions?: { name: string; users: string[] }[];
  metadata?: Json;
  /** System messages: the new topic or purpose, who invited a joining member. */
  topic?: string;
  purpose?: string;
  inviter?: string;
}

export interface EmuEphemeral {
  id: string;
  channel: string;
  user: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: Json[];
  /** Who speaks: the app, or Slack itself (unknown commands, dispatch failures). */
  from: 'app' | 'slackbot';
  responseUrl?: string;
}

export interface EmuView {
  id: string;
  team_id: string;
  user: string;
  type: 'modal' | 'home';
  view: Json;
  values: Record<string, Record<string, Json>>;
  errors?: Record<string, string>;
  hash: string;
  root_view_id: string;
  previous_view_id: string | null;
  external_id: string;
}

export interface EmuFile {
  id: string;
  name: string;
  title: string;
  length: number;
  user: string;
  created: number;
  mimetype: string;
  content?: Buffer;
  uploaded: boolean;
  completed: boolean;
  channels: string[];
}

export interface EmuScheduled {
  id: string;
  channel: string;
  post_at: number;
  date_created: number;
  text: string;
  blocks?: Json[];
  thread_ts?: string;
  user: string;
}

export interface EmuUsergroup {
  id: string;
  handle: string;
  name: string;
  description: string;
  users: string[];
}

export interface WorkspaceEvent {
  id: string;
  at: string;
  event: Json;
}

/** What changed, so the page and waiters know what to look at again. */
export type Change =
  | { kind: 'workspace' }
  | { kind: 'channel'; channel: string }
  | { kind: 'ephemeral'; user: string; channel: string }
  | { kind: 'views'; user: string };

export interface TeamInfo {
  id: string;
  name: string;
  domain: string;
  appId: string;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A Slack-looking id: prefix + random upper-case letters and digits. */
export function randomId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ID_CHARS[byte % ID_CHARS.length];
  return id;
}

export function tsToDate(ts: string): Date {
  return new Date(Math.round(Number(ts) * 1000));
}

interface PersistedState {
  version: 1;
  users: EmuUser[];
  channels: EmuChannel[];
  usergroups: EmuUsergroup[];
  messages: EmuMessage[];
  files: (Omit<EmuFile, 'content'> & { content?: string })[];
  scheduled: EmuScheduled[];
  events: WorkspaceEvent[];
}

export class Workspace extends EventEmitter {
  readonly users = new Map<string, EmuUser>();
  readonly channels = new Map<string, EmuChannel>();
  readonly usergroups = new Map<string, EmuUsergroup>();
  /** Top-level messages of each channel, oldest first. */
  private readonly timelines = new Map<string, EmuMessage[]>();
  private readonly byKey = new Map<string, EmuMessage>();
  readonly ephemerals: EmuEphemeral[] = [];
  readonly views = new Map<string, EmuView>();
  readonly modalStacks = new Map<string, string[]>();
  readonly homes = new Map<string, string>();
  readonly files = new Map<string, EmuFile>();
  readonly scheduled = new Map<string, EmuScheduled>();
  /** Message events (edits, deletions, ...) in the order they happened: evidence never disappears. */
  readonly events: WorkspaceEvent[] = [];
  private lastMicros = 0;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly team: TeamInfo,
    private readonly persistPath?: string,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** A unique, increasing message timestamp (`seconds.micros`), as Slack hands them out. */
  nextTs(at: Date = new Date()): string {
    const micros = Math.max(at.getTime() * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  now(): number {
    return Math.floor(Date.now() / 1000);
  }

  changed(change: Change): void {
    this.emit('change', change);
    this.scheduleSave();
  }

  // users and groups

  addUser(user: Partial<EmuUser> & { id: string; name: string }): EmuUser {
    const full: EmuUser = {
      real_name: user.name,
      display_name: user.name,
      is_bot: false,
      deleted: false,
      is_admin: false,
      tz: 'Europe/London',
      color: '4a6fa5',
      ...user,
    };
    this.users.set(full.id, full);
    this.changed({ kind: 'workspace' });
    return full;
  }

  addUsergroup(group: EmuUsergroup): void {
    this.usergroups.set(group.id, group);
    this.changed({ kind: 'workspace' });
  }

  // channels

  addChannel(channel: Partial<EmuChannel> & { name: string; creator: string }): EmuChannel {
    const created = channel.created ?? this.now();
    const full: EmuChannel = {
      id: channel.id ?? randomId('C'),
      created,
      is_private: false,
      is_im: false,
      is_archived: false,
      is_general: false,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      members: [channel.creator],
      previous_names: [],
      pins: [],
      bookmarks: [],
      ...channel,
    };
    this.channels.set(full.id, full);
    this.timelines.set(full.id, []);
    this.changed({ kind: 'workspace' });
    return full;
  }

  channelByName(name: string): EmuChannel | undefined {
    const wanted = name.replace(/^#/, '');
    for (const channel of this.channels.values())
      if (channel.name === wanted && !channel.is_im) return channel;
    return undefined;
  }

  /** The bot's direct-message channel with a person, opened on first use. */
  imWith(botUser: string, user: string): EmuChannel {
    for (const channel of this.channels.values())
      if (channel.is_im && channel.im_user === user) return channel;
    return this.addChannel({
      id: randomId('D'),
      name: user,
      creator: botUser,
      is_im: true,
      im_user: user,
      members: [botUser, user],
    });
  }

  addMember(channel: EmuChannel, user: string): boolean {
    if (channel.members.includes(user)) return false;
    channel.members.push(user);
    this.changed({ kind: 'workspace' });
    return true;
  }

  // messages

  message(channel: string, ts: string): EmuMessage | undefined {
    return this.byKey.get(`${channel}/${ts}`);
  }

  /** Top-level messages of a channel, oldest first (a live array: do not modify). */
  timeline(channel: string): readonly EmuMessage[] {
    return this.timelines.get(channel) ?? [];
  }

  /** A thread: the parent then its replies, oldest first. */
  thread(channel: string, ts: string): EmuMessage[] {
    const parent = this.message(channel, ts);
    if (!parent) return [];
    const replies = (parent.replies ?? []).map((r) => this.message(channel, r)).filter(Boolean);
    return [parent, ...(replies as EmuMessage[])];
  }

  /** Stores a message; a reply joins its parent's thread. Ts must be unique in the channel. */
  addMessage(message: Omit<EmuMessage, 'type'>, options: { quiet?: boolean } = {}): EmuMessage {
    const full: EmuMessage = { type: 'message', ...message };
    this.byKey.set(`${full.channel}/${full.ts}`, full);
    if (full.thread_ts && full.thread_ts !== full.ts) {
      const parent = this.message(full.channel, full.thread_ts)!;
      parent.thread_ts = parent.ts;
      parent.replies = insertSorted(parent.replies ?? [], full.ts);
    } else {
      const list = this.timelines.get(full.channel)!;
      if (list.length === 0 || list[list.length - 1]!.ts < full.ts) list.push(full);
      else list.splice(sortedIndex(list, full.ts), 0, full);
    }
    if (!options.quiet) this.changed({ kind: 'channel', channel: full.channel });
    return full;
  }

  /** Removes a message. A parent with replies leaves a tombstone, as Slack does. */
  removeMessage(message: EmuMessage): void {
    const channel = this.channels.get(message.channel)!;
    channel.pins = channel.pins.filter((p) => p.ts !== message.ts);
    if (message.thread_ts && message.thread_ts !== message.ts) {
      const parent = this.message(message.channel, message.thread_ts);
      if (parent) parent.replies = (parent.replies ?? []).filter((r) => r !== message.ts);
      this.byKey.delete(`${message.channel}/${message.ts}`);
      if (parent?.subtype === 'tombstone' && parent.replies?.length === 0) this.removeMessage(parent);
    } else if (message.replies?.length) {
      Object.assign(message, {
        subtype: 'tombstone',
        text: 'This message was deleted.',
        user: 'USLACKBOT',
        blocks: undefined,
        attachments: undefined,
        files: undefined,
        bot_id: undefined,
        app_id: undefined,
        reactions: undefined,
      });
    } else {
      const list = this.timelines.get(message.channel)!;
      const index = list.indexOf(message);
      if (index >= 0) list.splice(index, 1);
      this.byKey.delete(`${message.channel}/${message.ts}`);
    }
    this.changed({ kind: 'channel', channel: message.channel });
  }

  recordEvent(event: Json): WorkspaceEvent {
    const entry = { id: randomId('Ev'), at: new Date().toISOString(), event };
    this.events.push(entry);
    this.scheduleSave();
    return entry;
  }

  // ephemeral messages (never persisted: Slack forgets them on reload too)

  addEphemeral(ephemeral: Omit<EmuEphemeral, 'id' | 'ts'> & { ts?: string }): EmuEphemeral {
    const full: EmuEphemeral = { id: randomId('E', 12), ts: ephemeral.ts ?? this.nextTs(), ...ephemeral };
    this.ephemerals.push(full);
    this.emit('change', { kind: 'ephemeral', user: full.user, channel: full.channel } satisfies Change);
    return full;
  }

  removeEphemeral(id: string): void {
    const index = this.ephemerals.findIndex((e) => e.id === id);
    if (index < 0) return;
    const [removed] = this.ephemerals.splice(index, 1);
    this.emit('change', {
      kind: 'ephemeral',
      user: removed!.user,
      channel: removed!.channel,
    } satisfies Change);
  }

  // persistence

  load(): boolean {
    if (!this.persistPath) return false;
    let text: string;
    try {
      text = readFileSync(this.persistPath, 'utf8');
    } catch {
      return false;
    }
    const state = JSON.parse(text) as PersistedState;
    this.users.clear();
    this.channels.clear();
    this.usergroups.clear();
    this.timelines.clear();
    this.byKey.clear();
    for (const user of state.users) this.users.set(user.id, user);
    for (const group of state.usergroups) this.usergroups.set(group.id, group);
    for (const channel of state.channels) {
      this.channels.set(channel.id, channel);
      this.timelines.set(channel.id, []);
    }
    // parents before replies: replies are re-attached to their threads as they load
    const sorted = [...state.messages].sort((a, b) => (a.ts < b.ts ? -1 : 1));
    for (const message of sorted) {
      const { replies: _replies, ...rest } = message;
      this.addMessage(rest, { quiet: true });
    }
    for (const file of state.files)
      this.files.set(file.id, {
        ...file,
        content: file.content === undefined ? undefined : Buffer.from(file.content, 'base64'),
      });
    for (const item of state.scheduled) this.scheduled.set(item.id, item);
    this.events.push(...state.events);
    const last = sorted[sorted.length - 1];
    if (last) this.lastMicros = Math.round(Number(last.ts) * 1e6);
    return true;
  }

  snapshot(): PersistedState {
    const messages: EmuMessage[] = [];
    for (const list of this.timelines.values())
      for (const message of list) {
        messages.push(message);
        for (const reply of message.replies ?? []) messages.push(this.message(message.channel, reply)!);
      }
    return {
      version: 1,
      users: [...this.users.values()],
      channels: [...this.channels.values()],
      usergroups: [...this.usergroups.values()],
      messages,
      files: [...this.files.values()].map((f) => ({ ...f, content: f.content?.toString('base64') })),
      scheduled: [...this.scheduled.values()],
      events: this.events,
    };
  }

  private scheduleSave(): void {
    if (!this.persistPath || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, 250);
    this.saveTimer.unref();
  }

  saveNow(): void {
    if (!this.persistPath) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    mkdirSync(dirname(this.persistPath), { recursive: true });
    const temporary = `${this.persistPath}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.snapshot()));
    renameSync(temporary, this.persistPath);
  }
}

function sortedIndex(list: readonly EmuMessage[], ts: string): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]!.ts < ts) low = mid + 1;
    else high = mid;
  }
  return low;
}

function insertSorted(list: string[], ts: string): string[] {
  if (list.length === 0 || list[list.length - 1]! < ts) return [...list, ts];
  const next = [...list, ts];
  next.sort();
  return next;
}

/** Index of the first message with ts >= `ts` in a sorted timeline. */
export function lowerBound(list: readonly EmuMessage[], ts: string): number {
  return sortedIndex(list, ts);
}
