import type { ChatMessage } from '../chat/port.js';
import type { TimelineEntry } from './agent-timeline.js';
import type { PlannedFetch } from './contract.js';
import type { RunSummary } from './run.js';

/** What the channel is shown about collection; implemented with Block Kit in src/slack/blocks/forensics.ts. */
export interface ForensicsPresenter {
  started(p: {
    incidentId: string;
    name: string;
    summary: string;
    trigger: string;
    from: string;
  }): ChatMessage;
  finished(summary: RunSummary): ChatMessage;
  /** A drill: what each collector would fetch; nothing was sent. */
  planned(p: { incidentId: string; plans: { name: string; requests: PlannedFetch[] }[] }): ChatMessage;
  /** `/incident agent-timeline`: the last N calls, inputs masked, each with a mark button. */
  agentTimeline(p: {
    incidentId: string;
    entries: TimelineEntry[];
    total: number;
    firstUnauthorized?: string;
  }): ChatMessage;
}

export function runOutcomeText(s: RunSummary): string {
  const head = s.error
    ? `${s.name}: stopped after ${s.records} records (${ERROR_WORDS[s.error.kind]}: ${s.error.message})`
    : `${s.name}: ${s.records} records in ${s.files} files${s.truncated ? ' (truncated at the cap)' : ''}`;
  const gaps = s.gaps.length ? `; ${s.gaps.length} gap${s.gaps.length === 1 ? '' : 's'} recorded` : '';
  return `${head}${gaps}`;
}

export const ERROR_WORDS: Record<NonNullable<RunSummary['error']>['kind'], string> = {
  auth: 'credentials refused',
  rate_limited: 'rate limited',
  unavailable: 'source unavailable',
  failed: 'failed',
};

export const plainForensicsPresenter: ForensicsPresenter = {
  started: (p) => ({ text: `Collecting ${p.name} (${p.summary}) for ${p.incidentId} since ${p.from}…` }),
  finished: (s) => ({ text: runOutcomeText(s) }),
  planned: (p) => ({
    text: `Drill: collection planned for ${p.incidentId}, nothing sent.\n${p.plans.map((x) => `${x.name}: ${x.requests.map((r) => `${r.method} ${r.url}`).join('; ')}`).join('\n')}`,
  }),
  agentTimeline: (p) => ({
    text: `${p.incidentId}: last ${p.entries.length} of ${p.total} agent calls\n${p.entries.map((e) => `${e.at} ${e.name}`).join('\n')}`,
  }),
};

export { maskForReading } from './mask.js';
export type { RunSummary, TimelineEntry };
