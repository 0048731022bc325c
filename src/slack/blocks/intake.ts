import type { Button, SectionBlock } from '@slack/types';
import type { Block, ChatMessage } from '../../chat/port.js';
import {
  type AlertCardView,
  type DecisionOverdueView,
  type IntakePresenter,
  runButtonValue,
  type SuggestedPlaybook,
} from '../../intake/presenter.js';
import { ACTIONS } from '../ids.js';
import {
  BUTTON_TEXT_LIMIT,
  context,
  escapeText,
  MESSAGE_BLOCK_LIMIT,
  mention,
  plain,
  plainUserText,
  section,
  slackDate,
  truncate,
} from './format.js';

/**
 * Block Kit for alert intake: the alert card (what fired, how often, the suggested playbook with Run
 * buttons) and the decision-deadline reminder. Pure functions. The sender's text (summary, labels,
 * URL) is shown escaped, never as a live mention or link; Run buttons open containment's own
 * confirmation, which checks who pressed them.
 */

/** Actions listed with their own Run button; the rest run with the playbook. */
const MAX_ACTION_BUTTONS = 10;

function runButton(text: string, value: string, style?: 'primary'): Button {
  return {
    type: 'button',
    text: plain(text, BUTTON_TEXT_LIMIT),
    action_id: ACTIONS.intakeRun,
    value,
    ...(style ? { style } : {}),
  };
}

function firedLine(view: AlertCardView): string {
  const { count, firstAt, lastAt } = view.fires;
  const since = slackDate(firstAt.toISOString(), '{time}');
  if (count <= 1) return `Fired at ${since}.`;
  return `Fired ${count} times since ${since} (last ${slackDate(lastAt.toISOString(), '{time}')}).`;
}

function playbookBlocks(view: AlertCardView, playbook: SuggestedPlaybook): Block[] {
  const what = playbook.description ? ` — ${escapeText(playbook.description)}` : '';
  const auto = playbook.autoRun;
  const autoLine = auto
    ? `\n:robot_face: Run automatically (reversible actions only): ${auto.ran.length ? auto.ran.map((a) => `\`${a}\``).join(', ') : 'none'}.${
        auto.skipped.length ? ` Waiting for a person: ${auto.skipped.map((a) => `\`${a}\``).join(', ')}.` : ''
      }`
    : '';
  const blocks: Block[] = [
    {
      type: 'section',
      block_id: 'intake_playbook',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `*Suggested containment:* playbook \`${playbook.name}\`${what}${view.drill ? ' _(drill: dry runs only)_' : ''}${autoLine}`,
          3000,
        ),
      },
      accessory: runButton(
        `Run playbook`,
        runButtonValue(view.incidentId, 'playbook', playbook.name),
        'primary',
      ),
    },
  ];
  for (const [i, action] of playbook.actions.slice(0, MAX_ACTION_BUTTONS).entries()) {
    const flag = action.irreversible ? '*irreversible*' : action.undoable ? 'reversible' : 'no undo';
    const block: SectionBlock = {
      type: 'section',
      block_id: `intake_action_${i}`,
      text: { type: 'mrkdwn', text: `${i + 1}. \`${action.name}\` (${flag})` },
      accessory: runButton(`Run ${action.name}`, runButtonValue(view.incidentId, 'action', action.name)),
    };
    blocks.push(block);
  }
  if (playbook.actions.length > MAX_ACTION_BUTTONS)
    blocks.push(context(`…and ${playbook.actions.length - MAX_ACTION_BUTTONS} more in the playbook.`));
  blocks.push(context('Run opens a confirmation; only people allowed to run containment can confirm it.'));
  return blocks;
}

function alertCard(view: AlertCardView): ChatMessage {
  const labels = Object.entries(view.labels)
    .map(([k, v]) => `\`${escapeText(k)}=${escapeText(truncate(v, 80))}\``)
    .join(' ');
  const resolved = view.resolvedAt
    ? `\n:large_green_circle: Resolved at the source ${slackDate(view.resolvedAt.toISOString(), '{time}')}; the incident stays open until people resolve it.`
    : '';
  const blocks: Block[] = [
    section(
      truncate(
        `${view.drill ? '*[DRILL]* ' : ''}:rotating_light: *Alert from ${escapeText(view.source)}* (rule \`${view.ruleId}\`, ${view.severity.toUpperCase()})\n${escapeText(view.summary)}\n${firedLine(view)}${resolved}`,
        3000,
      ),
    ),
  ];
  if (labels || view.url)
    blocks.push(
      context(
        truncate(
          [labels, view.url ? `source: \`${escapeText(view.url)}\`` : ''].filter(Boolean).join('\n'),
          3000,
        ),
      ),
    );
  if (view.playbook) blocks.push(...playbookBlocks(view, view.playbook));
  return {
    text: plainUserText(
      `Alert from ${view.source}: ${truncate(view.summary, 200)} — fired ${view.fires.count} time${view.fires.count === 1 ? '' : 's'}`,
    ),
    blocks: blocks.slice(0, MESSAGE_BLOCK_LIMIT),
  };
}

function decisionOverdue(view: DecisionOverdueView): ChatMessage {
  const minutes = Math.round(view.deadlineMs / 60_000);
  const who = view.commander
    ? `${mention(view.commander)}, no decision has been recorded`
    : 'Nobody commands this incident yet';
  const text =
    `:alarm_clock: *Decision deadline passed* (${minutes} min, rule \`${view.ruleId}\`). ${who}: contain, escalate or stand down. ${
      view.commander ? '' : 'Take command with `/incident role commander @you`.'
    }`.trim();
  return { text: `Decision deadline passed for ${view.incidentId}`, blocks: [section(text)] };
}

export function intakeViews(): IntakePresenter {
  return { alertCard, decisionOverdue };
}
