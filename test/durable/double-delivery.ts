import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signature } from '../../src/local/emulator/delivery.js';

/**
 * Sits between the local Slack and Quell's request URL and, while `twice` is on, delivers every
 * request a second time, byte for byte, signed a second later (as a client resend or a Slack retry
 * is, so the receiver's replay guard, which drops exact replays, lets it through): the same trigger
 * id, view id, action ts or event id. Events get the second time
 * with `X-Slack-Retry-Num: 1`, as Slack's Events API retries do.
 */
export class DoubleDelivery {
  twice = false;
  /** Every delivery Quell answered: [kind of body, HTTP status], both copies. */
  readonly answered: { copy: 1 | 2; status: number; retryNum?: string }[] = [];
  private constructor(
    private readonly server: Server,
    private readonly target: string,
    private readonly signingSecret: string,
  ) {}

  static async start(target: string, signingSecret: string): Promise<DoubleDelivery> {
    let proxy!: DoubleDelivery;
    const server = createServer((req, res) => void proxy.handle(req, res));
    proxy = new DoubleDelivery(server, target, signingSecret);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slack/events`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const contentType = String(req.headers['content-type'] ?? 'application/json');
    const retry = req.headers['x-slack-retry-num'] as string | undefined;
    const first = await this.forward(raw, contentType, retry, 0);
    this.answered.push({ copy: 1, status: first.status, ...(retry ? { retryNum: retry } : {}) });
    res.writeHead(first.status, { 'content-type': first.contentType });
    res.end(first.body);
    if (!this.twice) return;
    const event = contentType.includes('json');
    const again = await this.forward(raw, contentType, event ? '1' : retry, 1);
    this.answered.push({ copy: 2, status: again.status, ...(event ? { retryNum: '1' } : {}) });
  }

  private async forward(raw: string, contentType: string, retryNum: string | undefined, laterBy: number) {
    const timestamp = Math.floor(Date.now() / 1000) + laterBy;
    const response = await fetch(this.target, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature(this.signingSecret, timestamp, raw),
        ...(retryNum ? { 'x-slack-retry-num': retryNum, 'x-slack-retry-reason': 'http_timeout' } : {}),
      },
      body: raw,
    });
    return {
      status: response.status,
      body: await response.text(),
      contentType: response.headers.get('content-type') ?? 'text/plain',
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
