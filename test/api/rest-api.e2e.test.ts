import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQuell, startLocalQuell } from '../../src/local/harness.js';
import { createLogger } from '../../src/logging/logger.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';

/**
 * The REST API over HTTP against Quell and the local Slack: tokens and scopes, the permission model
 * and restart gate deciding tokens as people, every call on the timeline as the token, the
 * OpenAPI document covering every route, bad input, rate and body limits.
 */
const TOKENS = {
  reader: 'reader-0123456789abcdef0123456789',
  deployer: 'deployer-0123456789abcdef012345678',
  oncall: 'oncall-0123456789abcdef0123456789ab',
  burst: 'burst-0123456789abcdef0123456789abc',
};
const CONFIG = `
api:
  requestsPerMinute: 30
  tokens:
    reader: { tokenEnv: T_READER, scopes: [read] }
    deployer: { tokenEnv: T_DEPLOYER, scopes: [read, declare, write] }
    oncall: { tokenEnv: T_ONCALL, scopes: [read, write], standing: responder }
    burst: { tokenEnv: T_BURST, scopes: [read] }
`;

let local: LocalQuell;
let cleanup: () => Promise<void>;
let base: string;

beforeAll(async () => {
  const env = await openTestRedis();
  cleanup = env.cleanup;
  local = await startLocalQuell({
    config: testConfig(env.prefix, CONFIG),
    redis: env.redis,
    logger: createLogger('silent'),
    secrets: {
      T_READER: TOKENS.reader,
      T_DEPLOYER: TOKENS.deployer,
      T_ONCALL: TOKENS.oncall,
      T_BURST: TOKENS.burst,
    },
  });
  base = `http://127.0.0.1:${local.runtime.port}`;
});
afterAll(async () => {
  await local?.stop();
  await cleanup();
});

