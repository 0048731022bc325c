import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger.js';

/**
 * The mount point for Quell's non-Slack HTTP routes (alert intake, the REST API): a tiny router
 * that sits in front of Bolt on the HTTP receiver's port, and on the ops listener's port in Socket
 * Mode. Routes are plain data (method, path pattern, handler) listed by the composition root, so a
 * feature adds its routes with one line there. Every body is buffered under a size limit before
 * the handler runs (signatures are computed over the raw bytes), every answer is JSON, and nothing a
 * handler throws reaches the process: a thrown `ApiError` becomes its status and reason, anything
 * else a logged 500.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: HttpMethod;
  /** The path without the query string, e.g. `/api/alerts/alertmanager`. */
  path: string;
  /** The pattern's `:name` segments, decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body as received, at most the route's limit. */
  rawBody: Buffer;
  /** A header's single value (the first when repeated); undefined when absent. */
  header(name: string): string | undefined;
}

export interface ApiReply {
  status: number;
  /** Sent as JSON; `{}` when left out. */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
}

export interface ApiRoute {
  method: HttpMethod;
  /** Segments separated by `/`; `:name` matches one non-empty segment (`/api/alerts/:source`). */
  path: string;
  /** Bytes of body this route accepts (default the router's). */
  bodyLimit?: number;
  handler(request: ApiRequest): Promise<ApiReply> | ApiReply;
}

/** A refusal a handler throws: answered as `{ error: reason, ...details }` with this status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(reason);
    this.name = 'ApiError';
  }
}

/** Parses the body as JSON, or refuses with a 400 that says where it broke. */
export function readJson(request: ApiRequest): unknown {
  if (request.rawBody.length === 0) throw new ApiError(400, 'the body is empty; send a JSON document');
  try {
    return JSON.parse(request.rawBody.toString('utf8')) as unknown;
  } catch (error) {
    throw new ApiError(400, `the body is not valid JSON (${(error as Error).message})`);
  }
}

export interface HttpApiOptions {
  routes: readonly ApiRoute[];
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Paths under this prefix are the router's, matched or not (default `/api`). */
  prefix?: string;
  /** Default body limit in bytes (1 MiB). */
  bodyLimit?: number;
}

export interface HttpApi {
  /** Whether a request for this URL belongs to the router (then `handle` answers it, even 404). */
  owns(url: string | undefined): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The routes mounted, for start-up logs. */
  readonly routes: readonly ApiRoute[];
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface CompiledRoute {
  route: ApiRoute;
  segments: readonly string[];
}

export function createHttpApi(options: HttpApiOptions): HttpApi {
  const prefix = (options.prefix ?? '/api').replace(/\/+$/, '');
  const defaultLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const compiled: CompiledRoute[] = options.routes.map((route) => {
    if (!route.path.startsWith(`${prefix}/`))
      throw new Error(`HTTP API route ${route.method} ${route.path} is not under ${prefix}/`);
    return { route, segments: splitPath(route.path) };
  });
  const { logger } = options;

  return {
    routes: options.routes,
    owns(url) {
      const path = pathOf(url);
      return path === prefix || path.startsWith(`${prefix}/`);
    },
    handle(req, res) {
      void serve(req, res).catch((error: unknown) => {
        logger.error({ err: error, path: pathOf(req.url) }, 'HTTP API request failed unexpectedly');
        reply(res, { status: 500, body: { error: 'internal error' } });
      });
    },
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = splitPath(url.pathname);
    const candidates = compiled
      .map((c) => ({ c, params: match(c.segments, segments) }))
      .filter((m): m is { c: CompiledRoute; params: Record<string, string> } => m.params !== undefined);
    if (candidates.length === 0) {
      drain(req);
      return reply(res, { status: 404, body: { error: `no route for ${url.pathname}` } });
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const found = candidates.find(({ c }) => c.route.method === method);
    if (!found || !METHODS.includes(method)) {
      drain(req);
      const allow = [...new Set(candidates.map(({ c }) => c.route.method))].join(', ');
      return reply(res, {
        status: 405,
        headers: { allow },
        body: { error: `${method} is not allowed on ${url.pathname}; use ${allow}` },
      });
    }
    const { route } = found.c;
    const limit = route.bodyLimit ?? defaultLimit;
    const rawBody = await bufferBody(req, limit);
    if (rawBody === 'too large') {
      return reply(res, {
        status: 413,
        headers: { connection: 'close' },
        body: { error: `the body is over ${limit} bytes` },
      });
    }
    const request: ApiRequest = {
      method: route.method,
      path: url.pathname,
      params: found.params,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      header: (name) => {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
    };
    let answer: ApiReply;
    try {
      answer = await route.handler(request);
    } catch (error) {
      if (error instanceof ApiError) {
        answer = { status: error.status, body: { error: error.reason, ...error.details } };
      } else {
        logger.error({ err: error, route: `${route.method} ${route.path}` }, 'HTTP API handler failed');
        answer = { status: 500, body: { error: 'internal error' } };
      }
    }
    reply(res, answer);
  }
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = segments[i]!;
    if (want.startsWith(':')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(got);
      } catch {
        return undefined;
      }
      params[want.slice(1)] = decoded;
    } else if (want !== got) return undefined;
  }
  return params;
}

/** Reads the body up to `limit` bytes; past it, stops reading and says so (the reply closes). */
function bufferBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve('too large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        resolve('too large');
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.once('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

function drain(req: IncomingMessage): void {
  req.resume();
}

function reply(res: ServerResponse, answer: ApiReply): void {
  if (res.headersSent) return;
  const body = JSON.stringify(answer.body ?? {});
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...answer.headers,
  });
  res.end(body);
}
