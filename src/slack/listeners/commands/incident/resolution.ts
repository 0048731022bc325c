import { UsageError } from '../../../../errors.js';
import { parseDueDate, parseReactivationPlan, REACTIVATE_USAGE } from '../../../../resolution/index.js';
import { parseUserMention, restAfter, tokenize } from '../../../args.js';
import { openActionsMessage, triageQuestionsModal } from '../../../blocks/resolution.js';
import { channelIncident, defineSubcommand, noArguments, replyEphemeral } from '../../../boundary/command.js';

/** The end of an incident: restart gate, reactivation plan, postmortem, corrective actions, triage. */

export const resolveSubcommand = defineSubcommand({
  name: 'resolve',
  usage: '/incident resolve',
  summary:
    'Show the restart gate checklist: tick what is true (who and when are recorded), then Resolve. Refused while required items are missing; the override needs a written reason.',
  parse: noArguments('/incident resolve'),
  async run(context) {
    const incident = await channelIncident(context, 'resolve');
    if (incident.status === 'resolved') throw new UsageError(`${incident.id} is already resolved.`);
    await context.services.resolution.service.showGate(incident.id);
  },
});

export const reactivatePlanSubcommand = defineSubcommand({
  name: 'reactivate-plan',
  usage: REACTIVATE_USAGE,
  summary:
    'Record how the agent comes back: shadow or read-only first, then limited, then full, each with an owner. Shown in the summary.',
  parse: parseReactivationPlan,
  async run(context, steps) {
    const incident = await channelIncident(context, 'reactivate-plan');
    await context.services.incidents.setReactivationPlan(incident.id, context.command.user_id, steps);
  },
});

export const postmortemSubcommand = defineSubcommand({
  name: 'postmortem',
  usage: '/incident postmortem',
  summary: 'Draft the postmortem now and post it here as a file (done by itself on resolution).',
  parse: noArguments('/incident postmortem'),
  // no promise in the ack: outside an incident channel the answer is only the refusal
  async run(context) {
    const incident = await channelIncident(context, 'postmortem');
    // refused before anything is promised (the refusal is recorded on the timeline)
    await context.services.incidents.permissions.authorize(context.command.user_id, 'postmortem', incident);
    await replyEphemeral(context, `Drafting the postmortem of ${incident.id}… it is posted here as a file.`);
    await context.services.resolution.service.draftPostmortem(incident.id, context.command.user_id);
  },
});

const ACTION_USAGE =
  '/incident action @owner <YYYY-MM-DD|tomorrow|3d> <what has to be done>  ·  /incident action done <id>';

export type ActionArgs =
  | { kind: 'add'; owner: string; due: string; text: string }
  | { kind: 'done'; id: string };

export function parseActionArgs(text: string): ActionArgs {
  const [first, second] = tokenize(text);
  if (first?.toLowerCase() === 'done') {
    if (!second || !/^A\d+$/i.test(second) || tokenize(text).length > 2)
      throw new UsageError('Give the id of the action to close, e.g. `A3`.', ACTION_USAGE);
    return { kind: 'done', id: second.toUpperCase() };
  }
  const owner = parseUserMention(first, ACTION_USAGE);
  if (!second) throw new UsageError('Give a due date.', ACTION_USAGE);
  const rest = restAfter(text, 2);
  if (!rest) throw new UsageError('Say what has to be done.', ACTION_USAGE);
  return { kind: 'add', owner, due: second, text: rest.slice(0, 500) };
}

export const actionSubcommand = defineSubcommand({
  name: 'action',
  usage: ACTION_USAGE,
  summary:
    'Record a corrective action with an owner and due date (the owner is reminded once when it is overdue), or close one.',
  parse: parseActionArgs,
  async run(context, args) {
    const { services, command } = context;
    if (args.kind === 'done') {
      const action = await services.resolution.actions.done(args.id, command.user_id);
      await replyEphemeral(context, `Closed ${action.id} (${action.incidentId}): ${action.text}`);
      return;
    }
    const incident = await channelIncident(context, 'action');
    const dueAt = parseDueDate(args.due, services.clock.now(), services.config.incidents.timezone);
    if (!dueAt)
      throw new UsageError(`"${args.due}" is not a due date; use 2026-12-01, tomorrow, or 3d.`, ACTION_USAGE);
    const action = await services.resolution.actions.add({
      incidentId: incident.id,
      actor: command.user_id,
      owner: args.owner,
      dueAt,
      text: args.text,
    });
    await replyEphemeral(
      context,
      `Recorded ${action.id} for <@${action.owner}>, due ${action.dueAt.slice(0, 10)}. Close it with \`/incident action done ${action.id}\`.`,
    );
  },
});

export const actionsSubcommand = defineSubcommand({
  name: 'actions',
  usage: '/incident actions',
  summary: 'List open corrective actions across all incidents (only to you).',
  parse: noArguments('/incident actions'),
  async run(context) {
    const open = await context.services.resolution.actions.listOpen();
    // a private incident's actions show only to the members of its channel
    const actions = await context.services.incidents.visibleById(open, context.command.user_id);
    await context.reply.tell(openActionsMessage(actions, context.services.clock.now()));
  },
});

export const triageSubcommand = defineSubcommand({
  name: 'triage',
  usage: '/incident triage [--drill]',
  summary:
    'Answer the side-effect questions and get a suggested severity with the reason; accept it or choose another, then declare.',
  parse(text) {
    const tokens = tokenize(text);
    if (tokens.some((t) => t !== '--drill'))
      throw new UsageError('`/incident triage` takes only `--drill`.', '/incident triage [--drill]');
    return { drill: tokens.includes('--drill') };
  },
  async openForm(context, { drill }) {
    await context.client.views.open({
      trigger_id: context.command.trigger_id,
      view: triageQuestionsModal({ drill, channelId: context.command.channel_id }),
    });
    return true;
  },
});
