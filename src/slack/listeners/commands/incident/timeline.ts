import { UsageError } from '../../../../errors.js';
import { timelineMessage } from '../../../blocks/incident.js';
import { channelIncident, defineSubcommand } from '../../../boundary/command.js';

export const timelineSubcommand = defineSubcommand({
  name: 'timeline',
  usage: '/incident timeline',
  summary: 'Show the timeline of this incident (only to you).',
  parse(text) {
    if (text.trim()) throw new UsageError('`/incident timeline` takes no arguments.', '/incident timeline');
  },
  async run(context) {
    const incident = await channelIncident(context, 'timeline');
    const events = await context.services.incidents.timeline(incident.id);
    await context.reply.tell(timelineMessage(incident, events));
  },
});
