import { ErrorCode, WebClient, type WebClientOptions } from '@slack/web-api';
import {
  ChatError,
  type ChatMessage,
  type ChatPort,
  ChatUnavailableError,
  type InviteFailure,
  type MessagePage,
  type PageRequest,
  type RawChatMessage,
  type SharedFile,
} from '../chat/port.js';
import type { Rate, SharedPacer } from '../jobs/pacer.js';
import { metrics } from '../ops/metrics.js';
import { type PaceKey, paceKeyOf } from './web-api-pacing.js';

/**
 * How a chat client behaves around each Web API call.
 * - `request`: a person is waiting (boundary replies, request-path services). Waits briefly for a
 *   pacing slot or a short Retry-After, then fails with ChatUnavailableError.
 * - `background`: jobs. Fails fast on anything it would otherwise wait for (a slot further away
 *   than a moment, a 429, a 5xx, a timeout) so the job runtime retries with its backoff and the
 *   worker's slot is free for other jobs meanwhile.
 * Either way no 429 pauses the client as a whole: a rate limit slows the one method (or, for
 * posting, the one channel) it was for, across every replica sharing the pacer.
 */
export interface ChatCallPolicy {
  mode: 'request' | 'background';
  /** Every call gives up after this long (the WebClient's per-request timeout, plus a safety net). */
  timeoutMs: number;
  /** Shared Redis pacing per method and per channel; without it calls are not paced (tests). */
  pacer?: SharedPacer;
  /** Per-method rates that replace Slack's tier (evidence.pace for history and replies). */
  rates?: Readonly<Record<string, Rate>>;
}

/** How long a call may wait for its pacing slot or a Retry-After before it fails instead. */
const MAX_WAIT_MS = { request: 3_000, background: 1_000 } as const;
/** Paged reads (history, replies) wait out rate limits (the ChatPort contract), up to this in all. */
const PAGE_WAIT_BUDGET_MS = 5 * 60_000;

const DEFAULT_POLICY: ChatCallPolicy = { mode: 'request', timeoutMs: 10_000 };

interface CallContext {
  /** The channel a per-channel-limited method posts into. */
  channel?: string;
  /** Wait out rate limits and re-send the same request (paged reads). */
  waitOut?: boolean;
}

/** The chat port over Slack's Web API. Slack's `ok:false` errors become ChatError with Slack's code. */
export class SlackWebChat implements ChatPort {
  constructor(
    private readonly client: WebClient,
    private readonly policy: ChatCallPolicy = DEFAULT_POLICY,
  ) {}

  async createChannel(name: string, options: { isPrivate?: boolean } = {}) {
    const result = await this.call('conversations.create', () =>
      this.client.conversations.create({ name, is_private: options.isPrivate ?? false }),
    );
    return { id: result.channel!.id!, name: result.channel!.name! };
  }

  async channelMembers(channel: string): Promise<string[]> {
    const members: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await this.call('conversations.members', () =>
        this.client.conversations.members({ channel, limit: 1000, ...(cursor ? { cursor } : {}) }),
      );
      members.push(...(result.members ?? []));
      cursor = result.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return members;
  }

