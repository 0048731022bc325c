import { ErrorCode, type WebClient, type WebClientOptions } from '@slack/web-api';
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

/** The chat port over Slack's Web API. Slack's `ok:false` errors become ChatError with Slack's code. */
export class SlackWebChat implements ChatPort {
  constructor(private readonly client: WebClient) {}

  async createChannel(name: string) {
    const result = await call('conversations.create', () =>
      this.client.conversations.create({ name, is_private: false }),
    );
    return { id: result.channel!.id!, name: result.channel!.name! };
  }

  async setTopic(channel: string, topic: string) {
    await call('conversations.setTopic', () => this.client.conversations.setTopic({ channel, topic }));
  }

  async setPurpose(channel: string, purpose: string) {
    await call('conversations.setPurpose', () => this.client.conversations.setPurpose({ channel, purpose }));
  }

  async inviteUsers(channel: string, users: readonly string[]): Promise<InviteFailure[]> {
    const failures: InviteFailure[] = [];
    // conversations.invite takes at most 100 users per call
    for (let i = 0; i < users.length; i += 100) {
      const batch = users.slice(i, i + 100);
      try {
        // force: invite the valid users even when some ids are refused, and list the refusals
        const result = await call('conversations.invite', () =>
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
    const result = await call('usergroups.users.list', () =>
      this.client.usergroups.users.list({ usergroup }),
    );
    return result.users ?? [];
  }

  async postMessage(channel: string, message: ChatMessage, options: { threadTs?: string } = {}) {
    const result = await call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
        unfurl_links: false,
      }),
    );
    return { ts: result.ts! };
  }

  async postEphemeral(channel: string, user: string, message: ChatMessage) {
    await call('chat.postEphemeral', () =>
      this.client.chat.postEphemeral({
        channel,
        user,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
      }),
    );
  }

  async updateMessage(channel: string, ts: string, message: ChatMessage) {
    await call('chat.update', () =>
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
      await call('pins.add', () => this.client.pins.add({ channel, timestamp: ts }));
    } catch (error) {
      if (!(error instanceof ChatError && error.code === 'already_pinned')) throw error;
    }
  }

  async permalink(channel: string, ts: string) {
    const result = await call('chat.getPermalink', () =>
      this.client.chat.getPermalink({ channel, message_ts: ts }),
    );
    return result.permalink!;
  }

  async userInfo(user: string) {
    const result = await call('users.info', () => this.client.users.info({ user }));
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
      ...(u.enterprise_user?.enterprise_id ? { enterpriseId: u.enterprise_user.enterprise_id } : {}),
    };
  }

  // History and replies: the WebClient waits out a 429 for its Retry-After and re-sends the very same
  // request (same cursor), so a rate-limited page is fetched again, never skipped or repeated.
  async channelHistoryPage(channel: string, page: PageRequest): Promise<MessagePage> {
    const result = await call('conversations.history', () =>
      this.client.conversations.history({
        channel,
        limit: page.limit,
        include_all_metadata: true,
        ...(page.cursor ? { cursor: page.cursor } : {}),
        ...(page.latest ? { latest: page.latest, inclusive: true } : {}),
      }),
    );
    return toPage(result);
  }

  async threadRepliesPage(channel: string, threadTs: string, page: PageRequest): Promise<MessagePage> {
    const result = await call('conversations.replies', () =>
      this.client.conversations.replies({
        channel,
        ts: threadTs,
        limit: page.limit,
        include_all_metadata: true,
        ...(page.cursor ? { cursor: page.cursor } : {}),
        ...(page.latest ? { latest: page.latest, inclusive: true } : {}),
      }),
    );
    return toPage(result);
  }

  /** Files upload v2: a URL per file, the bytes POSTed there, then one call that shares them all. */
  async shareFiles(channel: string, files: readonly SharedFile[], comment: string) {
    const uploaded: { id: string; title: string }[] = [];
    for (const file of files) {
      const ticket = await call('files.getUploadURLExternal', () =>
        this.client.files.getUploadURLExternal({ filename: file.filename, length: file.content.byteLength }),
      );
      const response = await fetch(ticket.upload_url!, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: file.content,
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new ChatError('files.upload', `http_${response.status}`);
      uploaded.push({ id: ticket.file_id!, title: file.title });
    }
    await call('files.completeUploadExternal', () =>
      this.client.files.completeUploadExternal({
        files: uploaded as [{ id: string; title: string }],
        channel_id: channel,
        initial_comment: comment,
      }),
    );
    return { fileIds: uploaded.map((f) => f.id) };
  }
}

function toPage(result: { messages?: unknown[]; response_metadata?: { next_cursor?: string } }): MessagePage {
  const nextCursor = result.response_metadata?.next_cursor || undefined;
  return { messages: (result.messages ?? []) as RawChatMessage[], ...(nextCursor ? { nextCursor } : {}) };
}

/** Runs a Web API call and turns a platform error into a ChatError carrying Slack's error code. */
async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const data = (error as { data?: { error?: string } }).data;
    if (data?.error) throw new ChatError(method, data.error);
    throw unavailable(method, error) ?? error;
  }
}

/** Rate limits, 5xx and network failures: worth trying again later (ChatUnavailableError). */
function unavailable(method: string, error: unknown): ChatUnavailableError | undefined {
  const e = error as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    headers?: Record<string, string>;
  };
  if (e.code === ErrorCode.RateLimitedError)
    return new ChatUnavailableError(method, 'ratelimited', (e.retryAfter ?? 1) * 1000, { cause: error });
  if (e.code === ErrorCode.HTTPError && (e.statusCode ?? 0) >= 500) {
    const retryAfter = Number.parseInt(e.headers?.['retry-after'] ?? '', 10);
    return new ChatUnavailableError(
      method,
      `http_${e.statusCode}`,
      Number.isNaN(retryAfter) ? undefined : retryAfter * 1000,
      { cause: error },
    );
  }
  if (e.code === ErrorCode.RequestError)
    return new ChatUnavailableError(method, 'unreachable', undefined, { cause: error });
  return undefined;
}

/**
 * Web API client options for background jobs (reminders): no waiting inside the client. A 429, 5xx
 * or network failure surfaces at once as ChatUnavailableError, so the job queue retries with its own
 * backoff (honouring Retry-After) instead of a job sitting in the client for up to half an hour.
 */
export const BACKGROUND_CLIENT_OPTIONS = {
  rejectRateLimitedCalls: true,
  retryConfig: { retries: 0 },
  timeout: 15_000,
} as const satisfies WebClientOptions;
