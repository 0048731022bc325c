import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfigText } from '../../src/config/load.js';
import type { TargetError } from '../../src/containment/contract.js';
import { buildContainmentRegistry, checkContainmentConfig } from '../../src/containment/registry.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient, parseRetryAfter } from '../../src/http/client.js';
import { redactDeep, redactor } from '../../src/http/redact.js';

const SECRET = 'sk-live-0123456789abcdef';

function client(sleeps: number[], overrides: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  return new HttpClient({
    ...DEFAULT_HTTP_OPTIONS,
    maxAttempts: 3,
    redact: redactor({ masterKey: SECRET }),
    sleep: async (ms) => void sleeps.push(ms),
    ...overrides,
  });
}

describe('the containment HTTP core', () => {
  it('honours Retry-After on 429 and 503 (seconds or an HTTP date) and backs off exponentially otherwise', async () => {
    nock('https://target.test')
      .post('/block')
      .reply(429, { message: 'slow down' }, { 'retry-after': '2' })
      .post('/block')
      .reply(502, 'bad gateway')
      .post('/block')
      .reply(200, { ok: true });
    const sleeps: number[] = [];
    const response = await client(sleeps, { baseDelayMs: 100 }).request(
      { method: 'POST', url: 'https://target.test/block', json: {}, idempotent: true },
      z.object({ ok: z.boolean() }),
    );
    expect(response).toEqual({ status: 200, data: { ok: true } });
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBeGreaterThanOrEqual(100); // second backoff step: 200 ms with jitter 100-200
    expect(sleeps[1]).toBeLessThanOrEqual(200);
    expect(parseRetryAfter('Sat, 21 Nov 2026 14:00:30 GMT', Date.parse('2026-11-21T14:00:00Z'))).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('does not wait for a Retry-After longer than the cap: it reports instead', async () => {
    nock('https://target.test')
      .post('/block')
      .reply(503, { message: 'maintenance' }, { 'retry-after': '600' });
    const sleeps: number[] = [];
    const error = (await client(sleeps)
      .request({ method: 'POST', url: 'https://target.test/block', idempotent: true }, z.unknown())
      .catch((e: unknown) => e)) as TargetError;
    expect(error.message).toBe(
      'POST target.test/block failed with HTTP 503: maintenance (asked to retry after 600; not waiting that long)',
    );
    expect(sleeps).toEqual([]);
  });

  it('never retries a request that is not idempotent', async () => {
    nock('https://target.test').post('/once').reply(500, { message: 'boom' });
    const error = (await client([])
      .request({ method: 'POST', url: 'https://target.test/once', idempotent: false }, z.unknown())
      .catch((e: unknown) => e)) as TargetError;
    expect(error.details).toMatchObject({ status: 500, retryable: true, attempts: 1 });
  });

  it('redacts secrets echoed by the target and reports a body that does not match the vendor shape', async () => {
    nock('https://target.test')
      .get('/info')
      .query({ key: SECRET })
      .reply(400, { error: { message: `invalid key ${SECRET}` } })
      .get('/info')
      .query({ key: SECRET })
      .reply(200, { unexpected: true });
    const http = client([]);
    const spec = { method: 'GET' as const, url: `https://target.test/info?key=${SECRET}`, idempotent: true };
    const refused = (await http.request(spec, z.unknown()).catch((e: unknown) => e)) as TargetError;
    expect(refused.message).toBe('GET target.test/info failed with HTTP 400: invalid key [secret:masterKey]');
    const odd = (await http
      .request(spec, z.object({ info: z.object({}) }))
      .catch((e: unknown) => e)) as TargetError;
    expect(odd.message).toBe(
      'GET target.test/info answered 200 with an unexpected body: info: Invalid input: expected object, received undefined',
    );
    expect(odd.details.retryable).toBe(false);
    expect(JSON.stringify(http.attempts)).not.toContain(SECRET);
  });

  it('redacts a secret however it is encoded, and inside URLs', () => {
    const redact = redactor({ redisUrl: 'redis://agent:p4ss-word@10.0.0.5:6379', token: 'abc/def+ghi' });
    expect(redact('connect redis://agent:p4ss-word@10.0.0.5:6379 failed')).toBe(
      'connect [secret:redisUrl] failed',
    );
    expect(redact('password p4ss-word rejected')).toBe('password [secret:redisUrl] rejected');
    expect(redact(`q=${encodeURIComponent('abc/def+ghi')}`)).toBe('q=[secret:token]');
    expect(redactDeep({ headers: { authorization: 'Bearer abc/def+ghi' } }, redact)).toEqual({
      headers: { authorization: 'Bearer [secret:token]' },
    });
  });
});

describe('containment config', () => {
  const VALID = `
containment:
  timeout: 5s
  authorized:
    roles: [commander]
    usergroups: [S0CONTAIN]
  actions:
    block-agent-key:
      adapter: litellm
      description: Block the support agent's key
      settings: { baseUrl: "https://litellm.internal/" }
      secrets: { masterKey: LITELLM_MASTER_KEY, agentKey: SUPPORT_AGENT_KEY }
    scale-agent:
      adapter: kubernetes
      settings: { apiServer: "https://k8s.internal:6443", namespace: agents, kind: deployment, name: support-agent }
      secrets: { token: K8S_TOKEN }
      timeout: 20s
  playbooks:
    freeze-agent:
      steps: [[block-agent-key, scale-agent]]
`;

  it('parses actions with their adapter settings, defaults and playbook groups', () => {
    const config = parseConfigText(VALID, 'quell.config.yml');
    const registry = buildContainmentRegistry(config.containment, {
      LITELLM_MASTER_KEY: 'sk-master-1',
      SUPPORT_AGENT_KEY: 'sk-agent-1',
      K8S_TOKEN: 'token-1',
    });
    const block = registry.action('block-agent-key')!;
    expect(block).toMatchObject({
      settings: { baseUrl: 'https://litellm.internal' },
      timeoutMs: 5_000,
      irreversible: false,
      undoable: true,
      secrets: { masterKey: 'sk-master-1', agentKey: 'sk-agent-1' },
      authorized: { roles: ['commander'], responders: true, users: [], usergroups: ['S0CONTAIN'] },
    });
    expect(registry.action('scale-agent')!.timeoutMs).toBe(20_000);
    expect(registry.playbook('freeze-agent')!.groups).toEqual([['block-agent-key', 'scale-agent']]);
    expect(parseConfigText('', 'empty').containment).toMatchObject({
      timeout: 10_000,
      retries: 2,
      actions: {},
      playbooks: {},
    });
  });

  it('start-up and config check fail clearly when a named environment variable is missing', () => {
    const config = parseConfigText(VALID, 'quell.config.yml');
    expect(() => buildContainmentRegistry(config.containment, { LITELLM_MASTER_KEY: 'x' })).toThrow(
      new ConfigError(
        'Containment secrets are missing from the environment:\n' +
          '  - containment.actions.block-agent-key.secrets.agentKey: environment variable SUPPORT_AGENT_KEY is not set\n' +
          '  - containment.actions.scale-agent.secrets.token: environment variable K8S_TOKEN is not set\n' +
          'Set them (the config file only names them), or remove the actions that need them.',
      ),
    );
    expect(
      checkContainmentConfig(config.containment, {
        LITELLM_MASTER_KEY: 'a',
        SUPPORT_AGENT_KEY: 'b',
        K8S_TOKEN: 'c',
      }),
    ).toBe('containment: 2 actions, 1 playbook, secrets present');
  });

  it('names the bad field: unknown adapter, bad settings, secrets given inline, missing secret slot, unknown playbook step', () => {
    const bad = `
containment:
  actions:
    a1: { adapter: pagerduty }
    a2: { adapter: kubernetes, settings: { apiServer: "https://k", namespace: Agents, kind: pod, name: x }, secrets: { token: K8S_TOKEN } }
    a3: { adapter: litellm, settings: { baseUrl: "https://l" }, secrets: { masterKey: "sk-live-abc123" } }
    a4: { adapter: anthropic, settings: { apiKeyId: k } }
`;
    let message = '';
    try {
      parseConfigText(bad, 'quell.config.yml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'containment.actions.a1.adapter: unknown adapter "pagerduty"; use one of webhook, litellm, launchdarkly',
    );
    expect(message).toContain('containment.actions.a2.settings.namespace: must be a Kubernetes object name');
    expect(message).toContain(
      'containment.actions.a2.settings.kind: Invalid option: expected one of "deployment"|"cronjob"',
    );
    expect(message).toContain(
      'containment.actions.a3.secrets.masterKey: must be the NAME of an environment variable',
    );
    expect(message).toContain('containment.actions.a4.secrets.adminKey: anthropic needs secret "adminKey"');
  });

  it('names clashes with subcommands and playbook steps that are not actions', () => {
    const bad = `
containment:
  actions:
    status: { adapter: recording }
    a1: { adapter: recording }
  playbooks:
    p1: { steps: [a1, [a9, a1]] }
`;
    expect(() => parseConfigText(bad, 'quell.config.yml')).toThrow(
      new ConfigError(
        'quell.config.yml is invalid:\n' +
          '  - containment.actions.status: "status" is a /contain subcommand; pick another name (not list, help, status, undo, playbook, audit) (line 4)\n' +
          '  - containment.playbooks.p1.steps.1: unknown action "a9" (line 7)\n' +
          '  - containment.playbooks.p1.steps.1: "a1" appears twice (line 7)',
      ),
    );
  });
});
