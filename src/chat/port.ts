/**
 * What the domain needs from the chat workspace, in the domain's own words. The Slack Web API
 * implements it (src/slack/web-chat.ts); domain code never imports Bolt or the Web API client.
 */

/** A Block Kit block as plain JSON; built by src/slack/blocks, carried opaquely by the domain. */
export type Block = { type: string } & Record<string, unknown>;

export interface ChatMessage {
  /** Plain-text fallback for notifications and screen readers; always set. */
  text: string;
  blocks?: Block[];
}

export interface ChannelRef {
  id: string;
  name: string;
}

export interface UserProfile {
  id: string;
  name: string;
  isBot: boolean;
  deleted: boolean;
}

export interface InviteFailure {
  user: string;
  error: string;
}

export interface ChatPort {
  createChannel(name: string): Promise<ChannelRef>;
  setTopic(channel: string, topic: string): Promise<void>;
  setPurpose(channel: string, purpose: string): Promise<void>;
  /** Invites what it can; returns the users that could not be invited and why. */
  inviteUsers(channel: string, users: readonly string[]): Promise<InviteFailure[]>;
  usergroupMembers(usergroup: string): Promise<string[]>;
  postMessage(
    channel: string,
    message: ChatMessage,
    options?: { threadTs?: string },
  ): Promise<{ ts: string }>;
  postEphemeral(channel: string, user: string, message: ChatMessage): Promise<void>;
  updateMessage(channel: string, ts: string, message: ChatMessage): Promise<void>;
  pinMessage(channel: string, ts: string): Promise<void>;
  permalink(channel: string, ts: string): Promise<string>;
  userInfo(user: string): Promise<UserProfile>;
}

/** A chat call that the workspace refused; `code` is Slack's error string (`name_taken`, ...). */
export class ChatError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
  ) {
    super(`${method} failed: ${code}`);
    this.name = 'ChatError';
  }
}

export function chatErrorCode(error: unknown): string {
  return error instanceof ChatError ? error.code : (error as Error)?.message || String(error);
}
