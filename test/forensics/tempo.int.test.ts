import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_COLLECTORS, runCollector } from '../../src/forensics/index.js';
import { AGENT, WINDOW } from './fixtures.js';
import { collectOnce, tempDir } from './harness.js';
import {
  searchAnswer,
  searchHit,
  searchQuery,
  TEMPO,
  TEMPO_PASSWORD,
  TEMPO_SETTINGS,
  TRACE_A,
  TRACE_A_SPANS,
  TRACE_B,
  TRACE_B_SPANS,
  TRACE_C,
  toolSpan,
  traceV1,
  traceV2,
} from './tempo-fixtures.js';

/**
 * Tempo beyond the shared conformance suite (conformance.int.test.ts runs tempoFixture too): the
 * failures that strike between the search and the traces it found, the time slicing that stands in
 * for pages, the cap, and the quoting of agent facts into TraceQL and logfmt. Answers are shaped after
 * https://grafana.com/docs/tempo/latest/api_docs/ (tempo-fixtures.ts).
 */
const SECRETS = { password: TEMPO_PASSWORD };
const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('tempo collector', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  const searchBoth = () =>
    nock(TEMPO)
      .get('/api/search')
      .query(searchQuery())
      .reply(
        200,
        searchAnswer([
          searchHit(TRACE_A, '2026-11-21T13:06:00Z'),
          searchHit(TRACE_B, '2026-11-21T13:19:00Z'),
        ]),
      );

  it('credentials revoked after the first trace: keeps the search and that trace, says auth, names the gap', async () => {
    searchBoth()
      .get(`/api/v2/traces/${TRACE_A}`)
      .reply(200, traceV2(TRACE_A, TRACE_A_SPANS))
      .get(`/api/v2/traces/${TRACE_B}`)
      .reply(401, 'invalid authentication credentials');
    const { summary, file } = await collectOnce(dir, 'tempo', TEMPO_SETTINGS, SECRETS);
    expect(summary.error).toMatchObject({ kind: 'auth', status: 401 });
    expect(summary.records).toBe(3);
    expect(summary.gaps.at(-1)).toMatchObject({ what: 'the rest of tempo after 3 records' });
    expect(summary.gaps.at(-1)?.reason).toContain(`/api/v2/traces/${TRACE_B} failed with HTTP 401`);
    // what was fetched before the refusal is on disk, raw, and in the timeline
    expect(JSON.parse(await file(`traces/${TRACE_A}.json`))).toEqual(traceV2(TRACE_A, TRACE_A_SPANS));
    expect(lines(await file('queries.jsonl')).map((q) => q.file)).toEqual([
      'search.page-0001.json',
      `traces/${TRACE_A}.json`,
    ]);
    expect(lines(await file('events.jsonl')).map((e) => e.name)).toEqual(['gpt-4.1', 'delete_records']);
    expect(JSON.parse(await file('run.json')).error.kind).toBe('auth');
    expect(await file('run.json')).not.toContain(TEMPO_PASSWORD);
  });

  it('Tempo down half-way (503 on every attempt): partial, retried with back-off, kept what it had', async () => {
    searchBoth()
      .get(`/api/v2/traces/${TRACE_A}`)
      .reply(200, traceV2(TRACE_A, TRACE_A_SPANS))
      .get(`/api/v2/traces/${TRACE_B}`)
      .times(3)
      .reply(503, 'too many outstanding requests');
    const { summary, sleeps } = await collectOnce(dir, 'tempo', TEMPO_SETTINGS, SECRETS);
    expect(summary.error).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(sleeps).toHaveLength(2);
    expect(summary.records).toBe(3);
    expect(summary.files).toBe(2);
  });

  it('a trace found by search but gone (404) is a gap; the run goes on to the next', async () => {
    searchBoth()
      .get(`/api/v2/traces/${TRACE_A}`)
      .reply(404, 'trace not found')
      .get(`/api/v2/traces/${TRACE_B}`)
      .reply(200, traceV2(TRACE_B, TRACE_B_SPANS));
    const { summary } = await collectOnce(dir, 'tempo', TEMPO_SETTINGS, SECRETS);
    expect(summary.error).toBeUndefined();
    expect(summary.records).toBe(1);
    expect(summary.gaps).toEqual([{ what: `trace ${TRACE_A}`, reason: expect.stringContaining('404') }]);
  });

  it('a partial v2 answer is kept and named as a gap', async () => {
    searchBoth()
      .get(`/api/v2/traces/${TRACE_A}`)
      .reply(200, traceV2(TRACE_A, TRACE_A_SPANS, 'trace exceeds max size (max bytes: 5000000)'))
      .get(`/api/v2/traces/${TRACE_B}`)
      .reply(200, traceV2(TRACE_B, TRACE_B_SPANS));
    const { summary } = await collectOnce(dir, 'tempo', TEMPO_SETTINGS, SECRETS);
    expect(summary.records).toBe(4);
    expect(summary.gaps).toEqual([
      {
        what: `part of trace ${TRACE_A}`,
        reason: 'Tempo returned it partial: trace exceeds max size (max bytes: 5000000)',
      },
    ]);
  });

  it('a full search is split into halves of its window; a slice still full at the minimum is a gap', async () => {
    const start = Math.floor(WINDOW.from.getTime() / 1000);
    const mid = start + 1800;
    const end = start + 3600;
    const q = (from: number, to: number) => searchQuery({ start: String(from), end: String(to), limit: '2' });
    nock(TEMPO)
      .get('/api/search')
      .query(q(start, end))
      .reply(
        200,
        searchAnswer([
          searchHit(TRACE_A, '2026-11-21T13:06:00Z'),
          searchHit(TRACE_C, '2026-11-21T13:40:00Z'),
        ]),
      )
      .get('/api/search')
      .query(q(start, mid))
      .reply(200, searchAnswer([searchHit(TRACE_A, '2026-11-21T13:06:00Z')]))
      .get('/api/search')
      .query(q(mid, end))
      .reply(
        200,
        searchAnswer([
          searchHit(TRACE_B, '2026-11-21T13:31:00Z'),
          searchHit(TRACE_C, '2026-11-21T13:40:00Z'),
        ]),
      )
      // each trace once, from the halves, not from the full answer
      .get(`/api/v2/traces/${TRACE_A}`)
      .reply(200, traceV2(TRACE_A, TRACE_A_SPANS))
      .get(`/api/v2/traces/${TRACE_B}`)
      .reply(200, traceV2(TRACE_B, TRACE_B_SPANS))
      .get(`/api/v2/traces/${TRACE_C}`)
      .reply(200, traceV2(TRACE_C, [toolSpan('c1c1c1c1c1c1c1c1', '2026-11-21T13:40:00Z', 'drop_table')]));
    const { summary, file } = await collectOnce(
      dir,
      'tempo',
      { ...TEMPO_SETTINGS, limit: 2, minSliceSeconds: 1800 },
      SECRETS,
    );
    expect(summary.error).toBeUndefined();
    expect(summary.notes).toMatchObject({ traces: 3, searches: 3, tenant: 'agents-prod' });
    expect(summary.records).toBe(5);
    expect(summary.gaps).toEqual([
      {
        what: 'traces from 2026-11-21T13:30:00.000Z to 2026-11-21T14:00:00.000Z past the search limit',
        reason: expect.stringContaining('limit=2 traces for a 1800-second slice'),
      },
    ]);
    expect(lines(await file('queries.jsonl')).map((l) => l.file)).toEqual([
      'search.page-0001.json',
      'search.page-0002.json',
      `traces/${TRACE_A}.json`,
      'search.page-0003.json',
      `traces/${TRACE_B}.json`,
      `traces/${TRACE_C}.json`,
    ]);
  });

  it('stops at the configured cap: later traces are not fetched, the run says truncated', async () => {
    // strict nock: a request for TRACE_B would fail the test
    searchBoth().get(`/api/v2/traces/${TRACE_A}`).reply(200, traceV2(TRACE_A, TRACE_A_SPANS));
    const { summary } = await collectOnce(dir, 'tempo', TEMPO_SETTINGS, SECRETS, { maxRecords: 3 });
    expect(summary.truncated).toBe(true);
    expect(summary.records).toBe(3);
    expect(summary.gaps[0]?.reason).toContain('more than 3 records');
  });

  it('normalises base64 span ids to hex and times to UTC in the agent timeline', async () => {
    searchBoth()
      .get(`/api/v2/traces/${TRACE_A}`)
      .reply(200, traceV2(TRACE_A, TRACE_A_SPANS))
      .get(`/api/v2/traces/${TRACE_B}`)
      .reply(200, traceV2(TRACE_B, TRACE_B_SPANS));
    const { file } = await collectOnce(dir, 'tempo', TEMPO_SETTINGS, SECRETS);
    const tool = lines(await file('events.jsonl')).find((e) => e.name === 'delete_records');
    expect(tool).toMatchObject({
      at: '2026-11-21T13:08:00.000Z',
      kind: 'tool_call',
      correlation: { trace_id: TRACE_A, span_id: 'a2a2a2a2a2a2a2a2', tool_call_id: 'call-a2a2a2a2a2a2a2a2' },
      input: '{"table":"orders"}',
      source: { collector: 'tempo', file: `forensics/tempo/run-1/traces/${TRACE_A}.json` },
    });
  });

  it('bearer token, no tenant: sends Authorization Bearer and no X-Scope-OrgID; v1 trace API reads `batches`', async () => {
    nock(TEMPO, { badheaders: ['x-scope-orgid'] })
      .get('/api/search')
      .query(searchQuery())
      .matchHeader('authorization', 'Bearer tempo-token-abcdef')
      .reply(200, searchAnswer([searchHit(TRACE_B, '2026-11-21T13:19:00Z')]))
      .get(`/api/traces/${TRACE_B}`)
      .matchHeader('authorization', 'Bearer tempo-token-abcdef')
      .matchHeader('accept', 'application/json')
      .reply(200, traceV1(TRACE_B, TRACE_B_SPANS));
    const { summary, file } = await collectOnce(
      dir,
      'tempo',
      { baseUrl: TEMPO, limit: 20, spss: 3, traceApi: 'v1' },
      { token: 'tempo-token-abcdef' },
    );
    expect(summary.error).toBeUndefined();
    expect(lines(await file('events.jsonl')).map((e) => e.name)).toEqual(['send_email']);
  });

  it('an empty search answer (no `traces` field) is a complete, empty run', async () => {
    nock(TEMPO)
      .get('/api/search')
      .query(searchQuery())
      .reply(200, { metrics: { totalBlocks: 13 } });
    const { summary, file } = await collectOnce(dir, 'tempo', TEMPO_SETTINGS, SECRETS);
    expect(summary).toMatchObject({ records: 0, files: 1, gaps: [], notes: { traces: 0, searches: 1 } });
    expect(JSON.parse(await file('search.page-0001.json'))).toEqual({ metrics: { totalBlocks: 13 } });
  });

  it('a search hit whose id is not hex is not put into a URL', async () => {
    nock(TEMPO)
      .get('/api/search')
      .query(searchQuery())
      .reply(200, searchAnswer([searchHit('../../api/overrides', '2026-11-21T13:06:00Z')]));
    const { summary } = await collectOnce(dir, 'tempo', TEMPO_SETTINGS, SECRETS);
    expect(summary.error).toBeUndefined();
    expect(summary.gaps.map((g) => g.what)).toEqual(['a trace with an id that is not hex']);
  });
});

