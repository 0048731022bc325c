import nock from 'nock';
import { validateMessageBlocks, validateView } from '../../src/local/emulator/validate/index.js';

/**
 * The Slack Web API faked with nock: answers every method Quell calls with Slack's documented
 * response shape and records each call (method + decoded params), so tests assert the exact calls.
 * Errors are Slack's: HTTP 200 with `{ ok: false, error }`, or HTTP 429 with Retry-After.
 */
export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  token: string | undefined;
}

type Reply = { status?: number; headers?: Record<string, string>; body: Record<string, unknown> };
type Responder = (params: Record<string, unknown>) => Reply | Record<string, unknown>;

export interface FakeUser {
  id: string;
  name: string;
  is_bot?: boolean;
  deleted?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  /** Multi-channel guest. */
  is_restricted?: boolean;
  /** Single-channel guest. */
  is_ultra_restricted?: boolean;
  /** The person's own team (another organisation's for Slack Connect); default T0QUELL. */
  team_id?: string;
}

/** The fake workspace's team, as auth.test and every profile name it. */
export const FAKE_TEAM_ID = 'T0QUELL';

export const SLACK_API_ORIGIN = 'https://slack.com';

export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  readonly responseUrlPosts: { path: string; body: Record<string, unknown> }[] = [];
  private readonly overrides = new Map<string, Responder[]>();
  private readonly takenNames = new Set<string>();
  private readonly users = new Map<string, FakeUser>();
  private readonly usergroups = new Map<string, string[]>();
  private channelCounter = 0;
  private tsCounter = 0;
  /** Messages per channel for conversations.history / conversations.replies (seedChannel). */
  private readonly channelMessages = new Map<string, SeededMessage[]>();
  /** Bytes POSTed to files upload URLs (files upload v2, step 2). */
  readonly fileUploads: { path: string; body: string }[] = [];
  private fileCounter = 0;
  private readonly rateLimitsAt = new Map<string, number[]>();
  private readonly rateLimitRetryAfter = new Map<string, number>();
  private readonly scopes: nock.Scope[] = [];

  constructor(options: { users?: FakeUser[]; usergroups?: Record<string, string[]> } = {}) {
    for (const user of options.users ?? []) this.users.set(user.id, user);
    for (const [id, members] of Object.entries(options.usergroups ?? {})) this.usergroups.set(id, members);
    this.scopes.push(
      nock(SLACK_API_ORIGIN)
        .persist()
        .post(/^\/api\/[\w.]+$/)
        .reply((uri, body) => {
          const method = uri.replace('/api/', '');
          const params = decodeBody(body);
          const token = (params.token as string | undefined) ?? undefined;
          this.calls.push({ method, params, token });
          const reply = this.respond(method, params);
          return [reply.status ?? 200, reply.body, { 'content-type': 'application/json', ...reply.headers }];
        }),
      nock('https://hooks.slack.com')
        .persist()
        .post(/.*/)
        .reply((uri, body) => {
          this.responseUrlPosts.push({ path: uri, body: decodeBody(body) });
          return [200, 'ok'];
        }),
      nock('https://files.slack.com')
        .persist()
        .post(/^\/upload\/v1\//)
        .reply((uri, body) => {
          this.fileUploads.push({ path: uri, body: String(body) });
          return [200, 'OK - 123', { 'content-type': 'text/plain' }];
        }),
    );
  }

  /** Answers the next call(s) of `method` with a Slack error code, or with a custom reply. */
  failNext(method: string, error: string, times = 1): this {
    for (let i = 0; i < times; i++) this.queue(method, () => ({ body: { ok: false, error } }));
    return this;
  }

  rateLimitNext(method: string, retryAfterSeconds = 1): this {
    return this.queue(method, () => ({
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: { ok: false, error: 'ratelimited' },
    }));
  }

  /** The `nth` call of `method` from now on (1 = the next one) gets a 429 with Retry-After. */
  rateLimitNth(method: string, nth: number, retryAfterSeconds = 1): this {
    const at = this.callsTo(method).length + nth;
    this.rateLimitsAt.set(method, [...(this.rateLimitsAt.get(method) ?? []), at]);
    this.rateLimitRetryAfter.set(`${method}#${at}`, retryAfterSeconds);
    return this;
  }

  queue(method: string, responder: Responder): this {
    const list = this.overrides.get(method) ?? [];
    list.push(responder);
    this.overrides.set(method, list);
    return this;
  }

  /**
   * Gives a channel messages for conversations.history (top level, newest first) and
   * conversations.replies (parent first, then replies oldest first). A reply has `thread_ts` set to
   * its parent's ts; pages are cut at `limit` and chained with opaque cursors, as Slack does.
   */
  seedChannel(channel: string, messages: SeededMessage[]): this {
    this.channelMessages.set(channel, [...(this.channelMessages.get(channel) ?? []), ...messages]);
    return this;
  }

  takeChannelName(name: string): this {
    this.takenNames.add(name);
    return this;
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  close(): void {
    for (const scope of this.scopes) scope.persist(false);
    nock.cleanAll();
  }

  private respond(method: string, params: Record<string, unknown>): Reply {
    const callNumber = this.callsTo(method).length;
    if (this.rateLimitsAt.get(method)?.includes(callNumber))
      return {
        status: 429,
        headers: { 'retry-after': String(this.rateLimitRetryAfter.get(`${method}#${callNumber}`) ?? 1) },
        body: { ok: false, error: 'ratelimited' },
      };
    const override = this.overrides.get(method)?.shift();
    if (override) {
      const reply = override(params);
      return 'body' in reply ? (reply as Reply) : { body: reply as Record<string, unknown> };
    }
    return { body: this.defaultReply(method, params) };
  }

  private defaultReply(method: string, params: Record<string, unknown>): Record<string, unknown> {
    const refused = blockKitRefusal(method, params);
    if (refused) return refused;
    const ts = () => `1700000000.${String(++this.tsCounter).padStart(6, '0')}`;
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://quell-test.slack.com/',
          team: 'Quell Test',
          user: 'quell',
          team_id: 'T0QUELL',
          user_id: 'U0QUELLBOT',
          bot_id: 'B0QUELL',
        };
      case 'conversations.create': {
        const name = String(params.name);
        if (this.takenNames.has(name)) return { ok: false, error: 'name_taken' };
        this.takenNames.add(name);
        const id = `C0INC${String(++this.channelCounter).padStart(4, '0')}`;
        return {
          ok: true,
          channel: {
            id,
            name,
            is_channel: true,
            is_private: false,
            created: 1700000000,
            creator: 'U0QUELLBOT',
          },
        };
      }
      case 'conversations.setTopic':
        return { ok: true, channel: { id: params.channel, topic: { value: params.topic } } };
      case 'conversations.setPurpose':
        return { ok: true, channel: { id: params.channel, purpose: { value: params.purpose } } };
      case 'conversations.invite':
        return { ok: true, channel: { id: params.channel } };
      case 'usergroups.users.list': {
        const users = this.usergroups.get(String(params.usergroup));
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'chat.postMessage':
        return {
          ok: true,
          channel: params.channel,
          ts: ts(),
          message: { text: params.text, blocks: params.blocks },
        };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: ts() };
      case 'chat.update':
        return { ok: true, channel: params.channel, ts: params.ts, text: params.text };
      case 'pins.add':
        return { ok: true };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: params.channel,
          permalink: `https://quell-test.slack.com/archives/${params.channel}/p${String(params.message_ts).replace('.', '')}`,
        };
      case 'users.info': {
        // A person the test did not list is an ordinary full member named by their id (the
        // permission model looks up whoever acts); `users` lists the ones a test cares about.
        const id = String(params.user);
        const user = this.users.get(id) ?? (/^[UW][A-Z0-9]+$/.test(id) ? { id, name: id } : undefined);
        return user
          ? {
              ok: true,
              user: {
                id: user.id,
                team_id: user.team_id ?? FAKE_TEAM_ID,
                name: user.name,
                real_name: user.name,
                is_bot: user.is_bot ?? false,
                deleted: user.deleted ?? false,
                is_admin: user.is_admin ?? false,
                is_owner: user.is_owner ?? false,
                is_restricted: user.is_restricted ?? false,
                is_ultra_restricted: user.is_ultra_restricted ?? false,
              },
            }
          : { ok: false, error: 'user_not_found' };
      }
      case 'views.open':
        return { ok: true, view: { id: 'V0DECLARE', type: 'modal' } };
      case 'views.publish': {
        // Slack requires user_id and a JSON view; the reply echoes the published view
        const view =
          typeof params.view === 'object' && params.view !== null
            ? (params.view as Record<string, unknown>)
            : undefined;
        if (!params.user_id || !view) return { ok: false, error: 'invalid_arguments' };
        return {
          ok: true,
          view: {
            id: 'V0HOME',
            team_id: 'T0QUELL',
            type: view.type,
            blocks: view.blocks ?? [],
            callback_id: view.callback_id ?? '',
            private_metadata: view.private_metadata ?? '',
            state: { values: {} },
            hash: '1700000000.home',
            root_view_id: 'V0HOME',
            app_id: 'A0QUELL',
            bot_id: 'B0QUELL',
          },
        };
      }
      case 'conversations.history': {
        const all = this.channelMessages.get(String(params.channel));
        if (!all) return { ok: false, error: 'channel_not_found' };
        const topLevel = all
          .filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')
          .filter((m) => params.latest === undefined || Number(m.ts) <= Number(params.latest))
          .sort((a, b) => Number(b.ts) - Number(a.ts));
        return {
          ...paginate(topLevel, params, 100),
          pin_count: 0,
          channel_actions_ts: null,
          channel_actions_count: 0,
        };
      }
      case 'conversations.replies': {
        const all = this.channelMessages.get(String(params.channel));
        if (!all) return { ok: false, error: 'channel_not_found' };
        const parent = all.find((m) => m.ts === params.ts);
        if (!parent) return { ok: false, error: 'thread_not_found' };
        const replies = all
          .filter((m) => m.thread_ts === params.ts && m.ts !== params.ts)
          .filter((m) => params.latest === undefined || Number(m.ts) <= Number(params.latest))
          .sort((a, b) => Number(a.ts) - Number(b.ts));
        return paginate([parent, ...replies], params, 1000);
      }
      case 'files.getUploadURLExternal': {
        if (!params.filename || !Number(params.length)) return { ok: false, error: 'missing_argument' };
        const fileId = `F0FILE${String(++this.fileCounter).padStart(4, '0')}`;
        return { ok: true, upload_url: `https://files.slack.com/upload/v1/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const files = (params.files as { id: string; title?: string }[] | undefined) ?? [];
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title ?? null })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

export type SeededMessage = { ts: string; thread_ts?: string; subtype?: string } & Record<string, unknown>;

/** Slack's cursor pagination over a list: `limit` per page, `next_cursor` while more remain. */
function paginate(items: SeededMessage[], params: Record<string, unknown>, defaultLimit: number) {
  const limit = Number(params.limit ?? defaultLimit);
  const start = params.cursor ? Number(Buffer.from(String(params.cursor), 'base64').toString().slice(8)) : 0;
  const page = items.slice(start, start + limit);
  const hasMore = start + limit < items.length;
  return {
    ok: true,
    messages: page,
    has_more: hasMore,
    response_metadata: {
      next_cursor: hasMore ? Buffer.from(`next_ts:${start + limit}`).toString('base64') : '',
    },
  };
}

/** The Web API client sends form-encoded params; blocks and other structures arrive as JSON strings. */
function decodeBody(body: unknown): Record<string, unknown> {
  if (typeof body === 'object' && body !== null) return body as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(String(body ?? ''))) {
    params[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return params;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const MESSAGE_METHODS = new Set([
  'chat.postMessage',
  'chat.postEphemeral',
  'chat.update',
  'chat.scheduleMessage',
]);
const VIEW_METHODS: Record<string, 'modal' | 'home' | 'any'> = {
  'views.open': 'modal',
  'views.push': 'modal',
  'views.update': 'any',
  'views.publish': 'home',
};

/**
 * Slack's Block Kit refusal, from the emulator's validator: `invalid_blocks` for chat.* and
 * `invalid_arguments` for views.*, with `response_metadata.messages`, so nock-based tests refuse
 * what Slack refuses too. Overrides (`fake.on(...)`) answer before this.
 */
function blockKitRefusal(
  method: string,
  params: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (MESSAGE_METHODS.has(method) && params.blocks !== undefined) {
    const result = validateMessageBlocks(params.blocks);
    if (!result.ok) return { ...result, errors: result.response_metadata.messages };
  }
  const expected = VIEW_METHODS[method];
  if (expected && typeof params.view === 'object' && params.view !== null) {
    const result = validateView(params.view, expected);
    if (!result.ok) return result;
  }
  return undefined;
}