async function call(
  method: string,
  path: string,
  options: { token?: keyof typeof TOKENS | string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const token = options.token ? (TOKENS[options.token as keyof typeof TOKENS] ?? options.token) : undefined;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  return {
    status: response.status,
    headers: response.headers,
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers, read by path in the assertions
    body: (await response.json()) as Record<string, any>,
  };
}

let keys = 0;
const declare = (body: unknown, token = 'deployer', key = `key-${++keys}`) =>
  call('POST', '/api/v1/incidents', { token, body, headers: { 'idempotency-key': key } });
const timeline = (id: string) => local.runtime.services.incidents.timeline(id);

describe('REST API', () => {
  it('refuses a missing or unknown token with 401', async () => {
    const none = await call('GET', '/api/v1/incidents');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="quell"');
    expect((await call('GET', '/api/v1/incidents', { token: 'not-a-configured-token-at-all' })).body).toEqual(
      {
        error: 'unknown API token',
      },
    );
  });

  it('declares once per Idempotency-Key, as the token (not invited, not commander), audited on the timeline', async () => {
    const body = { title: 'Agent refunded $4,200', severity: 'sev2', agent: { name: 'helpdesk-agent' } };
    const first = await declare(body, 'deployer', 'deploy-42');
    expect(first.status).toBe(201);
    const { incident } = first.body;
    expect(incident).toMatchObject({
      severity: 'sev2',
      status: 'investigating',
      declaredBy: 'quell:api:deployer',
    });
    expect(incident.roles.commander).toBeUndefined();
    expect(incident.channel.id).toMatch(/^C/);
    const again = await declare(body, 'deployer', 'deploy-42');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.incident.id).toBe(incident.id);
    const reused = await declare({ ...body, title: 'Something else' }, 'deployer', 'deploy-42');
    expect(reused.status).toBe(422);
    const events = await timeline(incident.id);
    expect(events.find((e) => e.kind === 'declared')?.actor).toBe('quell:api:deployer');
    expect(events.some((e) => e.kind === 'setup_failed')).toBe(false);
    // the pinned summary names the token, never a broken <@quell:api:…> mention
    const pinned = JSON.stringify(local.slack.pins(incident.channel.id));
    expect(pinned).toContain('by API token deployer');
    expect(pinned).not.toContain('<@quell:api:');
    expect(local.slack.channels().find((c) => c.id === incident.channel.id)?.members).not.toContain(
      'quell:api:deployer',
    );
  });

  it('bad input is a 400 naming each path; a declare needs an Idempotency-Key; bodies are limited', async () => {
    const bad = await declare({ title: '', severity: 'sev9', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: unknown[] }) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['title', 'severity', '']),
    );
    const noKey = await call('POST', '/api/v1/incidents', {
      token: 'deployer',
      body: { title: 'x', severity: 'sev1' },
    });
    expect(noKey.status).toBe(400);
    expect(noKey.body.code).toBe('idempotency_key_required');
    const notJson = await declare('{not json');
    expect(notJson.status).toBe(400);
    const huge = await declare({ title: 'x', severity: 'sev1', description: 'y'.repeat(20_000) });
    expect(huge.status).toBe(413);
  });

  it('scopes: a read token may read (recorded) but not declare or write (403, recorded like a person)', async () => {
    const { incident } = (await declare({ title: 'Agent mailed the wrong list', severity: 'sev3' })).body;
    const read = await call('GET', `/api/v1/incidents/${incident.id}`, { token: 'reader' });
    expect(read.status).toBe(200);
    expect(read.body.timeline[0].kind).toBe('declared');
    expect((await timeline(incident.id)).filter((e) => e.kind === 'api_read').map((e) => e.actor)).toEqual([
      'quell:api:reader',
    ]);
    const note = await call('POST', `/api/v1/incidents/${incident.id}/notes`, {
      token: 'reader',
      body: { text: 'hi' },
    });
    expect(note.status).toBe(403);
    expect(note.body.code).toBe('missing_scope');
    const refused = (await timeline(incident.id)).filter((e) => e.kind === 'permission_refused');
    expect(refused.map((e) => [e.actor, e.data.operation])).toEqual([['quell:api:reader', 'api.write']]);
    const declared = await declare({ title: 'x', severity: 'sev1' }, 'reader');
    expect(declared.status).toBe(403);
    const outside = await local.runtime.services.refusals.outsideIncidents();
    expect(outside[0]).toMatchObject({ actor: 'quell:api:reader', operation: 'api.declare' });
    const list = await call('GET', '/api/v1/incidents?severity=sev3', { token: 'reader' });
    expect(list.body.incidents.map((i: { id: string }) => i.id)).toContain(incident.id);
    expect((await call('GET', '/api/v1/incidents?limit=0', { token: 'reader' })).body.issues[0].path).toEqual(
      ['limit'],
    );
  });

  it('the permission model decides tokens: a member token notes and raises its own incident but may not lower it', async () => {
    const { incident } = (await declare({ title: 'Agent deleted a mailbox', severity: 'sev2' })).body;
    const note = await call('POST', `/api/v1/incidents/${incident.id}/notes`, {
      token: 'deployer',
      body: { text: 'deploy 1234 rolled back <!channel>' },
    });
    expect(note.status).toBe(201);
    expect(note.body.entry).toMatchObject({ actor: 'quell:api:deployer', kind: 'note' });
    expect(note.body.entry.text).not.toContain('<!channel>');
    const raised = await call('PATCH', `/api/v1/incidents/${incident.id}`, {
      token: 'deployer',
      body: { severity: 'sev1' },
    });
    expect(raised.status).toBe(200);
    expect(raised.body.incident.severity).toBe('sev1');
    const lowered = await call('PATCH', `/api/v1/incidents/${incident.id}`, {
      token: 'deployer',
      body: { severity: 'sev3' },
    });
    expect(lowered.status).toBe(403);
    expect(lowered.body.code).toBe('not_permitted');
    expect(lowered.body.error).toContain('API token deployer has the standing of a member');
    const refusal = (await timeline(incident.id)).find((e) => e.kind === 'permission_refused');
    expect(refusal).toMatchObject({ actor: 'quell:api:deployer', data: { operation: 'severity.lower' } });

    // a responder token may lower it and contain it; resolving meets the restart gate like anyone
    const byResponder = await call('PATCH', `/api/v1/incidents/${incident.id}`, {
      token: 'oncall',
      body: { severity: 'sev3', status: 'contained' },
    });
    expect(byResponder.status).toBe(200);
    expect(byResponder.body.incident).toMatchObject({ severity: 'sev3', status: 'contained' });
    const resolve = await call('PATCH', `/api/v1/incidents/${incident.id}`, {
      token: 'oncall',
      body: { status: 'resolved' },
    });
    expect(resolve.status).toBe(409);
    expect(resolve.body.code).toBe('restart_gate_blocked');
    const changes = (await timeline(incident.id)).filter((e) =>
      ['severity_changed', 'status_changed'].includes(e.kind),
    );
    expect(changes.map((e) => e.actor)).toEqual([
      'quell:api:deployer',
      'quell:api:oncall',
      'quell:api:oncall',
    ]);
  });

  it('an unknown incident is a 404', async () => {
    expect((await call('GET', '/api/v1/incidents/INC-999', { token: 'reader' })).status).toBe(404);
  });

  it('rate-limits each token per minute with Retry-After', async () => {
    // up to two windows' worth, so a minute boundary during the test cannot hide the limit
    let allowed = 0;
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 61 && !limited; i++) {
      const answer = await call('GET', '/api/v1/incidents', { token: 'burst' });
      if (answer.status === 429) limited = answer;
      else allowed++;
    }
    expect(allowed).toBeGreaterThanOrEqual(30);
    expect(limited?.body.error).toBe('over 30 requests a minute for token burst');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    // another token is not affected
    expect((await call('GET', '/api/v1/incidents', { token: 'reader' })).status).toBe(200);
  });

  it('serves an OpenAPI 3.1 document that covers every route and whose references resolve', async () => {
    const { status, body: doc } = await call('GET', '/api/v1/openapi.json');
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    const mounted = local.runtime.services.httpRoutes
      .filter((r) => r.path.startsWith('/api/v1/'))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(mounted);
    expect(mounted).toHaveLength(6);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map(
      ([, name]) => name,
    );
    expect(refs.length).toBeGreaterThan(10);
    for (const name of refs) expect(doc.components.schemas[name!], name).toBeDefined();
    const declareOp = doc.paths['/api/v1/incidents'].post;
    expect(declareOp.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
    );
    expect(doc.components.schemas.DeclareRequest.required).toEqual(['title', 'severity']);
    expect(doc.components.schemas.DeclareRequest.properties.severity.enum).toEqual([
      'sev1',
      'sev2',
      'sev3',
      'sev4',
    ]);
  });
});