  async findChannel(name: string) {
    let cursor: string | undefined;
    do {
      const result = await this.call('conversations.list', () =>
        this.client.conversations.list({
          types: 'public_channel,private_channel',
          exclude_archived: true,
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        }),
      );
      const found = result.channels?.find((c) => c.name === name);
      if (found?.id) return { id: found.id, name };
      cursor = result.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }

  async setTopic(channel: string, topic: string) {
    await this.call('conversations.setTopic', () => this.client.conversations.setTopic({ channel, topic }));
  }

  async setPurpose(channel: string, purpose: string) {
    await this.call('conversations.setPurpose', () =>
      this.client.conversations.setPurpose({ channel, purpose }),
    );
  }

  async inviteUsers(channel: string, users: readonly string[]): Promise<InviteFailure[]> {
    const failures: InviteFailure[] = [];
    // conversations.invite takes at most 100 users per call
    for (let i = 0; i < users.length; i += 100) {
      const batch = users.slice(i, i + 100);
      try {
        // force: invite the valid users even when some ids are refused, and list the refusals
        const result = await this.call('conversations.invite', () =>
          this.client.conversations.invite({ channel, users: batch.join(','), force: true }),
        );
        for (const e of (result as { errors?: { user?: string; error?: string }[] }).errors ?? []) {
          if (e.error !== 'already_in_channel')
            failures.push({ user: e.user ?? '?', error: e.error ?? 'unknown' });
        }
      } catch (error) {
        if (!(error instanceof ChatError)) throw error;
        if (error.code === 'already_in_channel') continue;
        if (batch.length === 1) {
          failures.push({ user: batch[0]!, error: error.code });
          continue;
        }
        // the whole batch was refused: try each user so one bad id does not keep the rest out
        for (const user of batch) failures.push(...(await this.inviteUsers(channel, [user])));
      }
    }
    return failures;
  }

  async usergroupMembers(usergroup: string): Promise<string[]> {
    const result = await this.call('usergroups.users.list', () =>
      this.client.usergroups.users.list({ usergroup }),
    );
    return result.users ?? [];
  }

  async postMessage(channel: string, message: ChatMessage, options: { threadTs?: string } = {}) {
    const result = await this.call(
      'chat.postMessage',
      () =>
        this.client.chat.postMessage({
          channel,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : {}),
          ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
          unfurl_links: false,
        }),
      { channel },
    );
    return { ts: result.ts! };
  }

  async postEphemeral(channel: string, user: string, message: ChatMessage) {
    await this.call('chat.postEphemeral', () =>
      this.client.chat.postEphemeral({
        channel,
        user,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
      }),
    );
  }

  async updateMessage(channel: string, ts: string, message: ChatMessage) {
    await this.call('chat.update', () =>
      this.client.chat.update({
        channel,
        ts,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
      }),
    );
  }

  async pinMessage(channel: string, ts: string) {
    try {
      await this.call('pins.add', () => this.client.pins.add({ channel, timestamp: ts }));
    } catch (error) {
      if (!(error instanceof ChatError && error.code === 'already_pinned')) throw error;
    }
  }

  async permalink(channel: string, ts: string) {
    const result = await this.call('chat.getPermalink', () =>
      this.client.chat.getPermalink({ channel, message_ts: ts }),
    );
    return result.permalink!;
  }

  async userInfo(user: string) {
    const result = await this.call('users.info', () => this.client.users.info({ user }));
    const u = result.user!;
    return {
      id: u.id!,
      name: u.real_name || u.name || u.id!,
      isBot: Boolean(u.is_bot),
      deleted: Boolean(u.deleted),
      // who may do what (incidents/permissions.ts): admins, guests, other organisations
      isAdmin: Boolean(u.is_admin),
      isOwner: Boolean(u.is_owner || u.is_primary_owner),
      isRestricted: Boolean(u.is_restricted),
      isUltraRestricted: Boolean(u.is_ultra_restricted),
      ...(u.team_id ? { teamId: u.team_id } : {}),
      // the evidence bundle's users.json (users:read.email); absent without the scope
      ...(u.profile?.email ? { email: u.profile.email } : {}),
      ...(u.enterprise_user?.enterprise_id ? { enterpriseId: u.enterprise_user.enterprise_id } : {}),
    };
  }

  // History and replies: a 429 is waited out for its Retry-After (shared with every replica) and the
  // very same request (same cursor) re-sent, so a rate-limited page is fetched again, never skipped
  // or repeated, and no other method waits meanwhile.
  async channelHistoryPage(channel: string, page: PageRequest): Promise<MessagePage> {
    const result = await this.call(
      'conversations.history',
      () =>
        this.client.conversations.history({
          channel,
          limit: page.limit,
          include_all_metadata: true,
          ...(page.cursor ? { cursor: page.cursor } : {}),
          ...(page.latest ? { latest: page.latest, inclusive: true } : {}),
        }),
      { waitOut: true },
    );
    return toPage(result);
  }

