/**
 * SlackEmulator: a faithful local Slack for Quell (the Web API, deliveries to the app, a browser page).
 *
 * Programmatic API, for tests and benchmarks (see also src/local/harness.ts, which adds Quell):
 *
 *   const slack = await SlackEmulator.start({ requestUrl: 'http://127.0.0.1:3000/slack/events' });
 *   slack.apiUrl / slack.botToken / slack.signingSecret   → hand these to Quell (SLACK_API_URL, ...)
 *   slack.setRequestUrl(url)                              → where deliveries go (Quell's /slack/events)
 *
 *   Acting as a person (delivered signed, exactly as Slack does; the ack body is honoured):
 *   await slack.sendCommand({ user, channel, text, command? })   → { status, body, json, error? }
 *   await slack.postAsUser({ user, channel, text, threadTs? })   → the message (emits `message` events)
 *   await slack.editAsUser / deleteAsUser({ user, channel, ts }) → message_changed / message_deleted
 *   await slack.clickAction({ user, container, actionId, blockId?, value?/selected... })
 *   await slack.submitView({ user, values? })  /  closeView({ user })
 *   await slack.messageShortcut({ user, channel, ts, callbackId }) / globalShortcut({ user, callbackId })
 *   await slack.openHome(user)                                    → app_home_opened
 *   await slack.deliverEvent(event, { retryNum? })                → any Events API event_callback
 *
 *   Reading state: channel(idOrName), channels(), messages(channel) (Slack message objects, oldest
 *   first), thread(channel, ts), pins(channel), ephemerals({ user?, channel? }), modal(user),
 *   home(user), events (message_changed / message_deleted log), workspace (raw state).
 *   Seeding in bulk: addUser, addChannel, seedMessages(channel, [...]) (no events, one change).
 *   Waiting: await slack.waitFor(() => predicate-or-value, timeoutMs) re-checks on every change.
 *
 *   Faults and figures: rateLimit(method, { times, retryAfter }) → HTTP 429 + Retry-After +
 *   { ok:false, error:'ratelimited' }; failNext(method, error, { times }); clearFaults();
 *   calls (every Web API call), callCount(method), callCounts(), resetCalls().
 *   runDueScheduled(at?) posts scheduled messages now instead of waiting for their timers.
 *
 * HTTP: /api/<method> (Web API), /upload/v1/<file> (upload URLs), /response/<id> (response_url),
 * /files/<id>/<name>, /_control/* (faults and figures for other processes), / (the page).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { LOCAL_SEED, type SeedMessage, type WorkspaceSeed } from '../seed.js';
import { type DeliveryResult, deliver } from './delivery.js';
import { type AppManifest, loadManifest } from './manifest.js';
import { blockProblems as validateBlocks, viewProblems as validateView } from './validate/index.js';
import { acceptedScopes, channelType, Params, SlackApiError, type Trigger, WebApi } from './web-api/index.js';
import {
  type Change,
  type EmuChannel,
  type EmuEphemeral,
  type EmuMessage,
  type EmuUser,
  type EmuView,
  type Json,
  randomId,
  Workspace,
} from './workspace.js';

export interface SlackEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  botToken?: string;
  signingSecret?: string;
  /** The workspace to start with (default: the local seed); false for an empty one. */
  seed?: WorkspaceSeed | false;
  /** Keep state in this JSON file across restarts (loaded at start when it exists). */
  persistPath?: string;
  /** The app as installed (commands, shortcuts, events, scopes); default: manifest.yml. */
  manifest?: AppManifest;
  /** Quell's request URL (…/slack/events); can be set later with setRequestUrl. */
  requestUrl?: string;
  /** Refuse methods whose scope the manifest does not grant (missing_scope), as Slack does. */
  enforceScopes?: boolean;
  /** How long the app has to acknowledge (Slack: 3 s). */
  ackTimeoutMs?: number;
  logger?: Logger;
}

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
  status: number;
  ok: boolean;
  error?: string;
}

type Fault = { kind: 'ratelimit'; retryAfter: number } | { kind: 'fail'; error: string; status: number };

/** Where an interaction happened. */
export type Container =
  | { type: 'message'; channel: string; ts: string }
  | { type: 'ephemeral'; id: string }
  | { type: 'view'; viewId: string };

export interface ActionInput {
  user: string;
  container: Container;
  actionId: string;
  blockId?: string;
  /** For selects, overflow, radio: the chosen option's value. */
  selectedValue?: string;
  /** For checkboxes and multi selects. */
  selectedValues?: string[];
  selectedDate?: string;
  selectedUser?: string;
  /** For dispatch_action text inputs. */
  value?: string;
  /** A view's current input values (block_id → action_id → state). */
  values?: Record<string, Record<string, Json>>;
}

interface ResponseTarget {
  user: string;
  channel: string;
  kind: 'command' | 'interaction';
  command?: string;
  commandText?: string;
  messageTs?: string;
  ephemeralId?: string;
  threadTs?: string;
  uses: number;
  issuedAt: number;
  echoed?: boolean;
}

