import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_COLLECTORS } from '../../src/forensics/index.js';
import { AGENT, HTTP_FIXTURES, WINDOW } from './fixtures.js';
import { collectOnce, tempDir } from './harness.js';
import { tempoFixture } from './tempo-fixtures.js';

/**
 * One suite, every HTTP collector, against fakes built from each vendor's documented requests and
 * answers (fixtures.ts cites the pages): pagination, 429 with Retry-After, refused credentials, a
 * 429 storm half-way. Whatever happens, the run keeps what it fetched, names the gap, and returns.
 */
describe.each([...HTTP_FIXTURES, tempoFixture])('collector conformance: $collector', (fixture) => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('plans the documented request without sending anything', () => {
    const collector = BUILT_IN_COLLECTORS.get(fixture.collector)!;
    const plan = collector.plan({
      settings: collector.settingsSchema.parse(fixture.settings),
      secrets: {},
      window: WINDOW,
      agent: AGENT,
      maxRecords: 10,
    });
    expect(plan.length).toBeGreaterThan(0);
    for (const request of plan) expect(request.url.startsWith(fixture.base)).toBe(true);
    expect(JSON.stringify(plan)).not.toContain(fixture.secret);
    // strict nock: any request would have failed the test
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('collects every page raw, with its query, the run record and the tool calls', async () => {
    fixture.happy(nock(fixture.base));
    const { summary, file } = await collectOnce(dir, fixture.collector, fixture.settings, fixture.secrets);
    expect(summary.error).toBeUndefined();
    expect(summary.records).toBe(fixture.expected.records);
    expect(summary.truncated).toBe(false);
    const queries = (await file('queries.jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(queries.map((q) => q.file)).toEqual(fixture.expected.files);
    for (const f of fixture.expected.files) expect((await file(f)).length).toBeGreaterThan(0);
    const events = (await file('events.jsonl'))
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.kind === 'tool_call').map((e) => e.name)).toEqual(
      fixture.expected.toolCalls,
    );
    for (const e of events) expect(e.at).toMatch(/Z$/);
    const run = JSON.parse(await file('run.json'));
    expect(run).toMatchObject({
      collector: fixture.collector,
      collectorVersion: '1',
      window: { from: WINDOW.from.toISOString(), to: WINDOW.to.toISOString() },
    });
    // the secret is in no record Quell wrote about the run
    expect(await file('queries.jsonl')).not.toContain(fixture.secret);
    expect(await file('run.json')).not.toContain(fixture.secret);
  });

  it('records refused credentials as such, keeps the run record, and does not throw', async () => {
    fixture.refused(nock(fixture.base));
    const { summary, file } = await collectOnce(dir, fixture.collector, fixture.settings, fixture.secrets);
    expect(summary.error?.kind).toBe('auth');
    expect(summary.records).toBe(0);
    expect(summary.gaps.at(-1)?.reason).toMatch(/HTTP 40[13]/);
    expect(JSON.parse(await file('run.json')).error.kind).toBe('auth');
  });

  it('a 429 storm half-way keeps the pages fetched, honours Retry-After, and names the gap', async () => {
    fixture.stormAfterFirst(nock(fixture.base));
    const { summary, sleeps, file } = await collectOnce(
      dir,
      fixture.collector,
      fixture.settings,
      fixture.secrets,
    );
    expect(summary.error?.kind).toBe('rate_limited');
    expect(summary.records).toBe(fixture.keptBeforeStorm);
    // Retry-After: 1 → one second between the three attempts
    expect(sleeps).toEqual([1000, 1000]);
    expect(summary.gaps.at(-1)?.what).toContain(`after ${fixture.keptBeforeStorm} records`);
    const queries = (await file('queries.jsonl')).trim().split('\n').filter(Boolean);
    expect(queries.length).toBe(summary.files);
    expect(JSON.parse(await file('run.json')).records).toBe(fixture.keptBeforeStorm);
  });
});

describe('caps and vendor facts', () => {
  it('stops at the configured cap and says the window held more', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const fixture = HTTP_FIXTURES[0]!;
      nock(fixture.base)
        .get('/spend/logs/ui')
        .query((q) => q.page === '1')
        .reply(200, { data: [{ request_id: 'a' }, { request_id: 'b' }], total_pages: 5 });
      const { summary } = await collectOnce(dir, 'litellm', fixture.settings, fixture.secrets, {
        maxRecords: 2,
      });
      expect(summary.truncated).toBe(true);
      expect(summary.gaps[0]?.reason).toContain('more than 2 records');
    } finally {
      await cleanup();
    }
  });

  it('litellm says whether the proxy stores prompts (store_prompts_in_spend_logs)', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const fixture = HTTP_FIXTURES[0]!;
      nock(fixture.base)
        .get('/spend/logs/ui')
        .query(true)
        .reply(200, {
          data: [{ request_id: 'a', startTime: '2026-11-21T13:01:00Z', messages: {}, response: {} }],
          total_pages: 1,
        });
      const { summary } = await collectOnce(dir, 'litellm', fixture.settings, fixture.secrets);
      expect(summary.notes.promptsStored).toBe(false);
      expect(summary.gaps.map((g) => g.what)).toContain('prompt and response text');
    } finally {
      await cleanup();
    }
  });

  it('langfuse records the ingestion lag and asks for one more collection after it', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const now = new Date();
      nock('https://cloud.langfuse.com')
        .get('/api/public/traces')
        .query(true)
        .reply(200, { data: [], meta: { page: 1, limit: 50, totalItems: 0, totalPages: 0 } });
      const definition = BUILT_IN_COLLECTORS.get('langfuse')!;
      const { runCollector } = await import('../../src/forensics/index.js');
      const summary = await runCollector({
        resolved: {
          name: 'langfuse',
          collector: definition,
          settings: definition.settingsSchema.parse({ tags: ['agent:refund-bot'] }),
          secrets: { publicKey: 'pk', secretKey: 'sk-secret' },
          auto: [],
          afterContainment: false,
          maxRecords: 10,
        },
        directory: dir,
        run: 'r',
        trigger: 'declared',
        window: { from: new Date(now.getTime() - 3_600_000), to: now },
        agent: AGENT,
        timeoutMs: 2_000,
        now: () => now,
      });
      expect(summary.notes.ingestionLagMinutes).toBe(10);
      expect(summary.recollectAfterMs).toBe(600_000);
    } finally {
      await cleanup();
    }
  });
});
