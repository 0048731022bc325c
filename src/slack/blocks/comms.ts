import type { Button, HomeView } from '@slack/types';
import type { Block, ChatMessage } from '../../chat/port.js';
import type { LintFinding } from '../../comms/index.js';
import { describeApprovers } from '../../comms/index.js';
import type {
  CommsPresenter,
  DraftView,
  PublicationView,
  ResolvedDestination,
  TalkingPoints,
} from '../../comms/presenter.js';
import type { QuellConfig } from '../../config/schema.js';
import type { Incident } from '../../incidents/model.js';
import type { IncidentEntry } from '../../incidents/tombstone.js';
import { ACTIONS, VIEWS } from '../ids.js';
import { confirmDialog } from './confirm.js';
import {
  BUTTON_TEXT_LIMIT,
  context,
  divider,
  escapeExcept,
  escapeText,
  header,
  MESSAGE_BLOCK_LIMIT,
  plain,
  SECTION_TEXT_LIMIT,
  safeCut,
  section,
  slackDate,
  truncate,
  truncateMrkdwn,
  VIEW_BLOCK_LIMIT,
} from './format.js';

/** What a draft's buttons carry: incident id, draft id and the version the clicker saw. */
export interface DraftButtonValue {
  i: string;
  d: string;
  v: number;
}