describe('tempo queries quote the agent facts', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  async function run(settings: Record<string, unknown>, agent: Record<string, string>) {
    const collector = BUILT_IN_COLLECTORS.get('tempo')!;
    return runCollector({
      resolved: {
        name: 'tempo',
        collector,
        settings: collector.settingsSchema.parse(settings),
        secrets: {},
        auto: [],
        afterContainment: false,
        maxRecords: 100,
      },
      directory: dir,
      run: 'r',
      trigger: 'command',
      window: WINDOW,
      agent,
      timeoutMs: 2_000,
      now: () => new Date('2026-11-21T14:00:00Z'),
    });
  }

  it('TraceQL: a quote in the agent name stays inside the string literal', async () => {
    nock(TEMPO)
      .get('/api/search')
      .query(searchQuery({ q: '{ resource.service.name = "bot\\" || true || \\"" }' }))
      .reply(200, { traces: [] });
    const summary = await run({ baseUrl: TEMPO, limit: 20, spss: 3 }, { name: 'bot" || true || "' });
    expect(summary.error).toBeUndefined();
  });

  it('a custom TraceQL query gets the facts quoted the same way', async () => {
    nock(TEMPO)
      .get('/api/search')
      .query(
        searchQuery({ q: '{ span.gen_ai.agent.name = "refund \\\\ bot" && span.gen_ai.system != nil }' }),
      )
      .reply(200, { traces: [] });
    const summary = await run(
      {
        baseUrl: TEMPO,
        limit: 20,
        spss: 3,
        query: '{ span.gen_ai.agent.name = "{agent.name}" && span.gen_ai.system != nil }',
      },
      { name: 'refund \\ bot' },
    );
    expect(summary.error).toBeUndefined();
  });

  it('logfmt tags: a value with a space is double-quoted', async () => {
    const { q: _q, ...rest } = searchQuery();
    nock(TEMPO)
      .get('/api/search')
      .query({ ...rest, tags: 'service.name="refund bot" deployment.environment=prod' })
      .reply(200, { traces: [] });
    const summary = await run(
      {
        baseUrl: TEMPO,
        limit: 20,
        spss: 3,
        tags: 'service.name={agent.name} deployment.environment={agent.environment}',
      },
      { name: 'refund bot', environment: 'prod' },
    );
    expect(summary.error).toBeUndefined();
  });

  it('an incident without the agent fact the query needs fails clearly and sends nothing', async () => {
    const summary = await run({ baseUrl: TEMPO, limit: 20, spss: 3 }, {});
    expect(summary.error).toMatchObject({ kind: 'failed' });
    expect(summary.error?.message).toBe(
      "the incident records no agent.name, which this collector's search needs",
    );
  });

  it('plans the search over the whole window and the trace fetch, sending nothing', () => {
    const collector = BUILT_IN_COLLECTORS.get('tempo')!;
    const plan = collector.plan({
      settings: collector.settingsSchema.parse(TEMPO_SETTINGS),
      secrets: {},
      window: WINDOW,
      agent: AGENT,
      maxRecords: 10,
    });
    expect(plan.map((p) => p.url)).toEqual([
      `${TEMPO}/api/search?${new URLSearchParams(searchQuery())}`,
      `${TEMPO}/api/v2/traces/<traceID>`,
    ]);
  });
});
