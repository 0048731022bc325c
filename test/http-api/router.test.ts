import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type ApiRoute, createHttpApi, readJson } from '../../src/http-api/router.js';

/** The router on a plain node:http server: what a route sees and what every caller gets back. */

const logged: unknown[] = [];
const logger = { warn: (o: unknown) => logged.push(o), error: (o: unknown) => logged.push(o) };
let server: Server | undefined;

async function serve(routes: ApiRoute[], bodyLimit?: number): Promise<string> {
  const api = createHttpApi({ routes, logger, ...(bodyLimit ? { bodyLimit } : {}) });
  server = createServer((req, res) => {
    if (api.owns(req.url)) return api.handle(req, res);
    res.writeHead(200);
    res.end('not mine');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  logged.length = 0;
});

describe('HTTP API router', () => {
  it('hands a route its decoded params, query, headers and the raw body, and replies JSON', async () => {
    let seen: { params: unknown; q: string | null; sig: string | undefined; body: string } | undefined;
    const base = await serve([
      {
        method: 'POST',
        path: '/api/alerts/:source',
        handler: (req) => {
          seen = {
            params: req.params,
            q: req.query.get('x'),
            sig: req.header('X-Signature'),
            body: req.rawBody.toString(),
          };
          return { status: 202, body: { accepted: true }, headers: { 'x-quell': 'yes' } };
        },
      },
    ]);
    const res = await fetch(`${base}/api/alerts/my%20source?x=1`, {
      method: 'POST',
      headers: { 'x-signature': 'v0=abc' },
      body: '{"a": 1}',
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-quell')).toBe('yes');
    expect(await res.json()).toEqual({ accepted: true });
    expect(seen).toEqual({ params: { source: 'my source' }, q: '1', sig: 'v0=abc', body: '{"a": 1}' });
  });

  it('answers 404 for unknown paths under /api, 405 with Allow for a known path, and leaves the rest alone', async () => {
    const base = await serve([{ method: 'GET', path: '/api/things', handler: () => ({ status: 200 }) }]);
    const missing = await fetch(`${base}/api/nothing`, { method: 'POST', body: 'x' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no route for /api/nothing' });
    const wrong = await fetch(`${base}/api/things`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect((await wrong.json()) as object).toHaveProperty(
      'error',
      'DELETE is not allowed on /api/things; use GET',
    );
    expect(await (await fetch(`${base}/slack/events`)).text()).toBe('not mine');
    expect(await (await fetch(`${base}/apiary`)).text()).toBe('not mine');
  });

  it('refuses a body over the limit with 413, declared or streamed, without running the handler', async () => {
    let ran = 0;
    const count = () => {
      ran += 1;
      return { status: 200 };
    };
    const base = await serve([{ method: 'POST', path: '/api/in', handler: count }], 64);
    const declared = await fetch(`${base}/api/in`, { method: 'POST', body: 'x'.repeat(65) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: 'the body is over 64 bytes' });
    const streamed = await fetch(`${base}/api/in`, {
      method: 'POST',
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('y'.repeat(40)));
          c.enqueue(new TextEncoder().encode('y'.repeat(40)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const fits = await fetch(`${base}/api/in`, { method: 'POST', body: 'x'.repeat(64) });
    expect(fits.status).toBe(200);
    expect(ran).toBe(1);
  });

  it('turns ApiError into its status and reason, anything else into a logged 500, and keeps serving', async () => {
    const base = await serve([
      {
        method: 'POST',
        path: '/api/json',
        handler: (req) => ({ status: 200, body: { got: readJson(req) } }),
      },
      {
        method: 'POST',
        path: '/api/refuse',
        handler: () => {
          throw new ApiError(401, 'bad token', { source: 'am' });
        },
      },
      {
        method: 'GET',
        path: '/api/boom',
        handler: async () => {
          throw new Error('secret internals');
        },
      },
    ]);
    const bad = await fetch(`${base}/api/json`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^the body is not valid JSON/);
    const empty = await fetch(`${base}/api/json`, { method: 'POST' });
    expect(await empty.json()).toEqual({ error: 'the body is empty; send a JSON document' });
    const refused = await fetch(`${base}/api/refuse`, { method: 'POST' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'bad token', source: 'am' });
    const boom = await fetch(`${base}/api/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ error: 'internal error' });
    expect(logged).toHaveLength(1);
    const ok = await fetch(`${base}/api/json`, { method: 'POST', body: '[1]' });
    expect(await ok.json()).toEqual({ got: [1] });
  });

  it('refuses at construction a route outside /api', () => {
    expect(() =>
      createHttpApi({
        routes: [{ method: 'GET', path: '/slack/x', handler: () => ({ status: 200 }) }],
        logger,
      }),
    ).toThrow('HTTP API route GET /slack/x is not under /api/');
  });
});