  async threadRepliesPage(channel: string, threadTs: string, page: PageRequest): Promise<MessagePage> {
    const result = await this.call(
      'conversations.replies',
      () =>
        this.client.conversations.replies({
          channel,
          ts: threadTs,
          limit: page.limit,
          include_all_metadata: true,
          ...(page.cursor ? { cursor: page.cursor } : {}),
          ...(page.latest ? { latest: page.latest, inclusive: true } : {}),
        }),
      { waitOut: true },
    );
    return toPage(result);
  }

  /** Files upload v2: a URL per file, the bytes POSTed there, then one call that shares them all. */
  async shareFiles(channel: string, files: readonly SharedFile[], comment: string) {
    const uploaded: { id: string; title: string }[] = [];
    for (const file of files) {
      const ticket = await this.call('files.getUploadURLExternal', () =>
        this.client.files.getUploadURLExternal({ filename: file.filename, length: file.content.byteLength }),
      );
      let response: Response;
      try {
        response = await fetch(ticket.upload_url!, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: file.content,
          // a large file gets longer than one call's timeout, but never forever
          signal: AbortSignal.timeout(this.policy.timeoutMs * 4),
        });
        await response.arrayBuffer();
      } catch (error) {
        throw new ChatUnavailableError('files.upload', 'unreachable', undefined, { cause: error });
      }
      if (response.status >= 500 || response.status === 429)
        throw new ChatUnavailableError('files.upload', `http_${response.status}`);
      if (response.status !== 200) throw new ChatError('files.upload', `http_${response.status}`);
      uploaded.push({ id: ticket.file_id!, title: file.title });
    }
    await this.call('files.completeUploadExternal', () =>
      this.client.files.completeUploadExternal({
        files: uploaded as [{ id: string; title: string }],
        channel_id: channel,
        initial_comment: comment,
      }),
    );
    return { fileIds: uploaded.map((f) => f.id) };
  }

  /**
   * Runs one Web API call: waits for its shared pacing slot, bounds it by the timeout, turns a
   * platform error into ChatError (Slack's code) or ChatUnavailableError (429, 5xx, network,
   * timeout), and shares a 429's Retry-After with every replica through the pacer.
   */
  private async call<T>(method: string, run: () => Promise<T>, context: CallContext = {}): Promise<T> {
    const pace = this.policy.pacer ? paceKeyOf(method, context.channel, this.policy.rates) : undefined;
    const maxWait = context.waitOut ? PAGE_WAIT_BUDGET_MS : MAX_WAIT_MS[this.policy.mode];
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (pace) await this.waitForSlot(method, pace, maxWait - (Date.now() - started));
      if (attempt > 1) metrics.slackRetry(method);
      try {
        const result = await this.bounded(method, run);
        metrics.slackCall(method, 'ok');
        return result;
      } catch (error) {
        const failure = classify(method, error);
        const limited = failure instanceof ChatUnavailableError && failure.reason === 'ratelimited';
        metrics.slackCall(method, limited ? 'rate_limited' : 'error');
        if (!limited) throw failure;
        const retryAfterMs = failure.retryAfterMs ?? 1_000;
        if (pace)
          await this.policy.pacer!.penalize(pace.name, pace.rate, retryAfterMs).catch(() => undefined);
        const budget = maxWait - (Date.now() - started);
        const mayWait = context.waitOut || (this.policy.mode === 'request' && attempt === 1);
        if (!mayWait || retryAfterMs > budget) throw failure;
        // with a pacer the next slot already lies after the Retry-After; without one, sleep it here
        if (!pace) await sleep(retryAfterMs);
      }
    }
  }

  private async waitForSlot(method: string, pace: PaceKey, maxWaitMs: number): Promise<void> {
    // pacing needs Redis; a Redis hiccup must not stop Slack calls, so it is then skipped
    const slot = await this.policy
      .pacer!.reserve(pace.name, pace.rate, Math.max(0, maxWaitMs))
      .catch(() => ({ granted: true, waitMs: 0 }) as const);
    if (!slot.granted) throw new ChatUnavailableError(method, 'ratelimited', slot.waitMs);
    if (slot.waitMs > 0) await sleep(slot.waitMs);
  }

  /** The WebClient's own timeout bounds the HTTP request; this net catches anything else that hangs. */
  private async bounded<T>(method: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = this.policy.timeoutMs + 1_000;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ChatUnavailableError(method, 'unreachable', undefined, { cause: `timeout ${limit} ms` }),
          ),
        limit,
      );
    });
    try {
      return await Promise.race([run(), hung]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function toPage(result: { messages?: unknown[]; response_metadata?: { next_cursor?: string } }): MessagePage {
  const nextCursor = result.response_metadata?.next_cursor || undefined;
  return { messages: (result.messages ?? []) as RawChatMessage[], ...(nextCursor ? { nextCursor } : {}) };
}

/** Slack's ok:false → ChatError with its code; rate limits, 5xx, network and timeouts → ChatUnavailableError. */
function classify(method: string, error: unknown): Error {
  if (error instanceof ChatError || error instanceof ChatUnavailableError) return error;
  const e = error as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    headers?: Record<string, string>;
    data?: { error?: string };
  };
  if (e.code === ErrorCode.RateLimitedError)
    return new ChatUnavailableError(method, 'ratelimited', (e.retryAfter ?? 1) * 1000, { cause: error });
  if (e.data?.error) return new ChatError(method, e.data.error);
  if (e.code === ErrorCode.HTTPError && (e.statusCode ?? 0) >= 500) {
    const retryAfter = Number.parseInt(e.headers?.['retry-after'] ?? '', 10);
    return new ChatUnavailableError(
      method,
      `http_${e.statusCode}`,
      Number.isNaN(retryAfter) ? undefined : retryAfter * 1000,
      { cause: error },
    );
  }
  // a timeout or a lost connection: the request may or may not have reached Slack
  if (e.code === ErrorCode.RequestError)
    return new ChatUnavailableError(method, 'unreachable', undefined, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Web API client options for background jobs: no waiting inside the client. A 429, 5xx or network
 * failure surfaces at once as ChatUnavailableError, so the job runtime retries with its own backoff
 * (honouring Retry-After) instead of a job sitting in the client for up to half an hour.
 */
export const BACKGROUND_CLIENT_OPTIONS = {
  rejectRateLimitedCalls: true,
  retryConfig: { retries: 0 },
  timeout: 15_000,
} as const satisfies WebClientOptions;

/**
 * Request-path client options: a 429 is rejected by the client (so it never pauses the client's
 * whole queue, as the WebClient does when it waits one out) and handled per method by
 * SlackWebChat; one quick retry for a network blip; every request bounded by the timeout.
 */
export const REQUEST_CLIENT_OPTIONS = {
  rejectRateLimitedCalls: true,
  retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1_000 },
  timeout: 10_000,
} as const satisfies WebClientOptions;

/**
 * For reads that a job or start-up waits on and that have no retry of their own (bundle pins and
 * files, the id floor's channel list): a hang or 5xx is tried three times in all, quickly, then
 * thrown; the client's default is ten tries over about half an hour.
 */
export const FEW_QUICK_RETRIES = {
  retries: 2,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 2_000,
} as const satisfies WebClientOptions['retryConfig'];

export interface WebChatOptions {
  token: string;
  mode: ChatCallPolicy['mode'];
  timeoutMs: number;
  pacer?: SharedPacer;
  rates?: Readonly<Record<string, Rate>>;
  slackApiUrl?: string;
  logger?: WebClientOptions['logger'];
}

/** The chat client of one kind: request path or background, with its timeout and the shared pacer. */
export function createWebChat(options: WebChatOptions): SlackWebChat {
  const base = options.mode === 'background' ? BACKGROUND_CLIENT_OPTIONS : REQUEST_CLIENT_OPTIONS;
  const client = new WebClient(options.token, {
    ...base,
    timeout: options.timeoutMs,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
  });
  return new SlackWebChat(client, {
    mode: options.mode,
    timeoutMs: options.timeoutMs,
    ...(options.pacer ? { pacer: options.pacer } : {}),
    ...(options.rates ? { rates: options.rates } : {}),
  });
}
