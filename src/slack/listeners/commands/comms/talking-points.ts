import { UsageError } from '../../../../errors.js';
import { incidentIdSchema } from '../../../../incidents/model.js';
import { tokenize } from '../../../args.js';
import { talkingPointsMessage } from '../../../blocks/comms.js';
import { defineSubcommand } from '../../../boundary/command.js';

const USAGE = '/comms talking-points [INC-7]';

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
    const id = incidentIdSchema.safeParse(tokens[0]!.toUpperCase());
    if (tokens.length > 1 || !id.success)
      throw new UsageError(`"${tokens.join(' ')}" is not an incident id such as INC-7.`, USAGE);
    return { incidentId: id.data };
  },
  async run(context, { incidentId }) {
    const { comms, config } = context.services;
    const all = incidentId ? [await comms.talkingPointsFor(incidentId)] : await comms.talkingPoints();
    // a private incident shows only to the members of its channel
    const entries = await context.services.incidents.visibleTo(all, context.command.user_id);
    if (incidentId && entries.length === 0)
      throw new UsageError(
        `${incidentId} is private: only the members of its channel see its talking points.`,
        USAGE,
      );
    await context.reply.tell(talkingPointsMessage(entries, config));
  },
});
