/**
 * What the domain needs from the chat workspace, in the domain's own words. The Slack Web API
 * implements it (src/slack/web-chat.ts); domain code never imports Bolt or the Web API client.
 */

import type { KnownBlock, View } from '@slack/types';

/**
 * A Block Kit block as Slack's own types describe it; built by src/slack/blocks, carried opaquely by
 * the domain (type-only import: the domain never loads a Slack package at run time).
 */
export type Block = KnownBlock;

/** A modal or Home tab, as Slack's types describe it. */
export type ChatView = View;

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
  /** Workspace admin or owner (permissions: `admins`). */
  isAdmin?: boolean;
  isOwner?: boolean;
  /** Multi-channel (`isRestricted`) and single-channel (`isUltraRestricted`) guests. */
  isRestricted?: boolean;
  isUltraRestricted?: boolean;
  /** The person's own team; another organisation's for Slack Connect. Set whenever the workspace says. */
  teamId?: string;
  enterpriseId?: string;
}

export interface InviteFailure {
  user: string;
  error: string;
}

/** A chat message exactly as the workspace returned it (Slack's message object, untouched). */
export type RawChatMessage = { ts: string } & Record<string, unknown>;

/** One page of messages; `nextCursor` is set when there is another page to read. */
export interface MessagePage {
  messages: RawChatMessage[];
  nextCursor?: string;
}

export interface PageRequest {
  cursor?: string;
  limit: number;
  /** Only messages at or before this ts (inclusive), so a re-read covers the same window. */
  latest?: string;
}

/** A file to share into a channel (evidence transcripts, manifests). */
export interface SharedFile {
  filename: string;
  title: string;
  content: Uint8Array;
}

export interface ChatPort {
  /** A new channel; `isPrivate` makes it a private channel (only its members see it). */
  createChannel(name: string, options?: { isPrivate?: boolean }): Promise<ChannelRef>;
  /** Who is in a channel (all pages). */
  channelMembers(channel: string): Promise<string[]>;
  /** The channel with this name the app can see (public, or private with the bot in it), if any. */
  findChannel(name: string): Promise<ChannelRef | undefined>;
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
  /**
   * One page of a channel's top-level messages, newest first. Rate limits are waited out and the
   * same page re-requested (never skipped); only a refusal surfaces, as ChatError.
   */
  channelHistoryPage(channel: string, page: PageRequest): Promise<MessagePage>;
  /** One page of a thread: the parent first, then replies oldest first. Same rate-limit contract. */
  threadRepliesPage(channel: string, threadTs: string, page: PageRequest): Promise<MessagePage>;
  /** Uploads files and shares them in the channel with one introducing comment. */
  shareFiles(channel: string, files: readonly SharedFile[], comment: string): Promise<{ fileIds: string[] }>;
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

/**
 * The workspace could not be reached, failed (HTTP 5xx) or asked to slow down (HTTP 429): the same
 * call may well succeed later. `retryAfterMs` is the wait the workspace asked for, when it said.
 */
export class ChatUnavailableError extends Error {
  constructor(
    readonly method: string,
    readonly reason: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`${method} failed: ${reason}`, options);
    this.name = 'ChatUnavailableError';
  }
}

export function chatErrorCode(error: unknown): string {
  return error instanceof ChatError ? error.code : (error as Error)?.message || String(error);
}
