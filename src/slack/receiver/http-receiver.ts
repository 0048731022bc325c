import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { HTTPModuleFunctions, HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';
import type { HttpApi } from '../../http-api/router.js';
import type { Logger } from '../../logging/logger.js';
import type { ReplayGuard } from './replay-guard.js';
import { checkSlackSignature } from './signature.js';

/**
 * Bolt's HTTPReceiver with Quell's own request check in front of it (Bolt's verification is turned
 * off, since it accepts timestamps from the future): the signature and a timestamp within 5 minutes
 * either way (signature.ts), then exact replays dropped (replay-guard.ts). Everything else (routes,
 * acks, custom routes such as /healthz) stays Bolt's.
 */
export interface GuardedReceiverOptions extends Omit<HTTPReceiverOptions, 'signatureVerification'> {
  signingSecret: string;
  /** Without one (no Redis), replays are not tracked; the timestamp window still holds. */
  replays?: ReplayGuard;
  logger: HTTPReceiverOptions['logger'] & object;
  /** Where refusals are logged (structured). */
  log: Pick<Logger, 'warn'>;
  /** Real time: signatures are Slack's, whatever clock the services use. */
  nowMs?: () => number;
  /** Quell's non-Slack routes (`/api/*`), answered in front of Bolt with their own authentication. */
  api?: Pick<HttpApi, 'owns' | 'handle'>;
}

export function guardedHttpReceiver(options: GuardedReceiverOptions): HTTPReceiver {
  const { replays, log, nowMs = Date.now, api, ...bolt } = options;
  const receiver = new HTTPReceiver({ ...bolt, signatureVerification: false });
  const endpoints = new Set(
    typeof bolt.endpoints === 'string' ? [bolt.endpoints] : (bolt.endpoints ?? ['/slack/events']),
  );
  const inner = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (api?.owns(req.url)) return api.handle(req, res);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method?.toUpperCase() !== 'POST' || !endpoints.has(path)) return inner(req, res);
    void check(req, res).then(
      (pass) => {
        if (pass) inner(req, res);
      },
      (error: unknown) => {
        log.warn({ err: error }, 'could not check a Slack request');
        if (!res.headersSent) refuse(res, HTTPModuleFunctions.isRawBodyError(error) ? 413 : 500);
      },
    );
  };
  return receiver;

  async function check(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, bolt.bodyLimit);
    const rawBody = buffered.rawBody.toString();
    if (
      req.headers['content-type'] === 'application/x-www-form-urlencoded' &&
      parseQuery(rawBody).ssl_check === '1'
    ) {
      // Slack's SSL check is unsigned; strip anything smuggled along, as Bolt does
      buffered.rawBody = Buffer.from('ssl_check=1');
      return true;
    }
    const signature = header(req, 'x-slack-signature');
    const timestamp = header(req, 'x-slack-request-timestamp');
    const verdict = checkSlackSignature({
      signingSecret: options.signingSecret,
      rawBody,
      timestamp,
      signature,
      nowMs: nowMs(),
    });
    if (!verdict.ok) {
      log.warn(
        { reason: verdict.reason, path: req.url },
        'refused a Slack request: bad signature or timestamp',
      );
      refuse(res, 401);
      return false;
    }
    if (!replays) return true;
    const sig = signature!;
    if (!(await replays.claim(sig))) {
      log.warn({ timestamp, retryNum: header(req, 'x-slack-retry-num') }, 'dropped a replayed Slack request');
      // answered like a handled request, so a replayer learns nothing; nothing runs
      res.writeHead(200);
      res.end();
      return false;
    }
    let settled = false;
    const settle = (durable: boolean) => {
      if (settled) return;
      settled = true;
      const write = durable ? replays.done(sig) : replays.release(sig);
      write.catch((error: unknown) => log.warn({ err: error }, 'could not record a request signature'));
    };
    res.once('finish', () => settle(res.statusCode < 500));
    res.once('close', () => settle(res.writableFinished && res.statusCode < 500));
    return true;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function refuse(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}
