import { Readable } from 'node:stream';
import { WebClient } from '@slack/web-api';
import type { EvidenceReads } from '../evidence/index.js';
import { FEW_QUICK_RETRIES } from './web-chat.js';

/**
 * The evidence bundle's extra Slack reads on the Web API: pins (pins:read), bookmarks
 * (bookmarks:read) and shared files' bytes (files:read: files.info for a current download URL,
 * then the bytes with the bot token, streamed). One call each per archive, so the client's own
 * 429 handling is enough; history paging stays on the shared pacer (SlackWebChat).
 */
export class SlackEvidenceReads implements EvidenceReads {
  constructor(
    private readonly client: WebClient,
    private readonly token: string,
  ) {}

  static create(options: { token: string; slackApiUrl?: string; timeoutMs?: number }): SlackEvidenceReads {
    const client = new WebClient(options.token, {
      timeout: options.timeoutMs ?? 30_000,
      // inside the archive job: a 429's Retry-After is waited out; past the few tries of a hang or
      // 5xx the read becomes a recorded gap
      retryConfig: FEW_QUICK_RETRIES,
      ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    });
    return new SlackEvidenceReads(client, options.token);
  }

  async pins(channel: string): Promise<readonly unknown[]> {
    const result = await this.client.pins.list({ channel });
    return (result.items ?? []) as unknown[];
  }

  async bookmarks(channel: string): Promise<readonly unknown[]> {
    const result = await this.client.bookmarks.list({ channel_id: channel });
    return (result.bookmarks ?? []) as unknown[];
  }

  async downloadFile(file: { id: string; url?: string }): Promise<Readable> {
    const info = await this.client.files.info({ file: file.id });
    const url = info.file?.url_private_download ?? info.file?.url_private ?? file.url;
    if (!url) throw new Error('Slack gave no download URL');
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.token}` } });
    if (!response.ok || !response.body) throw new Error(`the download answered HTTP ${response.status}`);
    return Readable.fromWeb(response.body as never);
  }
}
