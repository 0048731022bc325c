import { UsageError } from '../../../../errors.js';
import { tokenize } from '../../../args.js';
import { talkingPointsMessage } from '../../../blocks/comms.js';
import { defineSubcommand } from '../../../boundary/command.js';

const USAGE = '/comms talking-points [INC-7]';
const INCIDENT_ID = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}$/;

/** `/comms talking-points [id]`, from any channel: the latest approved talking points, only to the asker. */
export const talkingPointsSubcommand = defineSubcommand({
  name: 'talking-points',
  aliases: ['tp', 'talkingpoints'],
  usage: USAGE,
  summary:
    'Approved talking points of every active incident, or of one; works in any channel, only you see it.',
  parse(text) {
    const tokens = tokenize(text);
    if (tokens.length === 0) return { incidentId: undefined };
    if (tokens.length > 1 || !INCIDENT_ID.test(tokens[0]!))
      throw new UsageError(`"${tokens.join(' ')}" is not an incident id such as INC-7.`, USAGE);
    return { incidentId: tokens[0]!.toUpperCase() };
  },
  async run(context, { incidentId }) {
    const { comms, config } = context.services;
    const entries = incidentId ? [await comms.talkingPointsFor(incidentId)] : await comms.talkingPoints();
    await context.reply.tell(talkingPointsMessage(entries, config));
  },
});
