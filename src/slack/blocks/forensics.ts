import type { KnownBlock } from '@slack/types';
import {
  type ForensicsPresenter,
  maskForReading,
  runOutcomeText,
  type TimelineEntry,
} from '../../forensics/presenter.js';
import { ACTIONS } from '../ids.js';
import { context, escapeText, MESSAGE_BLOCK_LIMIT, plain, section } from './format.js';

/** Slack dates render in each reader's own timezone. */
const when = (iso: string) =>
  `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time_secs}|${iso}>`;

/** The Mark button's value: the incident and the entry, both short. */
export const markValue = (incidentId: string, entryId: string) => `${incidentId}|${entryId}`;

function entryBlock(incidentId: string, e: TimelineEntry, first: boolean): KnownBlock {
  const kind = e.kind === 'tool_call' ? 'tool' : 'model';
  const input = e.input
    ? `\n\`${escapeText([...maskForReading(e.input)].slice(0, 300).join('').replace(/`/g, "'"))}\``
    : '';
  const text = `${first ? ':triangular_flag_on_post: *first unauthorized action* · ' : ''}${when(e.at)} · ${kind} *${escapeText(e.name)}* · _${escapeText(e.source.collector)}_${input}`;
  return {
    type: 'section',
    block_id: `forensics_entry_${e.id}`,
    text: section(text).text!,
    ...(first
      ? {}
      : {
          accessory: {
            type: 'button',
            action_id: ACTIONS.forensicsMarkFirst,
            text: plain('Mark first unauthorized', 75),
            value: markValue(incidentId, e.id),
          },
        }),
  };
}

export function forensicsViews(): ForensicsPresenter {
  return {
    started: (p) => {
      const text = `:mag: Collecting *${escapeText(p.name)}* for ${p.incidentId} (${escapeText(p.summary)}), window from ${when(p.from)}…`;
      return { text: `Collecting ${p.name} for ${p.incidentId}…`, blocks: [section(text)] };
    },
    finished: (s) => {
      const text = runOutcomeText(s);
      const icon = s.error
        ? ':warning:'
        : s.truncated || s.gaps.length
          ? ':large_yellow_circle:'
          : ':white_check_mark:';
      const blocks: KnownBlock[] = [section(`${icon} ${escapeText(text)}`)];
      const notes = Object.entries(s.notes).map(([k, v]) => `${k}: ${v}`);
      const gaps = s.gaps.slice(0, 5).map((g) => `gap: ${g.what} (${g.reason})`);
      if (notes.length || gaps.length) blocks.push(context(escapeText([...notes, ...gaps].join(' · '))));
      return { text, blocks };
    },
    planned: (p) => {
      const lines = p.plans.flatMap((x) =>
        x.requests.map(
          (r) =>
            `• ${escapeText(x.name)}: \`${escapeText(r.method)} ${escapeText(r.url)}\` (${escapeText(r.what)})`,
        ),
      );
      const text = `Drill: ${p.incidentId} would collect with ${p.plans.map((x) => x.name).join(', ')}; nothing was sent.`;
      return {
        text,
        blocks: [section(`:test_tube: *Drill*: collection planned, nothing sent.\n${lines.join('\n')}`)],
      };
    },
    agentTimeline: (p) => {
      // one block for the heading, the rest for calls (newest last), within Slack's 50 blocks
      const entries = p.entries.slice(-(MESSAGE_BLOCK_LIMIT - 1));
      const head = `*Agent timeline of ${p.incidentId}*: last ${entries.length} of ${p.total} tool and model calls (inputs masked).`;
      const blocks: KnownBlock[] = [
        section(
          p.total === 0
            ? `No tool or model calls collected for ${p.incidentId} yet: run \`/incident collect\`.`
            : head,
        ),
        ...entries.map((e) => entryBlock(p.incidentId, e, e.id === p.firstUnauthorized)),
      ];
      return { text: `${p.incidentId}: last ${entries.length} of ${p.total} agent calls`, blocks };
    },
  };
}
