import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanContext, RunContext } from '../../src/containment/contract.js';
import { TargetError } from '../../src/containment/contract.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient } from '../../src/containment/http.js';
import { redactor } from '../../src/containment/secrets.js';
import {
  type AdapterFixture,
  type ExpectedRequest,
  FIXTURES,
  type FixtureContext,
  type Reply,
} from './fixtures.js';
import { COMMANDER, confirmToken, containmentHarness } from './harness.js';

/**
 * One conformance suite for every HTTP adapter (style.md #7): a dry run sends nothing and shows
 * exactly the documented request; execute sends exactly that request; verify reads the target back;
 * undo reverses where supported; a 4xx is not retried; a 5xx is; a timeout is reported; and no
 * secret survives into results, audit, timeline, Slack or logs.
 */

interface Captured {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Headers the transport adds by itself; every other header must be one the adapter meant to send. */
const TRANSPORT_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'accept-encoding',
  'accept-language',
  'sec-fetch-mode',
  'user-agent',
  'accept',
]);

const FIXTURE_CTX: FixtureContext = {
  incidentId: 'INC-7',
  actionName: 'contain-agent',
  idempotencyKey: 'quell-INC-7-r1',
  now: new Date('2026-11-21T14:00:00Z'),
};

function urlOf(expected: ExpectedRequest): string {
  const query = expected.query
    ? `?${Object.entries(expected.query)
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
        .join('&')}`
    : '';
  return `${expected.origin}${expected.path}${query}`;
}