const PAGE_DIR = fileURLToPath(new URL('../page/', import.meta.url));
const RESPONSE_URL_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export class SlackEmulator {
  readonly workspace: Workspace;
  readonly api: WebApi;
  readonly botToken: string;
  readonly signingSecret: string;
  readonly manifest: AppManifest;
  /** Every Web API call, in order. */
  readonly calls: ApiCall[] = [];
  /** Every delivery to the app, in order. */
  readonly deliveries: { kind: string; at: number; status: number; error?: string }[] = [];
  readonly bot: EmuUser;
  private readonly verificationToken = randomBytes(12).toString('hex');
  private readonly triggers = new Map<string, Trigger>();
  private readonly responseTargets = new Map<string, ResponseTarget>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly scheduledTimers = new Map<string, NodeJS.Timeout>();
  private readonly sseClients = new Set<ServerResponse>();
  private readonly tokens = new Map<string, string>();
  private requestUrl: string | undefined;
  private server: Server | undefined;
  private baseUrl = '';
  private triggerSeq = 0;

  private constructor(private readonly options: SlackEmulatorOptions) {
    const seed = options.seed === false ? undefined : (options.seed ?? LOCAL_SEED);
    const team = seed?.team ?? {
      id: 'T0LOCAL',
      name: 'Quell Local',
      domain: 'quell-local',
      appId: 'A0QUELL',
    };
    this.workspace = new Workspace(team, options.persistPath);
    this.manifest = options.manifest ?? loadManifest();
    this.botToken = options.botToken ?? `xoxb-local-${randomBytes(12).toString('hex')}`;
    this.signingSecret = options.signingSecret ?? randomBytes(16).toString('hex');
    this.requestUrl = options.requestUrl;
    this.api = new WebApi(this.workspace, {
      baseUrl: () => this.baseUrl,
      trigger: (id) => this.triggers.get(id),
      messageEvent: (event) => this.onWorkspaceEvent(event),
      scopes: () => (options.enforceScopes === false ? undefined : this.manifest.scopes),
    });
    const loaded = this.workspace.load();
    if (!loaded && seed) this.applySeed(seed);
    const botSeed = seed?.bot ?? { id: 'U0QUELL', name: 'quell', bot_id: 'B0QUELL' };
    this.bot =
      this.workspace.users.get(botSeed.id) ??
      this.workspace.addUser({
        ...botSeed,
        is_bot: true,
        app_id: team.appId,
        real_name: this.manifest.botName,
      });
    this.tokens.set(this.botToken, this.bot.id);
    this.workspace.on('change', (change: Change) => this.broadcast(change));
  }

  static async start(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
    const emulator = new SlackEmulator(options);
    await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    for (const scheduled of emulator.workspace.scheduled.values()) emulator.armScheduled(scheduled.id);
    return emulator;
  }

  get url(): string {
    return this.baseUrl;
  }

  /** SLACK_API_URL for Quell (ends with a slash, as the WebClient expects). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  pageUrl(user?: string): string {
    return user ? `${this.baseUrl}/?as=${user}` : `${this.baseUrl}/`;
  }

  setRequestUrl(url: string | undefined): void {
    this.requestUrl = url;
  }

  /** Another token the emulator accepts, acting as `user` (e.g. a user token for a test). */
  addToken(token: string, user: string): void {
    this.tokens.set(token, user);
  }

  async close(): Promise<void> {
    for (const timer of this.scheduledTimers.values()) clearTimeout(timer);
    for (const client of this.sseClients) client.end();
    this.sseClients.clear();
    this.workspace.saveNow();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // seeding and reading

  private applySeed(seed: WorkspaceSeed): void {
    const ws = this.workspace;
    ws.addUser({ ...seed.bot, is_bot: true, app_id: seed.team.appId });
    for (const user of seed.users) ws.addUser(user);
    for (const group of seed.usergroups) ws.addUsergroup({ ...group, users: [...group.users] });
    for (const channel of seed.channels) ws.addChannel({ ...channel, members: [...channel.members] });
    const now = Date.now();
    const ordered = [...seed.messages].sort((a, b) => b.ago - a.ago);
    for (const message of ordered) this.seedOne(message, now);
  }

  private seedOne(message: SeedMessage, now: number): void {
    const user = this.workspace.users.get(message.user);
    this.workspace.addMessage(
      {
        ts: this.workspace.nextTs(new Date(now - message.ago * 1000)),
        channel: message.channel,
        user: message.user,
        text: message.text,
        ...(user?.bot_id ? { bot_id: user.bot_id, app_id: user.app_id } : {}),
      },
      { quiet: true },
    );
  }

  addUser(user: Partial<EmuUser> & { id: string; name: string }): EmuUser {
    return this.workspace.addUser(user);
  }

  addChannel(channel: {
    name: string;
    id?: string;
    members?: string[];
    topic?: string;
    isPrivate?: boolean;
  }) {
    const members = channel.members ?? [this.bot.id];
    return this.workspace.addChannel({
      name: channel.name,
      ...(channel.id ? { id: channel.id } : {}),
      creator: members[0] ?? this.bot.id,
      members: [...members],
      is_private: channel.isPrivate ?? false,
      ...(channel.topic ? { topic: { value: channel.topic, creator: members[0] ?? '', last_set: 0 } } : {}),
    });
  }

  /**
   * Adds history in bulk, without events (it happened before Quell looked): fast enough for tens
   * of thousands of messages. Messages without ts get increasing ones; replies need thread_ts.
   */
  seedMessages(
    channelId: string,
    messages: { user: string; text: string; ts?: string; thread_ts?: string; blocks?: Json[] }[],
  ): EmuMessage[] {
    const channel = this.requireChannel(channelId);
    const added = messages.map((m) => {
      const user = this.workspace.users.get(m.user);
      return this.workspace.addMessage(
        {
          ts: m.ts ?? this.workspace.nextTs(),
          channel: channel.id,
          user: m.user,
          text: m.text,
          ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
          ...(m.blocks ? { blocks: m.blocks } : {}),
          ...(user?.bot_id ? { bot_id: user.bot_id, app_id: user.app_id } : {}),
        },
        { quiet: true },
      );
    });
    this.workspace.changed({ kind: 'channel', channel: channel.id });
    return added;
  }

  channel(idOrName: string): EmuChannel | undefined {
    return this.workspace.channels.get(idOrName) ?? this.workspace.channelByName(idOrName);
  }

  channels(): EmuChannel[] {
    return [...this.workspace.channels.values()];
  }

  /** Top-level messages as Slack would return them, oldest first. */
  messages(channelId: string): Json[] {
    const channel = this.requireChannel(channelId);
    return this.workspace.timeline(channel.id).map((m) => this.api.messageObject(m));
  }

  thread(channelId: string, ts: string): Json[] {
    return this.workspace.thread(this.requireChannel(channelId).id, ts).map((m) => this.api.messageObject(m));
  }

  pins(channelId: string): Json[] {
    const channel = this.requireChannel(channelId);
    return channel.pins.map((p) => this.api.messageObject(this.workspace.message(channel.id, p.ts)!));
  }

  ephemerals(filter: { user?: string; channel?: string } = {}): EmuEphemeral[] {
    return this.workspace.ephemerals.filter(
      (e) => (!filter.user || e.user === filter.user) && (!filter.channel || e.channel === filter.channel),
    );
  }

  /** The modal on top of a person's stack, with its current values and errors. */
  modal(user: string): (Json & { errors?: Record<string, string> }) | undefined {
    const stack = this.workspace.modalStacks.get(user) ?? [];
    const view = stack.length ? this.workspace.views.get(stack[stack.length - 1]!) : undefined;
    return view
      ? { ...this.api.viewObject(view), ...(view.errors ? { errors: view.errors } : {}) }
      : undefined;
  }

  home(user: string): Json | undefined {
    const id = this.workspace.homes.get(user);
    const view = id ? this.workspace.views.get(id) : undefined;
    return view ? this.api.viewObject(view) : undefined;
  }

  get events() {
    return this.workspace.events;
  }

  private requireChannel(idOrName: string): EmuChannel {
    const channel = this.channel(idOrName);
    if (!channel) throw new Error(`No channel ${idOrName} in the local workspace`);
    return channel;
  }

  private requireUser(id: string): EmuUser {
    const user = this.workspace.users.get(id);
    if (!user) throw new Error(`No user ${id} in the local workspace`);
    return user;
  }

  /** Resolves when `check` returns a truthy value (or stops throwing), re-checking on every change. */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      let lastError: unknown;
      const attempt = (): boolean => {
        try {
          const value = check();
          if (value) {
            finish();
            resolve(value);
            return true;
          }
        } catch (error) {
          lastError = error;
        }
        return false;
      };
      const onChange = () => void attempt();
      const poll = setInterval(onChange, 50);
      const timer = setTimeout(() => {
        finish();
        reject(lastError ?? new Error(`waitFor: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.workspace.off('change', onChange);
      };
      this.workspace.on('change', onChange);
      attempt();
    });
  }

  // faults and figures

  rateLimit(method: string, options: { times?: number; retryAfter?: number } = {}): this {
    return this.addFault(
      method,
      { kind: 'ratelimit', retryAfter: options.retryAfter ?? 1 },
      options.times ?? 1,
    );
  }

  failNext(method: string, error: string, options: { times?: number; status?: number } = {}): this {
    return this.addFault(method, { kind: 'fail', error, status: options.status ?? 200 }, options.times ?? 1);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  private addFault(method: string, fault: Fault, times: number): this {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.faults.set(method, list);
    return this;
  }

  callCount(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.calls) counts[call.method] = (counts[call.method] ?? 0) + 1;
    return counts;
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  // acting as a person

  private issueTrigger(user: string): string {
    const id = `${Date.now()}.${++this.triggerSeq}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { id, user, issuedAt: Date.now(), exchanged: false });
    if (this.triggers.size > 500) {
      const cutoff = Date.now() - 60_000;
      for (const [key, trigger] of this.triggers) if (trigger.issuedAt < cutoff) this.triggers.delete(key);
    }
    return id;
  }

  private issueResponseUrl(target: Omit<ResponseTarget, 'uses' | 'issuedAt'>): string {
    const id = `${this.workspace.team.id}/${randomBytes(4).toString('hex')}/${randomBytes(12).toString('hex')}`;
    this.responseTargets.set(id, { ...target, uses: 0, issuedAt: Date.now() });
    return `${this.baseUrl}/response/${id}`;
  }

  private userRef(user: EmuUser): Json {
    return { id: user.id, username: user.name, name: user.name, team_id: this.workspace.team.id };
  }

  private teamRef(): Json {
    return { id: this.workspace.team.id, domain: this.workspace.team.domain };
  }

  private async deliverForm(kind: string, fields: Record<string, string>): Promise<DeliveryResult> {
    const body = new URLSearchParams(fields).toString();
    const result = await deliver(this.requestUrl, body, {
      signingSecret: this.signingSecret,
      contentType: 'application/x-www-form-urlencoded',
      timeoutMs: this.options.ackTimeoutMs ?? 3_000,
    });
    this.deliveries.push({ kind, at: Date.now(), status: result.status, error: result.error });
    if (result.error)
      this.options.logger?.warn(
        { kind, status: result.status, error: result.error },
        'delivery to Quell failed',
      );
    return result;
  }

  private slackbotSays(user: string, channel: string, text: string): void {
    this.workspace.addEphemeral({ channel, user, from: 'slackbot', text });
  }

  /** Turns what a person typed into Slack's wire format: escaped, with @/# mentions as ids. */
  encodeTyped(text: string, style: 'message' | 'command'): string {
    let out = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    out = out.replace(/(^|[\s(])@([\w.-]+)/g, (match, lead: string, handle: string) => {
      const lower = handle.toLowerCase();
      const user = [...this.workspace.users.values()].find(
        (u) => u.name === lower || u.display_name.toLowerCase() === lower,
      );
      if (user) return `${lead}${style === 'command' ? `<@${user.id}|${user.name}>` : `<@${user.id}>`}`;
      const group = [...this.workspace.usergroups.values()].find((g) => g.handle === lower);
      if (group) return `${lead}<!subteam^${group.id}|@${group.handle}>`;
      if (lower === 'here' || lower === 'channel') return `${lead}<!${lower}>`;
      return match;
    });
    out = out.replace(/(^|[\s(])#([a-z0-9_-]+)/g, (match, lead: string, name: string) => {
      const channel = this.workspace.channelByName(name);
      if (!channel) return match;
      return `${lead}${style === 'command' ? `<#${channel.id}|${channel.name}>` : `<#${channel.id}>`}`;
    });
    return out;
  }

  /** A person types `/command text` in a channel. Returns the app's acknowledgement. */
  async sendCommand(input: {
    user: string;
    channel: string;
    text: string;
    command?: string;
    threadTs?: string;
  }): Promise<DeliveryResult & { known: boolean }> {
    const user = this.requireUser(input.user);
    const channel = this.requireChannel(input.channel);
    const name = input.command ?? '/incident';
    const command = this.manifest.commands.find((c) => c.command === name);
    if (!command) {
      this.slackbotSays(
        user.id,
        channel.id,
        `\`${name}\` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.\nIf you are trying to send a message and not run a command, try preceding the "/" with an empty space.`,
      );
      return { status: 0, body: '', known: false };
    }
    const text = command.should_escape ? this.encodeTyped(input.text, 'command') : input.text;
    const responseUrl = this.issueResponseUrl({
      user: user.id,
      channel: channel.id,
      kind: 'command',
      command: name,
      commandText: input.text,
      ...(input.threadTs ? { threadTs: input.threadTs } : {}),
    });
    const result = await this.deliverForm('slash_command', {
      token: this.verificationToken,
      team_id: this.workspace.team.id,
      team_domain: this.workspace.team.domain,
      channel_id: channel.id,
      channel_name: channel.is_im ? 'directmessage' : channel.name,
      user_id: user.id,
      user_name: user.name,
      command: name,
      text,
      api_app_id: this.workspace.team.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: this.issueTrigger(user.id),
    });
    if (result.error) {
      this.slackbotSays(user.id, channel.id, `${name} failed with the error "${result.error}"`);
    } else if (result.body.trim()) {
      const payload = result.json ?? { text: result.body };
      const target = this.responseTargets.get(responseUrl.slice(`${this.baseUrl}/response/`.length))!;
      this.applyResponse(target, payload);
    }
    return { ...result, known: true };
  }

  /** A person posts a message (emits the `message` event to Quell when subscribed). */
  postAsUser(input: {
    user: string;
    channel: string;
    text: string;
    threadTs?: string;
    raw?: boolean;
  }): EmuMessage {
    const user = this.requireUser(input.user);
    const channel = this.requireChannel(input.channel);
    if (!channel.members.includes(user.id)) throw new SlackApiError('not_in_channel');
    if (channel.is_archived) throw new SlackApiError('is_archived');
    const text = input.raw ? input.text : this.encodeTyped(input.text, 'message');
    const message = this.api.post(channel, user, {
      text,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    });
    if (text.includes(`<@${this.bot.id}>`) && this.subscribed('app_mention'))
      void this.deliverEvent({
        type: 'app_mention',
        user: user.id,
        text,
        ts: message.ts,
        channel: channel.id,
        event_ts: message.ts,
        ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
      });
    return message;
  }

  editAsUser(input: { user: string; channel: string; ts: string; text: string }): EmuMessage {
    const message = this.workspace.message(this.requireChannel(input.channel).id, input.ts);
    if (!message) throw new SlackApiError('message_not_found');
    if (message.user !== input.user) throw new SlackApiError('cant_update_message');
    this.api.editMessage(message, input.user, { text: this.encodeTyped(input.text, 'message') });
    return message;
  }

  deleteAsUser(input: { user: string; channel: string; ts: string }): void {
    const message = this.workspace.message(this.requireChannel(input.channel).id, input.ts);
    if (!message) throw new SlackApiError('message_not_found');
    const user = this.requireUser(input.user);
    if (message.user !== user.id && !user.is_admin) throw new SlackApiError('cant_delete_message');
    this.api.deleteMessage(message);
  }

  joinAsUser(input: { user: string; channel: string }): void {
    const channel = this.requireChannel(input.channel);
    if (channel.is_private || channel.is_archived)
      throw new SlackApiError('method_not_supported_for_channel_type');
    this.api.joinChannel(channel, this.requireUser(input.user).id);
  }

  reactAsUser(input: { user: string; channel: string; ts: string; name: string }): void {
    const message = this.workspace.message(this.requireChannel(input.channel).id, input.ts);
    if (!message) throw new SlackApiError('message_not_found');
    const existing = message.reactions?.find((r) => r.name === input.name);
    this.api.react(message, input.user, input.name, !existing?.users.includes(input.user));
  }

  dismissEphemeral(id: string): void {
    this.workspace.removeEphemeral(id);
  }

  /** Finds the interactive element a person used, wherever it is. */
  private findElement(
    blocks: Json[],
    blockId: string | undefined,
    actionId: string,
  ): { block: Json; element: Json } {
    for (const [index, block] of blocks.entries()) {
      const id = (block.block_id as string | undefined) ?? `block_${index}`;
      if (blockId && id !== blockId) continue;
      const elements: Json[] =
        block.type === 'actions'
          ? ((block.elements as Json[]) ?? [])
          : block.type === 'section' && block.accessory
            ? [block.accessory as Json]
            : block.type === 'input' && block.element
              ? [block.element as Json]
              : [];
      const element = elements.find((e) => e.action_id === actionId);
      if (element) return { block: { ...block, block_id: id }, element };
    }
    throw new Error(`No element with action_id ${actionId}${blockId ? ` in block ${blockId}` : ''}`);
  }

  private actionPayload(input: ActionInput, element: Json, blockId: string): Json {
    const type = element.type as string;
    const options = [
      ...((element.options as Json[] | undefined) ?? []),
      ...((element.option_groups as Json[] | undefined) ?? []).flatMap((g) => (g.options as Json[]) ?? []),
    ];
    const option = (value: string | undefined) => options.find((o) => o.value === value);
    const action: Json = {
      type,
      action_id: element.action_id,
      block_id: blockId,
      action_ts: this.workspace.nextTs(),
    };
    switch (type) {
      case 'button':
        Object.assign(action, {
          text: element.text,
          ...(element.value !== undefined ? { value: element.value } : {}),
          ...(element.style ? { style: element.style } : {}),
          ...(element.url ? { url: element.url } : {}),
        });
        break;
      case 'static_select':
      case 'radio_buttons':
      case 'overflow': {
        const selected = option(input.selectedValue);
        if (!selected) throw new Error(`No option ${input.selectedValue} in ${element.action_id}`);
        action.selected_option = selected;
        break;
      }
      case 'checkboxes':
      case 'multi_static_select':
        action.selected_options = (input.selectedValues ?? []).map((v) => option(v)).filter(Boolean);
        break;
      case 'datepicker':
        action.selected_date = input.selectedDate ?? null;
        break;
      case 'users_select':
        action.selected_user = input.selectedUser ?? null;
        break;
      default:
        action.value = input.value ?? null;
    }
    return action;
  }

  /** A person clicks a button or changes a select/checkbox in a message, an ephemeral or a view. */
  async clickAction(input: ActionInput): Promise<DeliveryResult> {
    const user = this.requireUser(input.user);
    const container = input.container;
    const triggerId = this.issueTrigger(user.id);
    const base: Json = {
      type: 'block_actions',
      user: this.userRef(user),
      api_app_id: this.workspace.team.appId,
      token: this.verificationToken,
      trigger_id: triggerId,
      team: this.teamRef(),
      enterprise: null,
      is_enterprise_install: false,
    };
    let payload: Json;
    if (container.type === 'view') {
      const view = this.workspace.views.get(container.viewId);
      if (!view || !this.api.isLive(view)) throw new Error(`View ${container.viewId} is not open`);
      if (input.values) view.values = input.values;
      const { block, element } = this.findElement(
        (view.view.blocks as Json[]) ?? [],
        input.blockId,
        input.actionId,
      );
      payload = {
        ...base,
        container: { type: 'view', view_id: view.id },
        view: this.api.viewObject(view),
        actions: [this.actionPayload(input, element, block.block_id as string)],
      };
    } else if (container.type === 'ephemeral') {
      const ephemeral = this.workspace.ephemerals.find((e) => e.id === container.id);
      if (!ephemeral || ephemeral.user !== user.id)
        throw new Error(`Ephemeral ${container.id} is not visible`);
      const { block, element } = this.findElement(ephemeral.blocks ?? [], input.blockId, input.actionId);
      const channel = this.requireChannel(ephemeral.channel);
      payload = {
        ...base,
        container: { type: 'message', message_ts: ephemeral.ts, channel_id: channel.id, is_ephemeral: true },
        channel: { id: channel.id, name: channel.name },
        state: { values: {} },
        response_url: this.issueResponseUrl({
          user: user.id,
          channel: channel.id,
          kind: 'interaction',
          ephemeralId: ephemeral.id,
        }),
        actions: [this.actionPayload(input, element, block.block_id as string)],
      };
    } else {
      const channel = this.requireChannel(container.channel);
      const message = this.workspace.message(channel.id, container.ts);
      if (!message) throw new Error(`No message ${container.ts} in ${channel.id}`);
      const { block, element } = this.findElement(message.blocks ?? [], input.blockId, input.actionId);
      payload = {
        ...base,
        container: {
          type: 'message',
          message_ts: message.ts,
          channel_id: channel.id,
          is_ephemeral: false,
          ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
        },
        channel: { id: channel.id, name: channel.name },
        message: this.api.messageObject(message),
        state: { values: input.values ?? {} },
        response_url: this.issueResponseUrl({
          user: user.id,
          channel: channel.id,
          kind: 'interaction',
          messageTs: message.ts,
          ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
        }),
        actions: [this.actionPayload(input, element, block.block_id as string)],
      };
    }
    return this.deliverForm('block_actions', { payload: JSON.stringify(payload) });
  }

  /**
   * A person submits the modal on top of their stack. Required inputs are checked first, as the
   * Slack client does; the app's response_action (errors, update, push, clear) is honoured.
   */
  async submitView(input: {
    user: string;
    values?: Record<string, Record<string, Json>>;
    viewId?: string;
  }): Promise<{
    delivered: boolean;
    closed: boolean;
    errors?: Record<string, string>;
    result?: DeliveryResult;
  }> {
    const user = this.requireUser(input.user);
    const stack = this.workspace.modalStacks.get(user.id) ?? [];
    const viewId = input.viewId ?? stack[stack.length - 1];
    const view = viewId ? this.workspace.views.get(viewId) : undefined;
    if (!view || stack[stack.length - 1] !== view.id)
      throw new Error(`No open modal ${viewId ?? ''} for ${user.id}`);
    if (input.values) view.values = mergeValues(view.values, input.values);
    const clientErrors = requiredInputErrors(view);
    if (Object.keys(clientErrors).length) {
      view.errors = clientErrors;
      this.workspace.changed({ kind: 'views', user: user.id });
      return { delivered: false, closed: false, errors: clientErrors };
    }
    const payload = {
      type: 'view_submission',
      team: this.teamRef(),
      user: this.userRef(user),
      api_app_id: this.workspace.team.appId,
      token: this.verificationToken,
      trigger_id: this.issueTrigger(user.id),
      view: this.api.viewObject(view),
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const result = await this.deliverForm('view_submission', { payload: JSON.stringify(payload) });
    if (result.error) {
      view.errors = { '': 'We had some trouble connecting. Try again?' };
      this.workspace.changed({ kind: 'views', user: user.id });
      return { delivered: true, closed: false, errors: view.errors, result };
    }
    const response = result.json ?? {};
    const action = response.response_action as string | undefined;
    if (action === 'errors') {
      view.errors = (response.errors as Record<string, string>) ?? {};
      this.workspace.changed({ kind: 'views', user: user.id });
      return { delivered: true, closed: false, errors: view.errors, result };
    }
    if (action === 'update' || action === 'push') {
      const next = response.view as Json | undefined;
      const problems = next ? validateView(next, 'modal') : ['[ERROR] missing view'];
      if (problems.length) {
        this.options.logger?.warn({ problems }, 'Quell answered a view submission with an invalid view');
        view.errors = { '': 'The app answered with an invalid view.' };
        this.workspace.changed({ kind: 'views', user: user.id });
        return { delivered: true, closed: false, errors: view.errors, result };
      }
      if (action === 'update') this.api.replaceView(view, next!);
      else this.pushView(user.id, next!);
      return { delivered: true, closed: false, result };
    }
    if (action === 'clear') this.workspace.modalStacks.set(user.id, []);
    else stack.pop();
    this.workspace.changed({ kind: 'views', user: user.id });
    return { delivered: true, closed: true, result };
  }

  private pushView(user: string, view: Json): void {
    const stack = this.workspace.modalStacks.get(user) ?? [];
    const id = randomId('V');
    this.workspace.views.set(id, {
      id,
      team_id: this.workspace.team.id,
      user,
      type: 'modal',
      view,
      values: {},
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      root_view_id: stack[0] ?? id,
      previous_view_id: stack[stack.length - 1] ?? null,
      external_id: '',
    });
    this.api.replaceView(this.workspace.views.get(id)!, view);
    stack.push(id);
    this.workspace.modalStacks.set(user, stack);
    this.workspace.changed({ kind: 'views', user });
  }

  /** A person closes the top modal (Cancel / ×); view_closed is sent when the view asked for it. */
  async closeView(input: { user: string }): Promise<void> {
    const stack = this.workspace.modalStacks.get(input.user) ?? [];
    const id = stack.pop();
    this.workspace.changed({ kind: 'views', user: input.user });
    const view = id ? this.workspace.views.get(id) : undefined;
    if (!view?.view.notify_on_close) return;
    await this.deliverForm('view_closed', {
      payload: JSON.stringify({
        type: 'view_closed',
        team: this.teamRef(),
        user: this.userRef(this.requireUser(input.user)),
        api_app_id: this.workspace.team.appId,
        token: this.verificationToken,
        view: this.api.viewObject(view),
        is_cleared: false,
        is_enterprise_install: false,
      }),
    });
  }

  /** A person picks a message shortcut ("More actions" on a message). */
  async messageShortcut(input: { user: string; channel: string; ts: string; callbackId: string }) {
    const user = this.requireUser(input.user);
    const channel = this.requireChannel(input.channel);
    const message = this.workspace.message(channel.id, input.ts);
    if (!message) throw new Error(`No message ${input.ts} in ${channel.id}`);
    const payload = {
      type: 'message_action',
      token: this.verificationToken,
      action_ts: this.workspace.nextTs(),
      team: this.teamRef(),
      user: this.userRef(user),
      channel: { id: channel.id, name: channel.is_im ? 'directmessage' : channel.name },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: input.callbackId,
      trigger_id: this.issueTrigger(user.id),
      response_url: this.issueResponseUrl({ user: user.id, channel: channel.id, kind: 'command' }),
      message_ts: message.ts,
      message: this.api.messageObject(message),
    };
    return this.deliverForm('message_action', { payload: JSON.stringify(payload) });
  }

  async globalShortcut(input: { user: string; callbackId: string }) {
    const user = this.requireUser(input.user);
    return this.deliverForm('shortcut', {
      payload: JSON.stringify({
        type: 'shortcut',
        token: this.verificationToken,
        action_ts: this.workspace.nextTs(),
        team: this.teamRef(),
        user: this.userRef(user),
        is_enterprise_install: false,
        enterprise: null,
        callback_id: input.callbackId,
        trigger_id: this.issueTrigger(user.id),
      }),
    });
  }

  /** A person opens the app's Home tab. */
  async openHome(userId: string): Promise<DeliveryResult | undefined> {
    const user = this.requireUser(userId);
    if (!this.subscribed('app_home_opened')) return undefined;
    const im = this.workspace.imWith(this.bot.id, user.id);
    const home = this.home(user.id);
    return this.deliverEvent({
      type: 'app_home_opened',
      user: user.id,
      channel: im.id,
      tab: 'home',
      event_ts: this.workspace.nextTs(),
      ...(home ? { view: home } : {}),
    });
  }

  // Events API

  subscribed(type: string): boolean {
    return this.manifest.botEvents.includes(type);
  }

  /** Delivers an Events API event_callback to Quell, signed, as JSON. */
  async deliverEvent(event: Json, options: { retryNum?: number } = {}): Promise<DeliveryResult> {
    const envelope = {
      token: this.verificationToken,
      team_id: this.workspace.team.id,
      context_team_id: this.workspace.team.id,
      api_app_id: this.workspace.team.appId,
      event,
      type: 'event_callback',
      event_id: randomId('Ev'),
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: this.workspace.team.id,
          user_id: this.bot.id,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    };
    const result = await deliver(this.requestUrl, JSON.stringify(envelope), {
      signingSecret: this.signingSecret,
      contentType: 'application/json',
      timeoutMs: this.options.ackTimeoutMs ?? 3_000,
      ...(options.retryNum ? { retryNum: options.retryNum } : {}),
    });
    this.deliveries.push({
      kind: `event:${String(event.type)}`,
      at: Date.now(),
      status: result.status,
      error: result.error,
    });
    return result;
  }

  /** Workspace events become Events API deliveries when the manifest subscribes to them. */
  private onWorkspaceEvent(event: Json): void {
    let subscription = String(event.type);
    const channelId = (event.channel as string | undefined) ?? (event.channel_id as string | undefined);
    const channel = typeof channelId === 'string' ? this.workspace.channels.get(channelId) : undefined;
    if (event.type === 'message') {
      if (!channel) return;
      subscription = `message.${channelType(channel) === 'channel' ? 'channels' : channelType(channel) === 'group' ? 'groups' : 'im'}`;
    }
    if (!this.subscribed(subscription)) return;
    if (channel && !channel.members.includes(this.bot.id) && subscription !== 'member_joined_channel') return;
    void this.deliverEvent(event).catch((error: unknown) =>
      this.options.logger?.warn({ err: error }, 'event delivery failed'),
    );
  }

  // scheduled messages

  private armScheduled(id: string): void {
    const scheduled = this.workspace.scheduled.get(id);
    if (!scheduled) return;
    const delay = Math.max(0, scheduled.post_at * 1000 - Date.now());
    // setTimeout cannot wait longer than ~24.8 days; re-arm in steps
    const timer = setTimeout(
      () => {
        this.scheduledTimers.delete(id);
        if (scheduled.post_at * 1000 > Date.now()) this.armScheduled(id);
        else this.postScheduled(id);
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    timer.unref();
    this.scheduledTimers.set(id, timer);
  }

  private postScheduled(id: string): void {
    const scheduled = this.workspace.scheduled.get(id);
    if (!scheduled) return;
    this.workspace.scheduled.delete(id);
    const channel = this.workspace.channels.get(scheduled.channel);
    const author = this.workspace.users.get(scheduled.user);
    if (!channel || !author || channel.is_archived) return;
    this.api.post(channel, author, {
      text: scheduled.text,
      ...(scheduled.blocks ? { blocks: scheduled.blocks } : {}),
      ...(scheduled.thread_ts ? { thread_ts: scheduled.thread_ts } : {}),
    });
  }

  /** Posts every scheduled message due at `at` (default now) without waiting for timers. */
  runDueScheduled(at: Date = new Date()): number {
    const due = [...this.workspace.scheduled.values()].filter((s) => s.post_at * 1000 <= at.getTime());
    for (const scheduled of due) {
      clearTimeout(this.scheduledTimers.get(scheduled.id));
      this.scheduledTimers.delete(scheduled.id);
      this.postScheduled(scheduled.id);
    }
    return due.length;
  }

  // response_url

  /** What Slack does with a message sent to a response_url (or in an acknowledgement). */
  private applyResponse(target: ResponseTarget, payload: Json): { ok: boolean; error?: string } {
    const text = typeof payload.text === 'string' ? payload.text : '';
    const blocks = Array.isArray(payload.blocks) ? (payload.blocks as Json[]) : undefined;
    if (blocks && validateBlocks(blocks, 'message').length) return { ok: false, error: 'invalid_blocks' };
    const channel = this.workspace.channels.get(target.channel);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const original = target.ephemeralId
      ? this.workspace.ephemerals.find((e) => e.id === target.ephemeralId)
      : target.messageTs
        ? this.workspace.message(channel.id, target.messageTs)
        : undefined;
    if (payload.delete_original === true || payload.delete_original === 'true') {
      if (target.ephemeralId) this.workspace.removeEphemeral(target.ephemeralId);
      else if (original) this.api.deleteMessage(original as EmuMessage);
      return { ok: true };
    }
    if (!text && !blocks) return { ok: false, error: 'no_text' };
    if ((payload.replace_original === true || payload.replace_original === 'true') && original) {
      if (target.ephemeralId) {
        Object.assign(original, { text, blocks });
        this.workspace.emit('change', { kind: 'ephemeral', user: target.user, channel: channel.id });
      } else
        this.api.editMessage(original as EmuMessage, this.bot.id, { text, ...(blocks ? { blocks } : {}) });
      return { ok: true };
    }
    const threadTs = (payload.thread_ts as string | undefined) ?? target.threadTs;
    if (payload.response_type === 'in_channel') {
      if (target.kind === 'command' && target.command && !target.echoed) {
        target.echoed = true;
        this.api.post(channel, this.workspace.users.get(target.user)!, {
          text: `${target.command} ${target.commandText ?? ''}`.trim(),
          ...(threadTs ? { thread_ts: threadTs } : {}),
        });
      }
      this.api.post(channel, this.bot, {
        text,
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      return { ok: true };
    }
    this.workspace.addEphemeral({
      channel: channel.id,
      user: target.user,
      from: 'app',
      text,
      ...(blocks ? { blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    return { ok: true };
  }

  // HTTP

  private async listen(port: number, host: string): Promise<void> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        this.options.logger?.error({ err: error }, 'local workspace request failed');
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
        else res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith('/api/')) return this.handleApi(path.slice(5), url, req, res);
    if (path.startsWith('/response/')) return this.handleResponseUrl(path.slice(10), req, res);
    if (path.startsWith('/upload/v1/')) return this.handleUpload(path.slice(11), req, res);
    if (path.startsWith('/files/')) return this.handleFile(path, url, res);
    if (path.startsWith('/_control/')) return this.handleControl(path.slice(10), req, res);
    if (path === '/ui/events') return this.handleEventStream(req, res);
    if (path.startsWith('/ui/api/')) return this.handlePageApi(path.slice(8), url, req, res);
    return this.handleStatic(path, res);
  }

  private async handleApi(
    method: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const body = await readBody(req);
    const raw: Record<string, unknown> = Object.fromEntries(url.searchParams);
    Object.assign(raw, parseBody(body, req.headers['content-type']));
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (raw.token as string | undefined);
    delete raw.token;
    const record = (status: number, ok: boolean, error?: string) =>
      this.calls.push({ method, params: raw, at: Date.now(), status, ok, ...(error ? { error } : {}) });
    const headers = {
      'x-oauth-scopes': this.manifest.scopes.join(','),
      'x-accepted-oauth-scopes': acceptedScopes(method).join(','),
    };
    if (!token) {
      record(200, false, 'not_authed');
      return sendJson(res, 200, { ok: false, error: 'not_authed' }, headers);
    }
    const callerId = this.tokens.get(token);
    const caller = callerId ? this.workspace.users.get(callerId) : undefined;
    if (!caller) {
      record(200, false, 'invalid_auth');
      return sendJson(res, 200, { ok: false, error: 'invalid_auth' }, headers);
    }
    if (!this.api.has(method)) {
      record(404, false, 'unknown_method');
      return sendJson(res, 404, { ok: false, error: 'unknown_method', req_method: method }, headers);
    }
    const fault = this.faults.get(method)?.shift();
    if (fault?.kind === 'ratelimit') {
      record(429, false, 'ratelimited');
      return sendJson(
        res,
        429,
        { ok: false, error: 'ratelimited' },
        {
          ...headers,
          'retry-after': String(fault.retryAfter),
        },
      );
    }
    if (fault?.kind === 'fail') {
      record(fault.status, false, fault.error);
      return sendJson(res, fault.status, { ok: false, error: fault.error }, headers);
    }
    try {
      const result = await this.api.call(method, new Params(raw), caller);
      record(200, true);
      sendJson(res, 200, result, headers);
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      record(200, false, error.code);
      sendJson(res, 200, { ok: false, error: error.code, ...error.extra }, headers);
    }
  }

  private async handleResponseUrl(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = this.responseTargets.get(id);
    if (!target || Date.now() - target.issuedAt > RESPONSE_URL_TTL_MS || target.uses >= RESPONSE_URL_USES) {
      return sendJson(res, 404, { ok: false, error: 'expired_url' });
    }
    target.uses += 1;
    let payload: Json;
    try {
      payload = parseBody(body, req.headers['content-type']) as Json;
      if (typeof payload.payload === 'string') payload = JSON.parse(payload.payload) as Json;
    } catch {
      return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    }
    const outcome = this.applyResponse(target, payload);
    sendJson(res, outcome.ok ? 200 : 400, outcome);
  }

  private async handleUpload(fileId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const file = this.workspace.files.get(fileId);
    if (!file || file.uploaded) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('file_not_found');
      return;
    }
    file.content = extractUpload(body, req.headers['content-type']);
    file.length = file.content.length;
    file.uploaded = true;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${file.content.length}`);
  }

  private handleFile(path: string, url: URL, res: ServerResponse): void {
    const id = path.split('/')[2] ?? '';
    const file = this.workspace.files.get(id);
    if (!file?.content) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('file_not_found');
      return;
    }
    res.writeHead(200, {
      'content-type': file.mimetype,
      'content-length': file.content.length,
      ...(url.searchParams.has('download')
        ? { 'content-disposition': `attachment; filename="${file.name.replace(/"/g, '')}"` }
        : {}),
    });
    res.end(file.content);
  }

  private async handleControl(action: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const input = (parseBody(await readBody(req), req.headers['content-type']) ?? {}) as Json;
    switch (action) {
      case 'calls':
        return sendJson(res, 200, { ok: true, counts: this.callCounts(), calls: this.calls });
      case 'reset-calls':
        this.resetCalls();
        return sendJson(res, 200, { ok: true });
      case 'rate-limit':
        this.rateLimit(String(input.method), {
          times: Number(input.times ?? 1),
          retryAfter: Number(input.retryAfter ?? 1),
        });
        return sendJson(res, 200, { ok: true });
      case 'fail':
        this.failNext(String(input.method), String(input.error), { times: Number(input.times ?? 1) });
        return sendJson(res, 200, { ok: true });
      case 'clear-faults':
        this.clearFaults();
        return sendJson(res, 200, { ok: true });
      case 'events':
        return sendJson(res, 200, { ok: true, events: this.events });
      case 'state':
        return sendJson(res, 200, { ok: true, state: this.workspace.snapshot() });
      default:
        return sendJson(res, 404, { ok: false, error: 'unknown_control' });
    }
  }

  private handleEventStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    this.sseClients.add(res);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      this.sseClients.delete(res);
    });
  }

  private broadcast(change: Change): void {
    const line = `data: ${JSON.stringify(change)}\n\n`;
    for (const client of this.sseClients) client.write(line);
  }

  private async handleStatic(path: string, res: ServerResponse): Promise<void> {
    const file = path.startsWith('/assets/') ? path.slice(8) : 'index.html';
    if (!/^[\w.-]+$/.test(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      const content = await readFile(`${PAGE_DIR}${file}`);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(content);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  }

  // the page's API: what a person sees and does, as JSON

  private async handlePageApi(
    route: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const input = (req.method === 'POST' ? parseBody(await readBody(req), 'application/json') : {}) as Json;
    const as = String(input.as ?? url.searchParams.get('as') ?? '');
    try {
      const result = await this.pageAction(route, url, input, as);
      sendJson(res, 200, { ok: true, ...result });
    } catch (error) {
      const code = error instanceof SlackApiError ? error.code : (error as Error).message;
      sendJson(res, 200, { ok: false, error: code });
    }
  }

  private async pageAction(route: string, url: URL, input: Json, as: string): Promise<Json> {
    const ws = this.workspace;
    const str = (name: string) => String(input[name] ?? url.searchParams.get(name) ?? '');
    switch (route) {
      case 'workspace':
        return {
          team: ws.team,
          bot: { id: this.bot.id, name: this.manifest.botName },
          users: [...ws.users.values()],
          usergroups: [...ws.usergroups.values()],
          channels: this.channels().map((c) => ({
            id: c.id,
            name: c.name,
            is_private: c.is_private,
            is_im: c.is_im,
            im_user: c.im_user,
            is_archived: c.is_archived,
            is_general: c.is_general,
            members: c.members,
            topic: c.topic.value,
            purpose: c.purpose.value,
            created: c.created,
            latest: ws.timeline(c.id).at(-1)?.ts ?? null,
          })),
          commands: this.manifest.commands,
          shortcuts: this.manifest.shortcuts,
          homeEnabled: true,
        };
      case 'channel': {
        const channel = this.requireChannel(str('channel'));
        const timeline = ws.timeline(channel.id);
        const limit = Math.min(Number(url.searchParams.get('limit') ?? 200), 1000);
        const shown = timeline.slice(-limit);
        return {
          channel: { ...this.api.conversation(channel, as, true), members: channel.members },
          messages: shown.map((m) => this.api.messageObject(m)),
          older: timeline.length - shown.length,
          pins: channel.pins.map((p) => ({
            ...p,
            message: ws.message(channel.id, p.ts)
              ? this.api.messageObject(ws.message(channel.id, p.ts)!)
              : null,
          })),
          bookmarks: channel.bookmarks,
          ephemerals: this.ephemerals({ user: as, channel: channel.id }),
          scheduled: [...ws.scheduled.values()].filter((s) => s.channel === channel.id).length,
        };
      }
      case 'thread':
        return {
          messages: this.thread(str('channel'), str('ts')),
          ephemerals: this.ephemerals({ user: as, channel: str('channel') }).filter(
            (e) => e.thread_ts === str('ts'),
          ),
        };
      case 'views': {
        const stack = (ws.modalStacks.get(as) ?? []).map((id) => ws.views.get(id)!);
        return {
          stack: stack.map((v) => ({ ...this.api.viewObject(v), errors: v.errors ?? null })),
          home: this.home(as) ?? null,
        };
      }
      case 'send': {
        const text = str('text');
        const channel = str('channel');
        const threadTs = str('thread_ts') || undefined;
        const slash = /^\/(\S+)\s*([\s\S]*)$/.exec(text);
        if (slash) {
          const result = await this.sendCommand({
            user: as,
            channel,
            command: `/${slash[1]}`,
            text: slash[2]!.trim(),
            ...(threadTs ? { threadTs } : {}),
          });
          return { command: true, status: result.status, error: result.error ?? null };
        }
        const message = this.postAsUser({
          user: as,
          channel,
          text: text.replace(/^ \//, '/'),
          ...(threadTs ? { threadTs } : {}),
        });
        return { ts: message.ts };
      }
      case 'action': {
        const result = await this.clickAction({
          user: as,
          container: input.container as Container,
          actionId: str('action_id'),
          ...(input.block_id ? { blockId: str('block_id') } : {}),
          ...(input.selected_value !== undefined ? { selectedValue: str('selected_value') } : {}),
          ...(Array.isArray(input.selected_values)
            ? { selectedValues: input.selected_values as string[] }
            : {}),
          ...(input.selected_date ? { selectedDate: str('selected_date') } : {}),
          ...(input.selected_user ? { selectedUser: str('selected_user') } : {}),
          ...(input.value !== undefined ? { value: str('value') } : {}),
          ...(input.values ? { values: input.values as Record<string, Record<string, Json>> } : {}),
        });
        return { status: result.status, error: result.error ?? null };
      }
      case 'view/submit': {
        const outcome = await this.submitView({
          user: as,
          viewId: str('view_id'),
          values: (input.values as Record<string, Record<string, Json>>) ?? {},
        });
        return { closed: outcome.closed, errors: outcome.errors ?? null };
      }
      case 'view/close':
        await this.closeView({ user: as });
        return {};
      case 'shortcut': {
        const callbackId = str('callback_id');
        const shortcut = this.manifest.shortcuts.find((s) => s.callback_id === callbackId);
        if (!shortcut) throw new Error('unknown_shortcut');
        const result =
          shortcut.type === 'message'
            ? await this.messageShortcut({ user: as, channel: str('channel'), ts: str('ts'), callbackId })
            : await this.globalShortcut({ user: as, callbackId });
        if (result.error)
          this.slackbotSays(
            as,
            str('channel') || ws.imWith(this.bot.id, as).id,
            `${shortcut.name} failed with the error "${result.error}"`,
          );
        return { status: result.status, error: result.error ?? null };
      }
      case 'message/edit':
        this.editAsUser({ user: as, channel: str('channel'), ts: str('ts'), text: str('text') });
        return {};
      case 'message/delete':
        this.deleteAsUser({ user: as, channel: str('channel'), ts: str('ts') });
        return {};
      case 'ephemeral/dismiss':
        this.dismissEphemeral(str('id'));
        return {};
      case 'react':
        this.reactAsUser({ user: as, channel: str('channel'), ts: str('ts'), name: str('name') });
        return {};
      case 'join':
        this.joinAsUser({ user: as, channel: str('channel') });
        return {};
      case 'home': {
        const im = ws.imWith(this.bot.id, as);
        await this.openHome(as);
        return { im: im.id };
      }
      default:
        throw new Error('unknown_route');
    }
  }
}

function requiredInputErrors(view: EmuView): Record<string, string> {
  const errors: Record<string, string> = {};
  const blocks = (view.view.blocks as Json[] | undefined) ?? [];
  blocks.forEach((block, index) => {
    if (block.type !== 'input') return;
    const blockId = (block.block_id as string | undefined) ?? `block_${index}`;
    const element = block.element as Json;
    const state = view.values[blockId]?.[element.action_id as string];
    const text = typeof state?.value === 'string' ? state.value : undefined;
    const empty =
      !state ||
      (state.value !== undefined && !text?.trim()) ||
      (state.selected_option !== undefined && !state.selected_option) ||
      (Array.isArray(state.selected_options) && state.selected_options.length === 0) ||
      (state.selected_date !== undefined && !state.selected_date) ||
      (state.selected_user !== undefined && !state.selected_user);
    if (!block.optional && empty) errors[blockId] = 'Please complete this required field.';
    else if (text !== undefined && typeof element.min_length === 'number' && text.length < element.min_length)
      errors[blockId] = `Must be at least ${element.min_length} characters.`;
    else if (text !== undefined && typeof element.max_length === 'number' && text.length > element.max_length)
      errors[blockId] = `Must be at most ${element.max_length} characters.`;
  });
  return errors;
}

function mergeValues(
  current: Record<string, Record<string, Json>>,
  update: Record<string, Record<string, Json>>,
): Record<string, Record<string, Json>> {
  const merged: Record<string, Record<string, Json>> = { ...current };
  for (const [blockId, actions] of Object.entries(update))
    merged[blockId] = { ...merged[blockId], ...actions };
  return merged;
}

function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('request too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  if (body.length === 0) return {};
  const text = body.toString('utf8');
  if (contentType?.includes('application/json') || (!contentType && text.startsWith('{'))) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** The bytes of an upload: the raw body, or the first file part of a multipart body. */
function extractUpload(body: Buffer, contentType: string | undefined): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!contentType?.startsWith('multipart/') || !boundary) return body;
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(marker);
  const headerEnd = body.indexOf('\r\n\r\n', start);
  const end = body.indexOf(marker, headerEnd);
  if (start < 0 || headerEnd < 0 || end < 0) return body;
  return body.subarray(headerEnd + 4, end - 2);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
