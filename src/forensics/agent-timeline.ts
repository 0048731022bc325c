import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AgentEvent } from './contract.js';
import { maskForReading } from './mask.js';

/** A merged agent-timeline entry: the event plus a stable id (the "mark as first unauthorized" value). */
export interface TimelineEntry extends AgentEvent {
  id: string;
}

export const AGENT_TIMELINE_KINDS: readonly AgentEvent['kind'][] = ['tool_call', 'model_call'];

export function entryId(event: AgentEvent): string {
  const key = JSON.stringify([
    event.source.collector,
    event.at,
    event.kind,
    event.name,
    Object.entries(event.correlation).sort(),
  ]);
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * Reads every run's events and merges the tool and model calls from all sources on one clock (UTC,
 * ties broken by source then id, so the order is stable). A record collected twice (a re-collect
 * after Langfuse's ingestion lag, the "after" picture) appears once.
 */
export async function mergeAgentTimeline(files: readonly string[]): Promise<TimelineEntry[]> {
  const byId = new Map<string, TimelineEntry>();
  for (const file of files) {
    const lines = createInterface({
      input: createReadStream(file).on('error', () => {}),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as AgentEvent;
        if (!AGENT_TIMELINE_KINDS.includes(event.kind)) continue;
        const at = new Date(event.at);
        if (Number.isNaN(at.getTime())) continue;
        const entry = { ...event, at: at.toISOString(), id: entryId(event) };
        if (!byId.has(entry.id)) byId.set(entry.id, entry);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return [...byId.values()].sort(
    (a, b) =>
      a.at.localeCompare(b.at) ||
      a.source.collector.localeCompare(b.source.collector) ||
      a.id.localeCompare(b.id),
  );
}

export function timelineJsonl(entries: readonly TimelineEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
}

const short = (text: string | undefined, max: number) =>
  text === undefined ? '' : text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** The readable view: one line per call, inputs masked (secrets and personal data). */
export function timelineMarkdown(
  incidentId: string,
  entries: readonly TimelineEntry[],
  firstUnauthorized?: string,
): string {
  const lines = [
    `# Agent timeline: ${incidentId}`,
    '',
    `${entries.length} tool and model calls from ${new Set(entries.map((e) => e.source.collector)).size} sources, in UTC. Inputs and outputs are masked here; the raw records are in the files named.`,
    '',
    '| at (UTC) | kind | name | correlation | input | source |',
    '|---|---|---|---|---|---|',
  ];
  const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  for (const e of entries) {
    const mark = e.id === firstUnauthorized ? ' **← first unauthorized action**' : '';
    const correlation = Object.entries(e.correlation)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    lines.push(
      `| ${e.at} | ${e.kind === 'tool_call' ? 'tool' : 'model'} | ${cell(e.name)}${mark} | ${cell(correlation)} | ${cell(short(maskForReading(e.input ?? ''), 200))} | ${cell(e.source.file)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** For Slack: the same masking, shorter. */
export function readableInput(entry: AgentEvent, max = 150): string {
  return short(maskForReading(entry.input ?? ''), max);
}
