import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TargetError } from '../../src/forensics/http.js';
import { type ForensicCollector, runCollector } from '../../src/forensics/index.js';
import { registry } from '../../src/ops/metrics.js';
import { AGENT, WINDOW } from './fixtures.js';
import { tempDir } from './harness.js';

/**
 * Every collector run is counted in `quell_forensics_collector_runs_total{collector,outcome}` and
 * timed in `quell_forensics_collector_duration_seconds{collector}`, read here from the registry that
 * /metrics serves. Collectors below are real contract implementations that end each possible way.
 */
async function series(name: string, labels: Record<string, string>): Promise<number> {
  // a histogram's `_count` is listed under the histogram's own name
  const family = name.replace(/_count$/, '');
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === family);
  return (metric?.values ?? [])
    .filter(
      (v) =>
        (v as { metricName?: string }).metricName === undefined ||
        (v as { metricName?: string }).metricName === name,
    )
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}
const runs = (collector: string, outcome: string) =>
  series('quell_forensics_collector_runs_total', { collector, outcome });
const timed = (collector: string) =>
  series('quell_forensics_collector_duration_seconds_count', { collector });

const query = { method: 'GET', url: 'https://vendor.internal/logs', what: 'logs' };
function collector(collect: ForensicCollector['collect']): ForensicCollector {
  return {
    id: 'scripted',
    summary: 'a collector that ends as scripted',
    docs: 'https://vendor.internal/docs',
    settingsSchema: z.object({}),
    secrets: { required: [] },
    plan: () => [query],
    collect,
  };
}

const ENDINGS: { outcome: string; collect: ForensicCollector['collect'] }[] = [
  {
    outcome: 'ok',
    async collect({ out }) {
      await out.page('p1.json', '[1,2]', query);
      out.count(2);
    },
  },
  {
    outcome: 'truncated',
    async collect({ out }) {
      await out.page('p1.json', '[1,2,3]', query);
      out.count(3);
    },
  },
  {
    outcome: 'refused',
    async collect({ out }) {
      await out.page('p1.json', '[1]', query);
      out.count(1);
      throw new TargetError('GET /logs failed with HTTP 401: token revoked', {
        status: 401,
        retryable: false,
        attempts: 1,
      });
    },
  },
  {
    outcome: 'partial',
    async collect({ out }) {
      await out.page('p1.json', '[1]', query);
      out.count(1);
      throw new TargetError('GET /logs failed with HTTP 429 (gave up after 3 attempts)', {
        status: 429,
        retryable: true,
        attempts: 3,
      });
    },
  },
  {
    outcome: 'failed',
    async collect() {
      throw new TargetError('GET /logs could not connect: ECONNREFUSED', { retryable: true, attempts: 3 });
    },
  },
];

describe('collector run metrics', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  const run = (name: string, collect: ForensicCollector['collect'], directory = dir) =>
    runCollector({
      resolved: {
        name,
        collector: collector(collect),
        settings: {},
        secrets: {},
        auto: [],
        afterContainment: false,
        maxRecords: 3,
      },
      directory,
      run: 'r1',
      trigger: 'command',
      window: WINDOW,
      agent: AGENT,
      timeoutMs: 1_000,
      now: () => new Date('2026-11-21T14:00:00Z'),
    });

  it.each(ENDINGS)(
    'a run that ends $outcome is counted once with that outcome, and timed',
    async ({ outcome, collect }) => {
      const name = `metrics-${outcome}`;
      const before = { counted: await runs(name, outcome), timed: await timed(name) };
      const summary = await run(name, collect);
      expect(await runs(name, outcome)).toBe(before.counted + 1);
      expect(await timed(name)).toBe(before.timed + 1);
      // no other outcome was counted for this run
      for (const other of ENDINGS.filter((e) => e.outcome !== outcome))
        expect(await runs(name, other.outcome)).toBe(0);
      expect(summary.name).toBe(name);
    },
  );

  it('a run that cannot even write its folder is counted as failed, and the error still reaches the job', async () => {
    const name = 'metrics-unwritable';
    const before = await runs(name, 'failed');
    // the staging path is a file, so the run folder cannot be made (chmod would not stop root)
    const blocked = join(dir, 'incident');
    await writeFile(blocked, 'not a directory');
    await expect(run(name, ENDINGS[0]!.collect, blocked)).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(await runs(name, 'failed')).toBe(before + 1);
  });
});
