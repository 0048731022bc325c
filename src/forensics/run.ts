import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BundleWriter } from '../evidence/index.js';
import { metrics } from '../ops/metrics.js';
import type { AgentEvent, CollectOutput, CollectWindow, PlannedFetch } from './contract.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient, redactor, TargetError } from './http.js';
import type { ResolvedCollector } from './registry.js';

export const COLLECTOR_VERSION = '1';

/** What one run preserved: written as `run.json` beside the raw pages, shown in Slack and on the timeline. */
export interface RunSummary {
  name: string;
  collector: string;
  collectorVersion: string;
  run: string;
  trigger: string;
  window: { from: string; to: string };
  startedAt: string;
  finishedAt: string;
  records: number;
  files: number;
  bytes: number;
  events: number;
  truncated: boolean;
  gaps: { what: string; reason: string }[];
  notes: Record<string, string | number | boolean>;
  /** Why the run stopped early (wrong credentials, vendor down, rate limited), redacted. */
  error?: { message: string; status?: number; kind: 'auth' | 'rate_limited' | 'unavailable' | 'failed' };
  recollectAfterMs?: number;
}

export interface RunInput {
  resolved: ResolvedCollector;
  /** `<staging>/<incident id>`: a bundle-shaped folder, `forensics/<name>/<run>/…` inside. */
  directory: string;
  run: string;
  trigger: string;
  window: CollectWindow;
  agent: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * How a run ended, the `outcome` of `quell_forensics_collector_runs_total`: `ok`; `truncated` (the
 * window held more than the cap); `refused` (the vendor refused the credentials, whatever was kept
 * before); `partial` (rate limited, down or failing after something was kept); `failed` (nothing
 * kept, or the run itself could not write its folder).
 */
export type RunOutcome = 'ok' | 'truncated' | 'refused' | 'partial' | 'failed';

export function runOutcome(summary: RunSummary): RunOutcome {
  if (summary.error) {
    if (summary.error.kind === 'auth') return 'refused';
    return summary.records > 0 || summary.files > 0 ? 'partial' : 'failed';
  }
  return summary.truncated ? 'truncated' : 'ok';
}

/**
 * Runs one collector into its run folder. Every page is on disk the moment it arrives; an error
 * half-way (a 429 storm, revoked credentials, the vendor down) ends the run with what it fetched,
 * the error classified and named as a gap. A retried job starts its run folder afresh. Every run,
 * whatever its end, is counted once with its outcome and duration (a run that throws: `failed`).
 */
export async function runCollector(input: RunInput): Promise<RunSummary> {
  const started = performance.now();
  let outcome: RunOutcome = 'failed';
  try {
    const summary = await collectRun(input);
    outcome = runOutcome(summary);
    return summary;
  } finally {
    metrics.collectorRun(input.resolved.name, outcome, performance.now() - started);
  }
}

async function collectRun(input: RunInput): Promise<RunSummary> {
  const { resolved, run, window } = input;
  const base = `${run}`;
  const runDir = `${input.directory}/forensics/${resolved.name}/${run}`;
  await rm(runDir, { recursive: true, force: true });
  const writer = new BundleWriter(input.directory);
  const redact = redactor(resolved.secrets);
  const startedAt = input.now().toISOString();
  const summary: RunSummary = {
    name: resolved.name,
    collector: resolved.collector.id,
    collectorVersion: COLLECTOR_VERSION,
    run,
    trigger: input.trigger,
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    startedAt,
    finishedAt: startedAt,
    records: 0,
    files: 0,
    bytes: 0,
    events: 0,
    truncated: false,
    gaps: [],
    notes: {},
  };
  const lines = async (file: string): Promise<WriteStream> => {
    const path = writer.claim(`forensics/${resolved.name}/${base}/${file}`, `forensics.${resolved.name}`);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    return createWriteStream(path, { flags: 'wx', mode: 0o600 });
  };
  const queries = await lines('queries.jsonl');
  const events = await lines('events.jsonl');
  const record = (file: string, query: PlannedFetch, bytes: number) => {
    summary.files++;
    summary.bytes += bytes;
    queries.write(
      `${JSON.stringify({ file, at: input.now().toISOString(), method: query.method, url: redact(query.url), what: query.what })}\n`,
    );
  };
  // event lines wait as strings and go out in one write per page (or per 64 KB): a write per event
  // made a Buffer per event, and a page's worth of them survived young GCs into the old space
  let pendingEvents: string[] = [];
  let pendingEventBytes = 0;
  const writeEvents = () => {
    if (pendingEvents.length === 0) return;
    events.write(pendingEvents.join(''));
    pendingEvents = [];
    pendingEventBytes = 0;
  };
  // events and queries are appended as pages arrive; a page waits until they are flushed, so
  // memory stays bounded by one page however many records the window holds
  const flushed = async () => {
    writeEvents();
    for (const stream of [queries, events])
      if (stream.writableNeedDrain) await new Promise<void>((resolve) => stream.once('drain', resolve));
  };
  const out: CollectOutput = {
    async page(name, body, query) {
      await flushed();
      const entry = await writer.writeFile(resolved.name, `${base}/${name}`, body);
      record(name, query, entry.bytes);
    },
    async stream(name, content, query) {
      await flushed();
      const entry = await writer.writeFile(resolved.name, `${base}/${name}`, content);
      record(name, query, entry.bytes);
    },
    count(n) {
      summary.records += n;
      if (summary.records < resolved.maxRecords) return true;
      if (!summary.truncated) {
        summary.truncated = true;
        summary.gaps.push({
          what: 'records past the cap',
          reason: `the window holds more than ${resolved.maxRecords} records (forensics.maxRecords)`,
        });
      }
      return false;
    },
    event(event: AgentEvent) {
      summary.events++;
      const line = `${JSON.stringify({ ...event, source: { collector: resolved.name, file: `forensics/${resolved.name}/${base}/${event.source.file}` } })}\n`;
      pendingEvents.push(line);
      pendingEventBytes += line.length;
      if (pendingEventBytes >= 64 * 1024) writeEvents();
    },
    note(key, value) {
      summary.notes[key] = value;
    },
    gap(what, reason) {
      summary.gaps.push({ what, reason: redact(reason) });
    },
    recollectAfter(ms) {
      summary.recollectAfterMs = ms;
    },
  };
  const http = new HttpClient({
    ...DEFAULT_HTTP_OPTIONS,
    timeoutMs: input.timeoutMs,
    redact,
    ...(input.sleep ? { sleep: input.sleep } : {}),
  });
  try {
    await resolved.collector.collect({
      settings: resolved.settings,
      secrets: resolved.secrets,
      window,
      agent: input.agent,
      maxRecords: resolved.maxRecords,
      http,
      out,
      sleep: input.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    });
  } catch (error) {
    summary.error = classify(error, redact);
    summary.gaps.push({
      what: `the rest of ${resolved.name} after ${summary.records} records`,
      reason: summary.error.message,
    });
  } finally {
    writeEvents();
    await Promise.all([end(queries), end(events)]);
    summary.finishedAt = input.now().toISOString();
    await writer.writeFile(resolved.name, `${base}/run.json`, `${JSON.stringify(summary, null, 2)}\n`);
  }
  return summary;
}

const end = (stream: WriteStream) =>
  new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));

function classify(error: unknown, redact: (t: string) => string): NonNullable<RunSummary['error']> {
  const message = redact(error instanceof Error ? error.message : String(error));
  if (error instanceof TargetError) {
    const status = error.details.status;
    const kind =
      status === 401 || status === 403
        ? 'auth'
        : status === 429
          ? 'rate_limited'
          : status === undefined || status >= 500
            ? 'unavailable'
            : 'failed';
    return { message, kind, ...(status !== undefined ? { status } : {}) };
  }
  return {
    message,
    kind: /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|Connection is closed/.test(message) ? 'unavailable' : 'failed',
  };
}
