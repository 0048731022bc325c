import { timelineMessage } from '../../../blocks/incident.js';
import { channelIncident, defineSubcommand, noArguments } from '../../../boundary/command.js';

export const timelineSubcommand = defineSubcommand({
  name: 'timeline',
  usage: '/incident timeline',
  summary: 'Show the timeline of this incident (only to you).',
  parse: noArguments('/incident timeline'),
  async run(context) {
    const incident = await channelIncident(context, 'timeline');
    const events = await context.services.incidents.timeline(incident.id);
    await context.reply.tell(timelineMessage(incident, events));
  },
});
