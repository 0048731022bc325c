import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ChatMessage } from '../../chat/port.js';
import type { Logger } from '../../logging/logger.js';
import { userFacingMessage } from '../user-facing-error.js';

/** Where the person who sent a request can be reached. */
export interface ReplyTarget {
  user: string;
  /** The channel the request came from (a form: the channel it was opened in). */
  channel?: string;
  /** The request's response_url, when Slack gave one (commands, actions, shortcuts). */
  respond?: RespondFn;
  /** Extra fields for response_url replies: action replies must not replace the clicked message. */
  respondDefaults?: Record<string, unknown>;
}

export type ReplyMessage = string | ChatMessage;

/** Which way a reply reached the person; `lost` only when Slack refused every way (logged). */
export type ReplyRoute = 'response_url' | 'ephemeral' | 'dm' | 'lost';

/**
 * The one reply policy for results and errors. An ephemeral where the person is: the request's
 * response_url when it has one (it works in channels Quell is not in), else chat.postEphemeral in
 * the channel the request came from. When that is refused (`not_in_channel`, `channel_not_found`,
 * an expired response_url) the other one is tried, and last a DM from the bot, which people see in
 * Quell's Messages tab (the manifest enables it read-only). A person waiting never hears nothing.
 */
export class Reply {
  constructor(
    private readonly client: WebClient,
    private readonly target: ReplyTarget,
    private readonly logger: Logger,
  ) {}

  get user(): string {
    return this.target.user;
  }

  /** Tells the person privately. */
  async tell(message: ReplyMessage): Promise<ReplyRoute> {
    const msg = typeof message === 'string' ? { text: message } : message;
    const { respond, channel, user } = this.target;
    const routes: [ReplyRoute, () => Promise<unknown>][] = [];
    if (respond)
      routes.push([
        'response_url',
        () => respond({ response_type: 'ephemeral', ...this.target.respondDefaults, ...msg } as never),
      ]);
    if (channel)
      routes.push([
        'ephemeral',
        () => this.client.chat.postEphemeral({ channel, user, text: msg.text, ...blocksOf(msg) }),
      ]);
    routes.push([
      'dm',
      () => this.client.chat.postMessage({ channel: user, text: msg.text, ...blocksOf(msg) }),
    ]);
    for (const [route, send] of routes) {
      try {
        await send();
        return route;
      } catch (error) {
        this.logger.info(
          { route, user, channel, error: slackErrorCode(error) },
          'reply refused, trying the next way',
        );
      }
    }
    this.logger.warn({ user, channel }, 'could not reach the person by any reply route');
    return 'lost';
  }

  /** The failure as the person should read it (QuellError's message, or the generic line with a ref). */
  async fail(error: unknown): Promise<ReplyRoute> {
    return this.tell(userFacingMessage(error, this.logger));
  }

  /**
   * Replaces the message the person clicked (a confirmation prompt becomes its outcome). Without a
   * response_url, or when Slack refuses, the outcome is told privately instead.
   */
  async replace(message: ReplyMessage): Promise<ReplyRoute> {
    const msg = typeof message === 'string' ? { text: message } : message;
    if (this.target.respond) {
      try {
        await this.target.respond({ replace_original: true, ...msg } as never);
        return 'response_url';
      } catch (error) {
        this.logger.info({ error: slackErrorCode(error) }, 'could not replace the original message');
      }
    }
    return this.tell(msg);
  }
}

function blocksOf(message: ChatMessage) {
  return message.blocks ? { blocks: message.blocks as never } : {};
}

/** Slack's error code of a failed Web API call (`not_in_channel`), or the error's message. */
export function slackErrorCode(error: unknown): string {
  const data = (error as { data?: { error?: string } }).data;
  return data?.error ?? (error instanceof Error ? error.message : String(error));
}
