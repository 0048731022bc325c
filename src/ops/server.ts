import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpApi } from '../http-api/router.js';
import type { Logger } from '../logging/logger.js';
import { registry } from './metrics.js';
import { checkReadiness, type ReadinessSources } from './readiness.js';

export interface OpsListenerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1: metrics and readiness are for this machine's agent or the pod's probes. */
  host?: string;
  logger: Logger;
  readiness: ReadinessSources;
  /** Runs before each scrape (the queue depth gauges read Redis then). */
  beforeScrape?: () => Promise<void>;
  /** Socket Mode: Quell's non-Slack routes (`/api/*`), served here since there is no receiver port. */
  api?: Pick<HttpApi, 'owns' | 'handle'>;
}

export interface OpsListener {
  port: number;
  close(): Promise<void>;
}

/**
 * The ops listener, on its own port in both transports: `/healthz` (the process is alive),
 * `/readyz` (Redis round trip, workers, last Slack auth verdict; 503 with the failing checks) and
 * `/metrics` (Prometheus text format).
 */
export async function startOpsListener(options: OpsListenerOptions): Promise<OpsListener> {
  const { logger } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (options.api?.owns(req.url)) return options.api.handle(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'GET only' });
    if (path === '/healthz') return json(200, { ok: true });
    if (path === '/readyz') {
      void checkReadiness(options.readiness).then(
        (readiness) => json(readiness.ready ? 200 : 503, readiness),
        (error: unknown) => json(503, { ready: false, error: (error as Error).message }),
      );
      return;
    }
    if (path === '/metrics') {
      void (async () => {
        // a failing depth read (Redis away) still serves every other metric
        await options.beforeScrape?.().catch((error: unknown) => {
          logger.debug({ err: error }, 'queue depth not measured for this scrape');
        });
        const text = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      })().catch((error: unknown) => {
        logger.warn({ err: error }, 'metrics scrape failed');
        if (!res.headersSent) json(500, { error: 'metrics unavailable' });
      });
      return;
    }
    json(404, { error: 'not found', paths: ['/healthz', '/readyz', '/metrics'] });
  });
  // probes must not hold the process open or wait on keep-alive at shutdown
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: options.host ?? '127.0.0.1' }, 'ops listener on /healthz, /readyz, /metrics');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
