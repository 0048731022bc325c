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
 *   Faults and figures: rateLimit(method, { times, retryAfter, channel? }) → HTTP 429 + Retry-After +
 *   { ok:false, error:'ratelimited' }; failNext(method, error, { times }); hang(method, { times, ms,
 *   channel? }) → no answer for ms; clearFaults();
 *   calls (every Web API call), callCount(method), callCounts(), resetCalls().
 *   runDueScheduled(at?) posts scheduled messages now instead of waiting for their timers.
 *
 *   Socket Mode (`transport: 'socket'`): the app connects with `appToken` (apps.connections.open);
 *   every delivery above then goes as an envelope over that WebSocket. socket.requestRefresh()
 *   sends `disconnect`, socket.dropAcks(n) loses the app's next acks (so envelopes come again),
 *   socket.frames / envelopesSent() show the wire, socket.waitForConnections() waits for a client.
 *
 * HTTP: /api/<method> (Web API), /link/?ticket= (Socket Mode WebSocket), /upload/v1/<file> (upload URLs), /response/<id> (response_url),
 * /files/<id>/<name>, /_control/* (faults and figures for other processes), / (the page).
 *
 * Layout: this class holds the state and the public API; http/ routes requests, web-api/ holds
 * the Web API (one module per method family under web-api/methods/), validate/ the Block Kit
 * validator, interactions/ what a person does (commands, actions, views, shortcuts), and
 * response-urls, events, scheduled, control-api and page-api one job each. This file stays a
 * little past ~500 lines because it is the whole programmatic API: documented one-line delegations.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_SEED } from '../seed.js';
import { type DeliveryResult, deliver } from './delivery.js';
import * as events from './events.js';
import { sendJson } from './http/body.js';
import * as eventStream from './http/event-stream.js';
import { route } from './http/server.js';
import * as actions from './interactions/actions.js';
import * as commands from './interactions/commands.js';
import * as shortcuts from './interactions/shortcuts.js';
import * as views from './interactions/views.js';
import { type AppManifest, loadManifest } from './manifest.js';
import type { ResponseTarget } from './response-urls.js';
import * as responseUrls from './response-urls.js';
import * as scheduled from './scheduled.js';
import { applySeed } from './seeding.js';
import { type EnvelopeType, SocketModeServer } from './socket-mode/index.js';
import type { ActionInput, ApiCall, Fault, SlackEmulatorOptions } from './types.js';
import { SlackApiError, type Trigger, WebApi } from './web-api/index.js';
import {
  type Change,
  type EmuChannel,
  type EmuEphemeral,
  type EmuMessage,
  type EmuUser,
  type Json,
  Workspace,
} from './workspace.js';

export type { ActionInput, ApiCall, Container, SlackEmulatorOptions } from './types.js';

export class SlackEmulator {
  readonly workspace: Workspace;
  readonly api: WebApi;
  readonly botToken: string;
  readonly signingSecret: string;
  /** Socket Mode's app-level token (apps.connections.open). */
  readonly appToken: string;
  readonly transport: 'http' | 'socket';
  readonly socket: SocketModeServer;
  readonly manifest: AppManifest;
  /** Every Web API call, in order. */
  readonly calls: ApiCall[] = [];
  /** Every delivery to the app, in order. */
  readonly deliveries: { kind: string; at: number; status: number; error?: string }[] = [];
  readonly bot: EmuUser;
  // Internals the emulator's own modules (interactions/, http/, response-urls, …) share; not for tests.
  readonly verificationToken = randomBytes(12).toString('hex');
  readonly triggers = new Map<string, Trigger>();
  readonly responseTargets = new Map<string, ResponseTarget>();
  readonly faults = new Map<string, Fault[]>();
  readonly scheduledTimers = new Map<string, NodeJS.Timeout>();
  readonly sseClients = new Set<ServerResponse>();
  readonly tokens = new Map<string, string>();
  requestUrl: string | undefined;
  private server: Server | undefined;
  baseUrl = '';
  private triggerSeq = 0;

  private constructor(readonly options: SlackEmulatorOptions) {
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
    this.transport = options.transport ?? 'http';
    this.appToken = options.appToken ?? `xapp-1-${team.appId}-${randomBytes(12).toString('hex')}`;
    this.socket = new SocketModeServer({
      appId: team.appId,
      baseUrl: () => this.baseUrl,
      ackTimeoutMs: options.ackTimeoutMs ?? 3_000,
      ...(options.socketPingIntervalMs ? { pingIntervalMs: options.socketPingIntervalMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    this.api = new WebApi(this.workspace, {
      baseUrl: () => this.baseUrl,
      trigger: (id) => this.triggers.get(id),
      messageEvent: (event) => events.onWorkspaceEvent(this, event),
      scopes: () => (options.enforceScopes === false ? undefined : this.manifest.scopes),
    });
    const loaded = this.workspace.load();
    if (!loaded && seed) applySeed(this.workspace, seed);
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
    this.workspace.on('change', (change: Change) => eventStream.broadcast(this, change));
  }

  static async start(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
    const emulator = new SlackEmulator(options);
    await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    for (const item of emulator.workspace.scheduled.values()) scheduled.armScheduled(emulator, item.id);
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
    this.socket.close();
    this.workspace.saveNow();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // seeding and reading

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

  requireChannel(idOrName: string): EmuChannel {
    const channel = this.channel(idOrName);
    if (!channel) throw new Error(`No channel ${idOrName} in the local workspace`);
    return channel;
  }

  requireUser(id: string): EmuUser {
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

  rateLimit(method: string, options: { times?: number; retryAfter?: number; channel?: string } = {}): this {
    return this.addFault(
      method,
      {
        kind: 'ratelimit',
        retryAfter: options.retryAfter ?? 1,
        ...(options.channel ? { channel: options.channel } : {}),
      },
      options.times ?? 1,
    );
  }

  /** The next `times` calls of `method` get no answer for `ms` (default: a minute), as a stalled Slack. */
  hang(method: string, options: { times?: number; ms?: number; channel?: string } = {}): this {
    return this.addFault(
      method,
      { kind: 'hang', ms: options.ms ?? 60_000, ...(options.channel ? { channel: options.channel } : {}) },
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
    const text = input.raw ? input.text : commands.encodeTyped(this, input.text, 'message');
    const message = this.api.post(channel, user, {
      text,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    });
    if (text.includes(`<@${this.bot.id}>`) && events.subscribed(this, 'app_mention'))
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
    this.api.editMessage(message, input.user, { text: commands.encodeTyped(this, input.text, 'message') });
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

  // what every delivery carries (internal to the emulator's modules)

  issueTrigger(user: string): string {
    const id = `${Date.now()}.${++this.triggerSeq}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { id, user, issuedAt: Date.now(), exchanged: false });
    if (this.triggers.size > 500) {
      const cutoff = Date.now() - 60_000;
      for (const [key, trigger] of this.triggers) if (trigger.issuedAt < cutoff) this.triggers.delete(key);
    }
    return id;
  }
  userRef(user: EmuUser): Json {
    return { id: user.id, username: user.name, name: user.name, team_id: this.workspace.team.id };
  }
  teamRef(): Json {
    return { id: this.workspace.team.id, domain: this.workspace.team.domain };
  }
  async deliverForm(kind: string, fields: Record<string, string>): Promise<DeliveryResult> {
    const result =
      this.transport === 'socket'
        ? await this.deliverEnvelope(
            kind === 'slash_command' ? 'slash_commands' : 'interactive',
            kind === 'slash_command' ? fields : (JSON.parse(fields.payload ?? '{}') as Json),
          )
        : await deliver(this.requestUrl, new URLSearchParams(fields).toString(), {
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
  /** Socket Mode: the same payload an HTTP delivery carries, in an envelope on the app's WebSocket. */
  deliverEnvelope(type: EnvelopeType, payload: Json, options: { retryAttempt?: number } = {}) {
    return this.socket.deliver(type, payload, options);
  }
  slackbotSays(user: string, channel: string, text: string): void {
    this.workspace.addEphemeral({ channel, user, from: 'slackbot', text });
  }

  // acting as a person: interactions/ holds how each is delivered

  /** Turns what a person typed into Slack's wire format: escaped, with @/# mentions as ids. */
  encodeTyped(text: string, style: 'message' | 'command'): string {
    return commands.encodeTyped(this, text, style);
  }

  /** A person types `/command text` in a channel. Returns the app's acknowledgement. */
  sendCommand(input: Parameters<typeof commands.sendCommand>[1]): ReturnType<typeof commands.sendCommand> {
    return commands.sendCommand(this, input);
  }

  /** A person clicks a button or changes a select/checkbox in a message, an ephemeral or a view. */
  clickAction(input: ActionInput): Promise<DeliveryResult> {
    return actions.clickAction(this, input);
  }

  submitView(input: Parameters<typeof views.submitView>[1]): ReturnType<typeof views.submitView> {
    return views.submitView(this, input);
  }

  /** Pushes a view onto a person's modal stack (views.push, response_action push). */
  pushView(user: string, view: Json): void {
    views.pushView(this, user, view);
  }

  closeView(input: { user: string }): Promise<void> {
    return views.closeView(this, input);
  }

  messageShortcut(
    input: Parameters<typeof shortcuts.messageShortcut>[1],
  ): ReturnType<typeof shortcuts.messageShortcut> {
    return shortcuts.messageShortcut(this, input);
  }

  globalShortcut(
    input: Parameters<typeof shortcuts.globalShortcut>[1],
  ): ReturnType<typeof shortcuts.globalShortcut> {
    return shortcuts.globalShortcut(this, input);
  }

  openHome(userId: string): Promise<DeliveryResult | undefined> {
    return shortcuts.openHome(this, userId);
  }

  /** Delivers an Events API event_callback to Quell, signed, as JSON. */
  deliverEvent(event: Json, options: { retryNum?: number } = {}): Promise<DeliveryResult> {
    return events.deliverEvent(this, event, options);
  }

  /** Posts scheduled messages that are due at `at` now instead of waiting for their timers. */
  runDueScheduled(at: Date = new Date()): number {
    return scheduled.runDueScheduled(this, at);
  }

  issueResponseUrl(target: Omit<ResponseTarget, 'uses' | 'issuedAt'>): string {
    return responseUrls.issueResponseUrl(this, target);
  }

  // HTTP

  private async listen(port: number, host: string): Promise<void> {
    const server = createServer((req, res) => {
      route(this, req, res).catch((error: unknown) => {
        this.options.logger?.error({ err: error }, 'local workspace request failed');
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
        else res.end();
      });
    });
    server.on('upgrade', (req, socket, head) => this.socket.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
  }

  // the page's API: what a person sees and does, as JSON
}
