import type {
  Checkboxes,
  InputBlock,
  ModalView,
  MrkdwnOption,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';
import type { Block, ChatMessage } from '../../chat/port.js';
import type { QuellConfig } from '../../config/schema.js';
import { type Incident, SEVERITIES, type Severity } from '../../incidents/model.js';
import type { CorrectiveAction } from '../../resolution/index.js';
import {
  GATE_ITEM_IDS,
  GATE_ITEM_LABELS,
  type GateItemId,
  type GateItemState,
  ROOT_CAUSE_CATEGORIES,
  ROOT_CAUSE_LABELS,
  TRIAGE_ANSWERS,
  TRIAGE_QUESTION_TEXT,
  TRIAGE_QUESTIONS,
  type TriageSuggestion,
} from '../../resolution/index.js';
import type { GateView, ResolutionPresenter } from '../../resolution/presenter.js';
import { ACTIONS, GATE_BLOCKS, GATE_OVERRIDE_FIELDS, TRIAGE_FIELDS, VIEWS } from '../ids.js';
import { inventorySummary } from './affected.js';
import {
  context,
  escapeExcept,
  escapeText,
  header,
  lineSections,
  MENTIONS_DATES_LINKS,
  mrkdwn,
  OPTION_TEXT_LIMIT,
  plain,
  plainOption,
  SECTION_TEXT_LIMIT,
  section,
  slackDate,
  truncate,
  truncateMrkdwn,
  VIEW_TITLE_LIMIT,
} from './format.js';

const drillTag = (incident: Incident) => (incident.drill ? '[DRILL] ' : '');

/** Block Kit for the restart gate and corrective actions: pure functions, unit-tested. */
export function resolutionViews(config: QuellConfig): ResolutionPresenter {
  const sev = (incident: Incident) => config.severities[incident.severity].label;
  return {
    gateChecklist({ incident, state, rootCauseCategory }: GateView): ChatMessage {
      const resolved = incident.status === 'resolved';
      const manual = state.items.filter((i) => i.mode === 'manual');
      const evaluated = state.items.filter((i) => i.mode === 'evaluated');
      // Who ticked and when cannot go in the option description: Slack allows 75 characters there,
      // plain text only, and a mention plus a date token alone exceed that with 11-character ids.
      // The options carry the label only; the ticks are listed in a context block below them.
      const option = (item: GateItemState): MrkdwnOption => ({
        text: mrkdwn(`${item.label}${item.required ? ' *(required)*' : ''}`, OPTION_TEXT_LIMIT),
        value: item.id,
      });
      const options = manual.map(option);
      const tickedIds = manual.filter((i) => i.tick).map((i) => i.id);
      const ticked = options.filter((o) => tickedIds.includes(o.value as GateItemId));
      const tickLines = manual.flatMap((item) =>
        item.tick
          ? [
              `:ballot_box_with_check: ${item.label}: <@${item.tick.by}> ${slackDate(item.tick.at, '{date_short} {time}')}`,
            ]
          : [],
      );
      const status = resolved
        ? `:white_check_mark: Resolved${incident.resolvedAt ? ` ${slackDate(incident.resolvedAt)}` : ''}.`
        : state.passed
          ? `:large_green_circle: Every item required for ${sev(incident)} is met: ready to resolve.`
          : `:no_entry: Still missing for ${sev(incident)}: ${state.missing.map((i) => GATE_ITEM_LABELS[i]).join('; ')}.`;
      const blocks: Block[] = [
        header(`${drillTag(incident)}Restart gate: ${incident.id}`),
        section(
          `An agent that caused an incident earns its way back. Items marked ✅/❌ are checked from Quell's records; tick the others (each tick records who and when).\n${status}`,
        ),
        ...evaluated.map((item) => evaluatedItemBlock(item, resolved)),
      ];
      if (options.length) {
        const checkboxes: Checkboxes = {
          type: 'checkboxes',
          action_id: ACTIONS.gateChecklist,
          options,
          ...(ticked.length ? { initial_options: ticked } : {}),
        };
        blocks.push(
          { type: 'actions', block_id: checklistBlockId(tickedIds), elements: [checkboxes] },
          context(tickLines.length ? tickLines.join('\n') : 'Nothing ticked yet.'),
        );
      }
      blocks.push({
        type: 'section',
        block_id: GATE_BLOCKS.rootCause,
        text: { type: 'mrkdwn', text: '*Root-cause category* (for the postmortem)' },
        accessory: {
          type: 'static_select',
          action_id: ACTIONS.rootCauseCategory,
          placeholder: plain('Choose a category'),
          options: ROOT_CAUSE_CATEGORIES.map((c) => plainOption(ROOT_CAUSE_LABELS[c], c)),
          ...(rootCauseCategory
            ? { initial_option: plainOption(ROOT_CAUSE_LABELS[rootCauseCategory], rootCauseCategory) }
            : {}),
        },
      });
      if (!resolved)
        blocks.push({
          type: 'actions',
          block_id: GATE_BLOCKS.buttons,
          elements: [
            {
              type: 'button',
              action_id: ACTIONS.gateResolve,
              text: plain('Resolve'),
              style: 'primary',
              value: incident.id,
            },
            {
              type: 'button',
              action_id: ACTIONS.gateOverride,
              text: plain('Override…'),
              style: 'danger',
              value: incident.id,
            },
          ],
        });
      blocks.push(
        context(
          `Restart approval can only be given by the configured approvers. An item checked from the record cannot be ticked; accepting it anyway, or resolving with items missing, needs a written reason and is recorded. Plan the way back with \`/incident reactivate-plan\`.`,
        ),
      );
      return {
        text: `${drillTag(incident)}Restart gate for ${incident.id}: ${resolved ? 'resolved' : state.passed ? 'ready to resolve' : `${state.missing.length} required item(s) missing`}`,
        blocks,
      };
    },

    inventorySummary,

    actionOverdue(incident, action) {
      const text = `${drillTag(incident)}:alarm_clock: <@${action.owner}> corrective action ${action.id} from ${incident.id} is overdue: ${escapeText(action.text)}`;
      return {
        text,
        blocks: [
          section(
            `:alarm_clock: *${drillTag(incident)}Corrective action ${action.id} is overdue* <@${action.owner}>\n${escapeText(action.text)}`,
          ),
          context(
            `From ${incident.id} (${escapeText(incident.title)}) · due ${slackDate(action.dueAt)} · close it with \`/incident action done ${action.id}\``,
          ),
        ],
      };
    },
  };
}

/** The checkboxes' block id, carrying which options this message shows ticked (a bit per item). */
export function checklistBlockId(ticked: readonly GateItemId[]): string {
  const bits = GATE_ITEM_IDS.reduce((sum, item, i) => (ticked.includes(item) ? sum | (1 << i) : sum), 0);
  return `${GATE_BLOCKS.checklist}~${bits.toString(36)}`;
}

/** What the clicked message showed ticked; undefined for a block id this version did not write. */
export function seenFromBlockId(blockId: string | undefined): GateItemId[] | undefined {
  const match = /^gate_checklist~([0-9a-z]{1,4})$/.exec(blockId ?? '');
  if (!match) return undefined;
  const bits = Number.parseInt(match[1]!, 36);
  if (bits >= 1 << GATE_ITEM_IDS.length) return undefined;
  return GATE_ITEM_IDS.filter((_, i) => bits & (1 << i));
}

/** An item checked from the record: ✅/❌, the reason, where to look, and Override… while it fails. */
function evaluatedItemBlock(item: GateItemState, resolved: boolean): SectionBlock {
  const mark = item.check?.ok ? ':white_check_mark:' : item.override ? ':large_yellow_circle:' : ':x:';
  const asOf = item.check?.asOf ? ` ${slackDate(item.check.asOf, '{time}')}` : '';
  const reason = item.check ? `${item.check.reason}${asOf}` : 'not checked';
  const see = item.check?.see ? ` · ${escapeExcept(item.check.see, MENTIONS_DATES_LINKS)}` : '';
  const accepted = item.override
    ? `\n_Accepted against the record by <@${item.override.by}> ${slackDate(item.override.at, '{date_short} {time}')}: ${escapeText(truncate(item.override.reason, 300))}_`
    : '';
  const text = `${mark} *${item.label}*${item.required ? ' (required)' : ''}: ${escapeExcept(reason, MENTIONS_DATES_LINKS)}${see}${accepted}`;
  return {
    type: 'section',
    block_id: GATE_BLOCKS.evaluatedItem(item.id),
    text: mrkdwn(truncateMrkdwn(text, SECTION_TEXT_LIMIT)),
    ...(!resolved && !item.check?.ok && !item.override
      ? {
          accessory: {
            type: 'button' as const,
            action_id: ACTIONS.gateItemOverride,
            text: plain('Override…'),
            value: item.id,
          },
        }
      : {}),
  };
}

/** The override form: why the gate is bypassed (resolving with items missing, or accepting one item). */
export function gateOverrideModal(
  incident: Incident,
  missing: readonly GateItemId[],
  channelId: string,
  item?: GateItemState,
): ModalView {
  const list = missing.length ? missing.map((i) => `• ${GATE_ITEM_LABELS[i]}`).join('\n') : '_nothing_';
  const intro = item
    ? `${drillTag(incident)}*${incident.id}*: accept *${item.label}* although the record says: ${escapeExcept(item.check?.reason ?? 'not checked', MENTIONS_DATES_LINKS)}`
    : `${drillTag(incident)}*${incident.id}* would be resolved with these required items not met:\n${list}`;
  return {
    type: 'modal',
    callback_id: VIEWS.gateOverride,
    private_metadata: JSON.stringify({
      incidentId: incident.id,
      channelId,
      ...(item ? { item: item.id } : {}),
    }),
    title: plain(item ? 'Accept gate item' : 'Override restart gate'),
    submit: plain(item ? 'Accept' : 'Resolve anyway'),
    close: plain('Cancel'),
    blocks: [
      section(truncateMrkdwn(intro, SECTION_TEXT_LIMIT)),
      {
        type: 'input',
        block_id: GATE_OVERRIDE_FIELDS.reason.block,
        label: plain('Why is it safe to resolve now?'),
        hint: plain('Recorded on the timeline and in the postmortem.'),
        element: {
          type: 'plain_text_input',
          action_id: GATE_OVERRIDE_FIELDS.reason.action,
          multiline: true,
          min_length: 10,
          max_length: 2000,
        },
      },
    ],
  };
}

export interface TriageMetadata {
  drill: boolean;
  channelId: string;
}

/** `/incident triage`, step one: the side-effect questions. */
export function triageQuestionsModal(metadata: TriageMetadata): ModalView {
  const answer = (a: string) => plainOption(a === 'unsure' ? 'Not sure' : a === 'yes' ? 'Yes' : 'No', a);
  return {
    type: 'modal',
    callback_id: VIEWS.triageQuestions,
    private_metadata: JSON.stringify(metadata),
    title: plain(metadata.drill ? 'Triage (drill)' : 'Triage', VIEW_TITLE_LIMIT),
    submit: plain('Suggest severity'),
    close: plain('Cancel'),
    blocks: [
      context(
        'Severity follows side effects, not how confident the model was. "Not sure" counts as the worse answer.',
      ),
      {
        type: 'input',
        block_id: TRIAGE_FIELDS.title.block,
        label: plain('What is the agent doing?'),
        element: { type: 'plain_text_input', action_id: TRIAGE_FIELDS.title.action, max_length: 120 },
      },
      ...TRIAGE_QUESTIONS.map(
        (q): InputBlock => ({
          type: 'input',
          block_id: TRIAGE_FIELDS.questionBlock(q),
          label: plain(TRIAGE_QUESTION_TEXT[q]),
          element: {
            type: 'radio_buttons',
            action_id: TRIAGE_FIELDS.answer,
            options: TRIAGE_ANSWERS.map(answer),
          },
        }),
      ),
    ],
  };
}

export interface TriageDecisionMetadata extends TriageMetadata {
  title: string;
  answers: Record<string, string>;
  suggestion: TriageSuggestion;
}

/** Step two: the suggestion and its reason; the declarer accepts it or picks another severity. */
export function triageDecisionModal(config: QuellConfig, metadata: TriageDecisionMetadata): ModalView {
  const option = (s: Severity): PlainTextOption =>
    plainOption(`${config.severities[s].label}: ${config.severities[s].description}`, s);
  const { suggestion } = metadata;
  return {
    type: 'modal',
    callback_id: VIEWS.triageDecision,
    private_metadata: JSON.stringify(metadata),
    title: plain(metadata.drill ? 'Triage (drill)' : 'Triage', VIEW_TITLE_LIMIT),
    submit: plain(metadata.drill ? 'Declare drill' : 'Declare'),
    close: plain('Cancel'),
    blocks: [
      section(
        `*Suggested: ${config.severities[suggestion.severity].label}*\n${escapeText(suggestion.reason)}\n\n_${escapeText(metadata.title)}_`,
      ),
      {
        type: 'input',
        block_id: TRIAGE_FIELDS.severity.block,
        label: plain('Declare as'),
        hint: plain(
          'Keep the suggestion, or choose another severity: the choice and the suggestion are both recorded.',
        ),
        element: {
          type: 'static_select',
          action_id: TRIAGE_FIELDS.severity.action,
          options: SEVERITIES.map(option),
          initial_option: option(suggestion.severity),
        },
      },
    ],
  };
}

const OPEN_ACTIONS_LISTED = 40;

/** `/incident actions`: open corrective actions across incidents, soonest due first. */
export function openActionsMessage(actions: readonly CorrectiveAction[], now: Date): ChatMessage {
  if (actions.length === 0) return { text: 'No open corrective actions.' };
  const lines = actions.slice(0, OPEN_ACTIONS_LISTED).map((a) => {
    const overdue = Date.parse(a.dueAt) < now.getTime() ? ' :warning: *overdue*' : '';
    return `• *${a.id}* (${a.incidentId}) <@${a.owner}> · due ${slackDate(a.dueAt, '{date_short}')}${overdue}\n    ${escapeText(truncate(a.text, 200))}`;
  });
  if (actions.length > OPEN_ACTIONS_LISTED) lines.push(`…and ${actions.length - OPEN_ACTIONS_LISTED} more`);
  return {
    text: `${actions.length} open corrective action(s)`,
    blocks: [
      header(`Open corrective actions (${actions.length})`),
      ...lineSections(lines),
      context('Close one with `/incident action done &lt;id&gt;`.'),
    ],
  };
}
