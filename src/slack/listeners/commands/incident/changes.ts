import { AGENT_FIELDS, ROLES, STATUSES } from '../../../../incidents/model.js';
import {
  parseChoice,
  parseSeverity,
  parseUserMention,
  requireText,
  restAfter,
  tokenize,
} from '../../../args.js';
import { channelIncident, defineSubcommand, replyEphemeral } from '../../../boundary/command.js';

/** The subcommands that change one thing about the channel's incident. */

const SEV_USAGE = '/incident sev <sev1|sev2|sev3|sev4>';
export const severitySubcommand = defineSubcommand({
  name: 'sev',
  aliases: ['severity'],
  usage: SEV_USAGE,
  summary: 'Change the severity (restarts the update clock at the new cadence).',
  parse: (text) => parseSeverity(tokenize(text)[0], SEV_USAGE),
  async run(context, severity) {
    const incident = await channelIncident(context, 'sev');
    await context.services.incidents.setSeverity(incident.id, context.command.user_id, severity);
  },
});

const STATUS_USAGE = `/incident status <${STATUSES.join('|')}>`;
export const statusSubcommand = defineSubcommand({
  name: 'status',
  usage: STATUS_USAGE,
  summary:
    'Move the incident to investigating, contained, monitoring or resolved (resolved goes through the restart gate).',
  parse: (text) => parseChoice(tokenize(text)[0], STATUSES, 'status', STATUS_USAGE),
  async run(context, status) {
    const incident = await channelIncident(context, 'status');
    // resolving is the restart gate's decision, whichever command asks for it
    if (status === 'resolved')
      await context.services.resolution.service.resolve(incident.id, context.command.user_id);
    else await context.services.incidents.setStatus(incident.id, context.command.user_id, status);
  },
});

const ROLE_USAGE = `/incident role <${ROLES.join('|')}> @person`;
export const roleSubcommand = defineSubcommand({
  name: 'role',
  usage: ROLE_USAGE,
  summary: 'Give a role to a person (they are invited to the channel).',
  parse(text) {
    const [role, user] = tokenize(text);
    return { role: parseChoice(role, ROLES, 'role', ROLE_USAGE), user: parseUserMention(user, ROLE_USAGE) };
  },
  async run(context, { role, user }) {
    const incident = await channelIncident(context, 'role');
    await context.services.incidents.assignRole(incident.id, context.command.user_id, role, user);
  },
});

const AGENT_USAGE = `/incident agent <${AGENT_FIELDS.join('|')}> <value>`;
export const agentSubcommand = defineSubcommand({
  name: 'agent',
  usage: AGENT_USAGE,
  summary: 'Record a fact about the agent: name, version, model, prompt hash, tools, environment.',
  parse(text) {
    const field = parseChoice(tokenize(text)[0], AGENT_FIELDS, 'agent field', AGENT_USAGE);
    const value = requireText(restAfter(text, 1), `a value for ${field}`, AGENT_USAGE);
    return { field, value: value.slice(0, 500) };
  },
  async run(context, { field, value }) {
    const incident = await channelIncident(context, 'agent');
    await context.services.incidents.setAgentFact(incident.id, context.command.user_id, field, value);
  },
});

const NOTE_USAGE = '/incident note <text>';
export const noteSubcommand = defineSubcommand({
  name: 'note',
  usage: NOTE_USAGE,
  summary: 'Add a note to the timeline.',
  parse: (text) => requireText(text.trim(), 'the text of the note', NOTE_USAGE).slice(0, 2000),
  async run(context, note) {
    const incident = await channelIncident(context, 'note');
    await context.services.incidents.addNote(incident.id, context.command.user_id, note);
    await replyEphemeral(context, `Noted on the ${incident.id} timeline.`);
  },
});