const SLACK_SEQUENCE =
  /<(@[UW][A-Z0-9]+|#[CG][A-Z0-9]+(\|[^>]*)?|!subteam\^S[A-Z0-9]+(\|[^>]*)?|!date\^[^>]+|https?:\/\/[^>\s]+)>/g;

/**
 * Comms text as Slack mrkdwn: &, < and > escaped, except the sequences Quell's own fields produce
 * (user, channel and group mentions, dates, links), so a pasted `<!channel>` never pings anyone.
 */
export function toSlackMrkdwn(text: string): string {
  return escapeExcept(text, SLACK_SEQUENCE);
}

/** Long text split over several sections (3000 characters each), at line breaks where possible. */
export function textSections(text: string): Block[] {
  const mrkdwn = toSlackMrkdwn(text);
  const blocks: Block[] = [];
  let rest = mrkdwn;
  while (rest.length > SECTION_TEXT_LIMIT) {
    const cut = rest.lastIndexOf('\n', SECTION_TEXT_LIMIT);
    // at a line break when one is in the second half, else wherever no mention or escape is split
    const at = cut > SECTION_TEXT_LIMIT / 2 ? cut : safeCut(rest, SECTION_TEXT_LIMIT);
    blocks.push(section(rest.slice(0, at)));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest) blocks.push(section(rest));
  return blocks;
}

function destinationText(destination: ResolvedDestination, incident: Incident): string {
  if (destination.kind === 'none') return 'publishes nowhere (copy the approved text by hand)';
  if (incident.drill && destination.channel !== incident.channelId)
    return `drill: publishes here only (would go to <#${destination.channel}>)`;
  return `publishes to <#${destination.channel}>`;
}

const LEVEL_ICON = { error: ':no_entry:', warning: ':warning:' } as const;

export function findingsText(findings: readonly LintFinding[]): string {
  if (findings.length === 0) return ':white_check_mark: *Lint*: no findings.';
  const errors = findings.filter((f) => f.level === 'error').length;
  const warnings = findings.length - errors;
  const summary = [
    errors ? `${errors} error${errors === 1 ? '' : 's'} (blocks approval)` : '',
    warnings ? `${warnings} warning${warnings === 1 ? '' : 's'} (approval needs a recorded override)` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lines = findings.map((f) => `${LEVEL_ICON[f.level]} ${escapeText(f.message)}`);
  return `*Lint*: ${summary}\n${lines.join('\n')}`;
}

function button(
  text: string,
  actionId: string,
  value: DraftButtonValue,
  style?: 'primary' | 'danger',
): Button {
  return {
    type: 'button',
    text: plain(text, BUTTON_TEXT_LIMIT),
    action_id: actionId,
    value: JSON.stringify(value),
    ...(style ? { style } : {}),
  };
}

export function draftMessage(view: DraftView): ChatMessage {
  const { incident, draft, destination, decision, publication } = view;
  const latest = draft.versions.at(-1)!;
  const drill = incident.drill ? '[DRILL] ' : '';
  const state = draft.status === 'open' ? 'Draft' : draft.status === 'approved' ? 'Approved' : 'Rejected';
  const value: DraftButtonValue = { i: incident.id, d: draft.id, v: latest.number };
  const blocks: Block[] = [
    header(`${drill}${state}: ${draft.title}, ${incident.id}`),
    context(
      `v${latest.number} by <@${latest.author}> ${slackDate(latest.at)}${latest.source === 'edit' ? ' (edited)' : ' (from the template)'} · ${draft.versions.length} version${draft.versions.length === 1 ? '' : 's'} kept · ${destinationText(destination, incident)}`,
    ),
    ...textSections(latest.text),
    divider,
    section(findingsText(latest.findings)),
  ];
  if (draft.status === 'open') {
    blocks.push({
      type: 'actions',
      block_id: `comms_draft_${draft.id}`,
      elements: [
        button('Edit', ACTIONS.commsEdit, value),
        button('Approve', ACTIONS.commsApprove, value, 'primary'),
        {
          ...button('Reject', ACTIONS.commsReject, value, 'danger'),
          confirm: confirmDialog({
            title: 'Reject this draft?',
            text: 'It stays on record; a new one starts with /comms draft.',
            confirm: 'Reject',
            deny: 'Keep it',
          }),
        },
      ],
    });
    blocks.push(context(`Approvers: ${describeApprovers(view.approvers, incident)}`));
  }
  if (decision) {
    const verb = decision.kind === 'approved' ? 'Approved' : 'Rejected';
    const override =
      decision.kind === 'approved' && decision.overridden ? ' with lint warnings overridden' : '';
    blocks.push(
      context(
        `${verb} v${decision.version} by <@${decision.actor}> ${slackDate(decision.at)}${override} · sha256 \`${decision.sha256.slice(0, 16)}…\``,
      ),
    );
  }
  if (publication?.kind === 'published')
    blocks.push(context(`:mega: Published to <#${publication.channel}> ${slackDate(publication.at)}`));
  if (publication?.kind === 'publish_failed')
    blocks.push(
      context(
        `:x: Publishing to <#${publication.channel}> failed (${escapeText(publication.error)}). The approval stands; post the text by hand or check Quell's access to that channel.`,
      ),
    );
  return {
    text: `${drill}${state} ${draft.title.toLowerCase()} for ${incident.id} (v${latest.number})`,
    blocks,
  };
}

export function publicationMessage(view: PublicationView): ChatMessage {
  const { incident, draft, approved, drillInsteadOf } = view;
  const blocks: Block[] = [];
  if (drillInsteadOf?.kind === 'channel')
    blocks.push(
      section(
        `:test_tube: *DRILL*: in a real incident this would be published to <#${drillInsteadOf.channel}>. It stays in this channel.`,
      ),
    );
  blocks.push(...textSections(approved.text));
  blocks.push(
    context(
      `${incident.id} · ${escapeText(draft.title)} v${approved.version} · approved by <@${approved.approvedBy}> ${slackDate(approved.approvedAt)}`,
    ),
  );
  return { text: truncate(`${drillInsteadOf ? '[DRILL] ' : ''}${approved.text}`, 3000), blocks };
}

export function commsViews(): CommsPresenter {
  return { draft: draftMessage, publication: publicationMessage };
}

const MAX_INCIDENTS_LISTED = 15;

/** One incident's talking points: its heading, the approved text (or who to ask), a divider. */
/** The warning above possibly stale talking points: support should check before repeating them. */
function staleNote({ stale, shareMoreBy }: TalkingPoints): string | undefined {
  if (!stale) return undefined;
  const why = stale.reasons.map((r) =>
    r === 'newer-update'
      ? `a newer update was posted${stale.newerUpdateAt ? ` ${slackDate(stale.newerUpdateAt, '{time}')}` : ''}`
      : `the "share more by" time${shareMoreBy ? ` (${slackDate(shareMoreBy, '{time}')})` : ''} has passed`,
  );
  return `:warning: *May be out of date*: ${why.join(' and ')}. Check with the communications lead before repeating them.`;
}

function incidentPoints(points: TalkingPoints, config: QuellConfig): Block[] {
  const { incident, approved } = points;
  const where = incident.channelId ? ` · <#${incident.channelId}>` : '';
  const blocks: Block[] = [
    section(
      `*${incident.drill ? '[DRILL] ' : ''}${incident.id} · ${config.severities[incident.severity].label} · ${incident.status}*${where}\n${escapeText(incident.title)}`,
    ),
  ];
  if (approved) {
    const stale = staleNote(points);
    if (stale) blocks.push(section(stale));
    blocks.push(...textSections(approved.text));
    blocks.push(
      context(
        `Approved by <@${approved.approvedBy}> ${slackDate(approved.approvedAt)} · v${approved.version}${points.shareMoreBy ? ` · share more by ${slackDate(points.shareMoreBy, '{time}')}` : ''}`,
      ),
    );
  } else {
    const contact = incident.roles.comms ?? incident.roles.commander;
    blocks.push(
      section(
        `_No approved talking points yet._${contact ? ` The ${incident.roles.comms ? 'communications lead' : 'commander'} is <@${contact}>.` : ''}`,
      ),
    );
  }
  blocks.push(divider);
  return blocks;
}

/**
 * Whole incidents only, as many as fit in `budget` blocks (and at most 15), then one line saying
 * how many more there are: a long approved text never pushes the last incident half off the surface.
 */
function talkingPointsBlocks(
  entries: readonly TalkingPoints[],
  config: QuellConfig,
  budget: number,
  /** How many active incidents there are in all (App Home reads only the first few). */
  total = entries.length,
): Block[] {
  const blocks: Block[] = [];
  let shown = 0;
  for (const entry of entries.slice(0, MAX_INCIDENTS_LISTED)) {
    const group = incidentPoints(entry, config);
    if (blocks.length + group.length > budget - 1) break;
    blocks.push(...group);
    shown += 1;
  }
  if (total > shown)
    blocks.push(
      context(`${total - shown} more active incidents: ask for one with \`/comms talking-points INC-n\`.`),
    );
  return blocks;
}

/** The ephemeral answer to `/comms talking-points [INC-n]`. */
export function talkingPointsMessage(entries: readonly TalkingPoints[], config: QuellConfig): ChatMessage {
  if (entries.length === 0)
    return {
      text: 'No active incidents right now, so there are no talking points to share.',
      blocks: [
        section(':white_check_mark: No active incidents right now, so there are no talking points to share.'),
      ],
    };
  const withPoints = entries.filter((e) => e.approved).length;
  return {
    text: `Talking points: ${entries.length} incident${entries.length === 1 ? '' : 's'}, ${withPoints} with approved talking points`,
    blocks: [
      header('Approved talking points'),
      ...talkingPointsBlocks(entries, config, MESSAGE_BLOCK_LIMIT - 1),
    ],
  };
}

/** What App Home shows beside the talking points (incidents/store.ts homeView). */
export interface HomeExtras {
  /** Active non-drill incidents in all; the talking points show the first few. */
  activeCount?: number;
  /** The newest incidents, live or compacted, newest first. */
  recent?: readonly IncidentEntry[];
}

/** Blocks the recent-incidents list takes: a divider, its section, the note under it. */
const RECENT_BLOCKS = 3;

/**
 * Quell's App Home tab: the same talking points, for everyone in the workspace, then the newest
 * incidents (a compacted one with where its evidence bundle is).
 */
export function homeView(
  entries: readonly TalkingPoints[],
  config: QuellConfig,
  now: Date,
  extras: HomeExtras = {},
): HomeView {
  const blocks: Block[] = [
    header('Active incidents: approved talking points'),
    context(
      `As of ${slackDate(now.toISOString(), '{date_short_pretty} at {time}')}. Only approved text is shown; reopen this tab to refresh. \`/comms talking-points\` works in any channel.`,
    ),
    divider,
  ];
  const recent = extras.recent ?? [];
  const reserved = recent.length > 0 ? RECENT_BLOCKS : 0;
  const total = Math.max(entries.length, extras.activeCount ?? 0);
  if (total === 0) blocks.push(section(':white_check_mark: No active incidents right now.'));
  else
    blocks.push(...talkingPointsBlocks(entries, config, VIEW_BLOCK_LIMIT - blocks.length - reserved, total));
  if (recent.length > 0)
    blocks.push(
      divider,
      section(
        truncateMrkdwn(
          `*Recent incidents*\n${recent.map((e) => recentLine(e, config)).join('\n')}`,
          SECTION_TEXT_LIMIT,
        ),
      ),
      context(
        'Private incidents are not listed here. `/incident timeline` works in an incident channel while it is kept.',
      ),
    );
  return { type: 'home', callback_id: VIEWS.home, blocks };
}

const RECENT_TITLE_LIMIT = 120;

/** One line of the recent list; a private incident's title and channel stay out of it. */
function recentLine(entry: IncidentEntry, config: QuellConfig): string {
  const facts = entry.kind === 'record' ? entry.incident : entry.tombstone;
  const status = entry.kind === 'record' ? entry.incident.status : 'resolved';
  const head = `• *${facts.drill ? '[DRILL] ' : ''}${facts.id}* · ${config.severities[facts.severity].label} · ${status}`;
  const about = facts.private
    ? ' · private incident'
    : `${facts.channelId ? ` · <#${facts.channelId}>` : ''} · ${escapeText(truncate(facts.title, RECENT_TITLE_LIMIT))}`;
  const archived =
    entry.kind === 'tombstone'
      ? ` · compacted; evidence bundle v${entry.tombstone.bundle.version} at \`${escapeText(truncate(entry.tombstone.bundle.location, RECENT_TITLE_LIMIT))}\` (manifest SHA-256 \`${entry.tombstone.bundle.manifestSha256.slice(0, 12)}…\`)`
      : '';
  return `${head}${about}${archived}`;
}