function intercept(
  expected: ExpectedRequest,
  reply: Reply,
  log: Captured[],
  options: { times?: number; delayMs?: number } = {},
) {
  const interceptor = nock(expected.origin).intercept(expected.path, expected.method);
  if (expected.query) interceptor.query(expected.query);
  const scope = interceptor.times(options.times ?? 1);
  const withDelay = options.delayMs ? scope.delay(options.delayMs) : scope;
  withDelay.reply(function (uri, body) {
    log.push({
      method: expected.method,
      path: uri,
      headers: Object.fromEntries(
        Object.entries(this.req.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
      ),
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return [
      reply.status,
      reply.body === undefined ? '' : JSON.stringify(reply.body),
      { 'content-type': 'application/json' },
    ];
  });
}

function expectExactRequest(captured: Captured | undefined, expected: ExpectedRequest) {
  expect(captured, `${expected.method} ${expected.path} was not sent`).toBeDefined();
  expect(captured!.method).toBe(expected.method);
  for (const [name, value] of Object.entries(expected.headers))
    expect(captured!.headers[name], name).toBe(value);
  const extra = Object.keys(captured!.headers).filter(
    (h) => !(h in expected.headers) && !TRANSPORT_HEADERS.has(h),
  );
  expect(extra, 'headers the documented request does not have').toEqual([]);
  if (expected.json !== undefined) expect(JSON.parse(captured!.body)).toEqual(expected.json);
  else if (expected.rawBody !== undefined) expect(captured!.body).toBe(expected.rawBody);
  else expect(captured!.body ?? '').toBe('');
}

function contexts(fixture: AdapterFixture, http: HttpClient): RunContext<unknown, unknown> {
  const plan: PlanContext<unknown, unknown> = {
    settings: fixture.adapter.settingsSchema.parse(fixture.settings),
    args: fixture.adapter.argsSchema.parse(fixture.args ?? {}),
    secrets: fixture.secrets,
    ...FIXTURE_CTX,
  };
  return { ...plan, http, timeoutMs: 1_000 };
}

function client(
  fixture: AdapterFixture,
  overrides: Partial<ConstructorParameters<typeof HttpClient>[0]> = {},
) {
  return new HttpClient({
    ...DEFAULT_HTTP_OPTIONS,
    timeoutMs: 1_000,
    maxAttempts: 3,
    baseDelayMs: 1,
    maxDelayMs: 5,
    redact: redactor(fixture.secrets),
    ...overrides,
  });
}

let attemptedUnmocked: string[] = [];
const onNoMatch = (req: { method?: string; path?: string; href?: string }) => {
  attemptedUnmocked.push(`${req.method} ${req.href ?? req.path}`);
};

beforeEach(() => {
  attemptedUnmocked = [];
  nock.emitter.on('no match', onNoMatch);
});
afterEach(() => {
  nock.emitter.removeListener('no match', onNoMatch);
});

for (const fixture of FIXTURES) {
  describe(`adapter conformance: ${fixture.name}`, () => {
    it('plans exactly the documented requests and a plan sends nothing (dry run)', () => {
      const ctx = contexts(fixture, client(fixture));
      const expected = fixture.execute(FIXTURE_CTX);
      const plan = fixture.adapter.plan('execute', ctx);
      expect(plan).toEqual(
        expected.map((e) => ({
          method: e.method,
          url: urlOf(e),
          ...(Object.keys(e.headers).length ? { headers: e.headers } : {}),
          ...(e.json !== undefined ? { body: e.json } : e.rawBody !== undefined ? { body: e.rawBody } : {}),
        })),
      );
      const verify = fixture.verify.request(FIXTURE_CTX);
      expect(fixture.adapter.plan('verify', ctx)).toEqual([
        { method: verify.method, url: urlOf(verify), headers: verify.headers },
      ]);
      expect(attemptedUnmocked).toEqual([]);
      expect(nock.pendingMocks()).toEqual([]);
    });

    it('execute sends exactly the documented requests, then verify reads the state back', async () => {
      const log: Captured[] = [];
      const expected = fixture.execute(FIXTURE_CTX);
      for (const exchange of expected) intercept(exchange, exchange.reply, log);
      const ctx = contexts(fixture, client(fixture));
      const outcome = await fixture.adapter.execute(ctx);
      expect(log).toHaveLength(expected.length);
      expected.forEach((e, i) => {
        expectExactRequest(log[i], e);
      });
      expect(outcome.status).toBe(expected.at(-1)!.reply.status);

      const verifyRequest = fixture.verify.request(FIXTURE_CTX);
      intercept(verifyRequest, fixture.verify.inForce, log);
      const verified = await fixture.adapter.verify(
        { ...ctx, http: client(fixture) },
        outcome.state ?? {},
        'execute',
      );
      expectExactRequest(log.at(-1), verifyRequest);
      expect(verified.verified).toBe(true);

      intercept(verifyRequest, fixture.verify.notInForce, log);
      const notVerified = await fixture.adapter.verify(
        { ...ctx, http: client(fixture) },
        outcome.state ?? {},
        'execute',
      );
      expect(notVerified.verified).toBe(false);
      expect(notVerified.observed).not.toBe('');
    });

    if (fixture.undo) {
      it('undo reverses it with the documented request, and verify sees it lifted', async () => {
        const log: Captured[] = [];
        for (const exchange of fixture.execute(FIXTURE_CTX)) intercept(exchange, exchange.reply, log);
        const ctx = contexts(fixture, client(fixture));
        const executed = await fixture.adapter.execute(ctx);
        log.length = 0;
        const expected = fixture.undo!(FIXTURE_CTX);
        for (const exchange of expected) intercept(exchange, exchange.reply, log);
        expect(fixture.adapter.plan('undo', ctx, executed.state ?? {})).toHaveLength(expected.length);
        await fixture.adapter.undo!({ ...ctx, http: client(fixture) }, executed.state ?? {});
        expected.forEach((e, i) => {
          expectExactRequest(log[i], e);
        });
        intercept(fixture.verify.request(FIXTURE_CTX), fixture.verify.lifted!, log);
        const lifted = await fixture.adapter.verify(
          { ...ctx, http: client(fixture) },
          executed.state ?? {},
          'undo',
        );
        expect(lifted.verified).toBe(true);
      });
    } else {
      it('has no undo and says it is irreversible', () => {
        expect(fixture.adapter.undo).toBeUndefined();
        const settings = fixture.adapter.settingsSchema.parse(fixture.settings);
        expect(fixture.adapter.irreversible(settings)).toBe(true);
        expect(fixture.adapter.consequence?.(contexts(fixture, client(fixture)))).toMatch(
          /cannot be restored/,
        );
      });
    }

    it('a 4xx from the target is not retried and carries the target’s own message', async () => {
      const log: Captured[] = [];
      const first = fixture.execute(FIXTURE_CTX)[0]!;
      intercept(first, fixture.refusal.reply, log);
      const http = client(fixture);
      const error = await fixture.adapter.execute(contexts(fixture, http)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetError);
      const target = error as TargetError;
      expect(target.details).toMatchObject({
        status: fixture.refusal.reply.status,
        retryable: false,
        attempts: 1,
      });
      expect(target.message).toContain(fixture.refusal.mentions);
      expect(log).toHaveLength(1);
      expect(http.attempts).toHaveLength(1);
      expect(attemptedUnmocked).toEqual([]);
    });

    it('a 5xx is retried with backoff and then succeeds', async () => {
      const log: Captured[] = [];
      const [first, ...rest] = fixture.execute(FIXTURE_CTX);
      intercept(first!, { status: 503, body: { message: 'upstream unavailable' } }, log);
      intercept(first!, first!.reply, log);
      for (const exchange of rest) intercept(exchange, exchange.reply, log);
      const http = client(fixture);
      await fixture.adapter.execute(contexts(fixture, http));
      expect(log.map((c) => c.method)).toEqual([first!.method, first!.method, ...rest.map((r) => r.method)]);
      expectExactRequest(log[1], first!);
      expect(http.attempts.map((a) => a.status)).toEqual([
        503,
        first!.reply.status,
        ...rest.map((r) => r.reply.status),
      ]);
    });

    it('a target that does not answer in time is reported as a timeout after bounded retries', async () => {
      const log: Captured[] = [];
      const first = fixture.execute(FIXTURE_CTX)[0]!;
      intercept(first, first.reply, log, { times: 2, delayMs: 400 });
      const http = client(fixture, { timeoutMs: 60, maxAttempts: 2 });
      const error = (await fixture.adapter
        .execute(contexts(fixture, http))
        .catch((e: unknown) => e)) as TargetError;
      expect(error).toBeInstanceOf(TargetError);
      expect(error.details).toMatchObject({ timedOut: true, retryable: true, attempts: 2 });
      expect(error.message).toMatch(/timed out after 60 ms \(gave up after 2 attempts\)/);
      expect(http.attempts.map((a) => a.error)).toEqual(['timeout', 'timeout']);
    });

    it('through the service, no secret reaches the audit, timeline, runs, Slack or logs', async () => {
      const env = Object.fromEntries(
        Object.entries(fixture.secrets).map(([slot, value]) => [`CONFORMANCE_${slot.toUpperCase()}`, value]),
      );
      const harness = await containmentHarness({
        containment: {
          retries: 0,
          actions: {
            'contain-agent': {
              adapter: fixture.adapter.id,
              settings: fixture.settings,
              args: fixture.args ?? {},
              secrets: Object.fromEntries(
                Object.keys(fixture.secrets).map((slot) => [slot, `CONFORMANCE_${slot.toUpperCase()}`]),
              ),
            },
          },
        },
        env,
      });
      try {
        const { services, incident } = harness;
        const ctx = { ...FIXTURE_CTX, incidentId: incident.id, idempotencyKey: `quell-${incident.id}-r1` };
        const log: Captured[] = [];
        for (const exchange of fixture.execute(ctx)) intercept(exchange, exchange.reply, log);
        intercept(fixture.verify.request(ctx), fixture.verify.inForce, log);
        const confirmation = await services.containment.requestRun({
          incident,
          user: COMMANDER,
          kind: 'action',
          name: 'contain-agent',
          args: {},
          dryRun: false,
        });
        const report = await services.containment.confirm(confirmToken(confirmation), COMMANDER);
        expect(report.groups[0]![0]).toMatchObject({ state: 'ok', verify: { outcome: 'verified' } });
        fixture.execute(ctx).forEach((e, i) => {
          expectExactRequest(log[i], e);
        });

        // a refusal whose body echoes a secret back
        const secret = Object.values(fixture.secrets)[0]!;
        const first = fixture.execute({ ...ctx, idempotencyKey: `quell-${incident.id}-r2` })[0]!;
        intercept(first, { status: 400, body: { message: `rejected credential ${secret}` } }, log);
        const again = await services.containment.requestRun({
          incident,
          user: COMMANDER,
          kind: 'action',
          name: 'contain-agent',
          args: {},
          dryRun: false,
        });
        const failed = await services.containment.confirm(confirmToken(again), COMMANDER);
        expect(failed.groups[0]![0]!.state).toBe('failed');
        expect(failed.groups[0]![0]!.error).toContain('rejected credential [secret:');

        const everything = JSON.stringify([
          report,
          failed,
          confirmation,
          await services.containment.audit(incident.id),
          await services.containment.runs(incident.id),
          await services.incidents.timeline(incident.id),
          harness.slack.calls,
          harness.logLines,
        ]);
        for (const value of Object.values(fixture.secrets)) {
          expect(everything).not.toContain(value);
          expect(everything).not.toContain(encodeURIComponent(value));
        }
        const audit = await services.containment.audit(incident.id);
        expect(audit.map((e) => `${e.event}:${e.outcome}`)).toEqual([
          'executed:ok',
          'verified:verified',
          'executed:failed',
        ]);
        expect(audit[0]!.requests).toHaveLength(fixture.execute(ctx).length);
      } finally {
        await harness.close();
      }
    });
  });
}
