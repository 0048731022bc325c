import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanContext, RunContext } from '../../src/containment/contract.js';
import { TargetError } from '../../src/containment/contract.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient } from '../../src/http/client.js';
import { redactor } from '../../src/http/redact.js';
import {
  type AdapterFixture,
  type Exchange,
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
      { 'content-type': 'application/json', ...reply.headers },
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

/** Registers every exchange, in order (nock answers repeated paths in registration order). */
function interceptAll(exchanges: Exchange[], log: Captured[]) {
  for (const exchange of exchanges) intercept(exchange, exchange.reply, log);
}

function expectExactRequests(log: Captured[], expected: ExpectedRequest[]) {
  expect(
    log.map((c) => `${c.method} ${c.path}`),
    'requests sent, in order',
  ).toEqual(expected.map((e) => `${e.method} ${urlOf(e).replace(e.origin, '')}`));
  expected.forEach((e, i) => {
    expectExactRequest(log[i], e);
  });
}

/** The plan as a dry run shows it: the documented requests, with run-time targets as templates. */
function plannedOf(expected: ExpectedRequest[]) {
  return expected
    .filter((e) => !e.dynamic)
    .map((e) => ({
      method: e.method,
      url: urlOf(e),
      ...(Object.keys(e.plannedHeaders ?? e.headers).length
        ? { headers: e.plannedHeaders ?? e.headers }
        : {}),
      ...(e.json !== undefined
        ? { body: e.json }
        : e.rawBody !== undefined
          ? { body: e.plannedRawBody ?? e.rawBody }
          : {}),
    }));
}

const withoutTemplates = (plan: { url: string }[]) =>
  plan.filter((r) => !r.url.includes('%7B') && !r.url.includes('{'));

async function executed(fixture: AdapterFixture, exchanges: Exchange[]) {
  const log: Captured[] = [];
  interceptAll(exchanges, log);
  const ctx = contexts(fixture, client(fixture));
  const outcome = await fixture.adapter.execute(ctx);
  return { ctx, outcome, log, state: outcome.state ?? {} };
}

async function verifyWith(
  fixture: AdapterFixture,
  ctx: RunContext<unknown, unknown>,
  state: Record<string, unknown>,
  exchanges: Exchange[],
  after: 'execute' | 'undo',
) {
  const log: Captured[] = [];
  interceptAll(exchanges, log);
  const outcome = await fixture.adapter.verify({ ...ctx, http: client(fixture) }, state, after);
  expectExactRequests(log, exchanges);
  return outcome;
}

for (const fixture of FIXTURES) {
  describe(`adapter conformance: ${fixture.name}`, () => {
    it('cites the vendor documentation its fixtures come from', () => {
      expect(fixture.docs.length).toBeGreaterThan(0);
      for (const page of fixture.docs) expect(page).toMatch(/^(https:\/\/|README\.md#|src\/)/);
    });

    it('plans exactly the documented requests and a plan sends nothing (dry run)', () => {
      const ctx = contexts(fixture, client(fixture));
      expect(withoutTemplates(fixture.adapter.plan('execute', ctx))).toEqual(
        plannedOf(fixture.execute(FIXTURE_CTX)),
      );
      expect(withoutTemplates(fixture.adapter.plan('verify', ctx, {}))).toEqual(
        plannedOf(fixture.verify.inForce),
      );
      expect(attemptedUnmocked).toEqual([]);
      expect(nock.pendingMocks()).toEqual([]);
    });

    it('reads the prior state first, then sends exactly the documented change; verify checks the effect', async () => {
      const expected = fixture.execute(FIXTURE_CTX);
      const { ctx, outcome, log, state } = await executed(fixture, expected);
      expectExactRequests(log, expected);
      const firstRead = log.find((_, i) => !expected[i]!.credential);
      expect(firstRead!.method, 'the prior state is read before anything changes').toBe('GET');
      expect(state.prior).toMatchObject({ known: true, value: fixture.prior });
      expect(expected.map((e) => e.reply.status)).toContain(outcome.status);

      const verified = await verifyWith(fixture, ctx, state, fixture.verify.inForce, 'execute');
      expect(verified.verified).toBe(true);
      const notVerified = await verifyWith(fixture, ctx, state, fixture.verify.notInForce, 'execute');
      expect(notVerified.verified).toBe(false);
      expect(notVerified.observed).not.toBe('');
    });

    if (fixture.undo) {
      it('undo restores the recorded prior state with the documented request, and verify sees it', async () => {
        const { ctx, state } = await executed(fixture, fixture.execute(FIXTURE_CTX));
        const expected = fixture.undo!(FIXTURE_CTX);
        expect(withoutTemplates(fixture.adapter.plan('undo', ctx, state))).toEqual(plannedOf(expected));
        const log: Captured[] = [];
        interceptAll(expected, log);
        await fixture.adapter.undo!({ ...ctx, http: client(fixture) }, state);
        expectExactRequests(log, expected);
        const lifted = await verifyWith(fixture, ctx, state, fixture.verify.lifted!, 'undo');
        expect(lifted.verified).toBe(true);
        expect(fixture.adapter.describeUndo?.(ctx, state)).toBeTruthy();
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

    if (fixture.alreadyContained) {
      it('already contained before Quell acted: undo leaves it contained', async () => {
        const contained = fixture.alreadyContained!;
        const { ctx, state, log } = await executed(fixture, contained.execute(FIXTURE_CTX));
        expectExactRequests(log, contained.execute(FIXTURE_CTX));
        expect(state.prior).toMatchObject({ known: true, value: contained.prior });
        const undoLog: Captured[] = [];
        interceptAll(contained.undo, undoLog);
        const undone = await fixture.adapter.undo!({ ...ctx, http: client(fixture) }, state);
        expectExactRequests(undoLog, contained.undo);
        expect(undone.detail).toMatch(/before containment/);
        const after = await verifyWith(fixture, ctx, state, contained.stillContained, 'undo');
        expect(after.verified, 'still contained is what undo should leave').toBe(true);
        expect(attemptedUnmocked).toEqual([]);
      });
    }

    if (fixture.inFlight) {
      it('stops work in flight (cancel or suspend, never delete) and verify lists what still runs', async () => {
        const inFlight = fixture.inFlight!;
        const expected = inFlight.execute(FIXTURE_CTX);
        const { ctx, state, log } = await executed(fixture, expected);
        expectExactRequests(log, expected);
        expect(log.map((c) => c.method)).not.toContain('DELETE');
        const still = await verifyWith(fixture, ctx, state, inFlight.stillRunning, 'execute');
        expect(still.verified).toBe(false);
        expect(still.observed).toContain(inFlight.mentions);
        expect(still.inFlight?.length).toBeGreaterThan(0);
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
        interceptAll(fixture.execute(ctx), log);
        interceptAll(fixture.verify.inForce, log);
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
        expectExactRequests(log.slice(0, fixture.execute(ctx).length), fixture.execute(ctx));
        log.length = 0;

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
        // (the durable run's own `started` records are the runner's business, not the adapter's)
        expect(audit.filter((e) => e.event !== 'started').map((e) => `${e.event}:${e.outcome}`)).toEqual([
          'executed:ok',
          'verified:verified',
          'executed:failed',
        ]);
        expect(audit.find((e) => e.event === 'executed')!.requests.length).toBeGreaterThanOrEqual(
          fixture.execute(ctx).filter((e) => !e.dynamic).length,
        );
        // no recorded URL holds a raw secret (the LiteLLM agent key is named by its hashed token)
        for (const request of audit.flatMap((e) => e.requests))
          for (const value of Object.values(fixture.secrets)) expect(request.url).not.toContain(value);
      } finally {
        await harness.close();
      }
    });
  });
}
