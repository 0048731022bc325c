import nock from 'nock';

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
}

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

  queue(method: string, responder: Responder): this {
    const list = this.overrides.get(method) ?? [];
    list.push(responder);
    this.overrides.set(method, list);
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
    const override = this.overrides.get(method)?.shift();
    if (override) {
      const reply = override(params);
      return 'body' in reply ? (reply as Reply) : { body: reply as Record<string, unknown> };
    }
    return { body: this.defaultReply(method, params) };
  }

  private defaultReply(method: string, params: Record<string, unknown>): Record<string, unknown> {
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
        const user = this.users.get(String(params.user));
        return user
          ? {
              ok: true,
              user: {
                id: user.id,
                name: user.name,
                real_name: user.name,
                is_bot: user.is_bot ?? false,
                deleted: user.deleted ?? false,
              },
            }
          : { ok: false, error: 'user_not_found' };
      }
      case 'views.open':
        return { ok: true, view: { id: 'V0DECLARE', type: 'modal' } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
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
