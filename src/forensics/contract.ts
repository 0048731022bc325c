import type { z } from 'zod';
import type { EvidenceSink } from '../evidence/index.js';
import type { HttpClient } from './http.js';

/**
 * The forensic collector contract, beside the containment adapter contract and in the same shape:
 * an id, a zod settings schema (from the config file), secret slots (filled from environment
 * variables the config names), a pure `plan` (what it would fetch: shown in drills, sends nothing)
 * and `collect`, which streams each page into the evidence sink as the vendor returned it, so memory
 * stays bounded by one page. A collector throws when it cannot go on: the run keeps every page
 * written before, names the gap, and the incident carries on.
 */
export interface ForensicCollector<Settings = unknown> {
  id: string;
  /** One line for `/incident collect` listings: what it preserves, from where. */
  summary: string;
  /** The vendor documentation page this collector follows. */
  docs: string;
  settingsSchema: z.ZodType<Settings>;
  secrets: { required: readonly string[]; optional?: readonly string[] };
  plan(ctx: CollectPlanContext<Settings>): PlannedFetch[];
  collect(ctx: CollectContext<Settings>): Promise<void>;
}

/** The incident's window: from its "started at" (or the look-back before declaring) to now. */
export interface CollectWindow {
  from: Date;
  to: Date;
}

/** The incident's agent facts (name, version, model, tools, environment...), as recorded. */
export type AgentFacts = Readonly<Partial<Record<string, string>>>;

export interface CollectPlanContext<Settings> {
  settings: Settings;
  secrets: Readonly<Record<string, string>>;
  window: CollectWindow;
  agent: AgentFacts;
  /** Most records one run keeps (config `forensics.maxRecords` or the collector's own). */
  maxRecords: number;
}

export interface CollectContext<Settings> extends CollectPlanContext<Settings> {
  http: HttpClient;
  out: CollectOutput;
  /** Waits (pagination back-off, ingestion lag); tests shorten it. */
  sleep: (ms: number) => Promise<void>;
}

/** A request as shown to people (after redaction) in a drill's plan and kept with the run. */
export interface PlannedFetch {
  method: string;
  url: string;
  /** What it reads, in a few words ("spend logs of the agent's key, page by page"). */
  what: string;
}

/** One tool or model call the agent made, normalised to UTC, for the agent timeline. */
export interface AgentEvent {
  at: string;
  kind: 'tool_call' | 'model_call' | 'log' | 'job';
  /** Tool name, model name, or a short label. */
  name: string;
  /** Correlation ids the vendor records (trace id, span id, request id, session id...). */
  correlation: Record<string, string>;
  /** Tool-call arguments / prompt, raw (masked in readable views). */
  input?: string;
  output?: string;
  /** Where it came from: `<collector id>` plus the file holding the raw record. */
  source: { collector: string; file: string };
}

/**
 * What collect writes through. Each `page` is a raw vendor response stored at once under the run's
 * folder (`forensics/<collector>/<run>/<name>`); `count` tells the run how many records it holds and
 * answers false once the cap is reached (the collector stops; the summary says "truncated").
 */
export interface CollectOutput {
  page(name: string, body: string, query: PlannedFetch): Promise<void>;
  /** Raw bytes too big to hold whole (pod logs): streamed into the run's folder. */
  stream(
    name: string,
    content: AsyncIterable<Uint8Array | string> | string,
    query: PlannedFetch,
  ): Promise<void>;
  count(records: number): boolean;
  event(event: AgentEvent): void;
  /** A fact about the collection itself ("prompts stored: no", "ingestion lag 10 min"). */
  note(key: string, value: string | number | boolean): void;
  gap(what: string, reason: string): void;
  /** Ask the run to collect once more after this long (Langfuse ingestion lag). */
  recollectAfter(ms: number): void;
}

export type EvidenceSinkLike = EvidenceSink;

// biome-ignore lint/suspicious/noExplicitAny: collectors are heterogeneous by design; each validates its own settings
export type AnyCollector = ForensicCollector<any>;

export function defineCollector<Settings>(
  collector: ForensicCollector<Settings>,
): ForensicCollector<Settings> {
  return collector;
}

/** Fills `{agent.name}`, `{from}`, `{to}`, `{from.unix}`... in a settings value. */
export function fillTemplate(template: string, window: CollectWindow, agent: AgentFacts): string {
  return template.replace(/\{([a-z.-]+)\}/g, (whole, name: string) => {
    if (name === 'from') return window.from.toISOString();
    if (name === 'to') return window.to.toISOString();
    if (name === 'from.unix') return String(Math.floor(window.from.getTime() / 1000));
    if (name === 'to.unix') return String(Math.floor(window.to.getTime() / 1000));
    if (name.startsWith('agent.')) return agent[name.slice(6)] ?? whole;
    return whole;
  });
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export function withQuery(
  url: string,
  params: Record<string, string | number | undefined | readonly string[]>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${url}${url.includes('?') ? '&' : '?'}${text}` : url;
}
