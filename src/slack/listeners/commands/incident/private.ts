import { alreadyPrivateMessage, privateFollowUpOffer } from '../../../blocks/privacy.js';
import { channelIncident, defineSubcommand, noArguments } from '../../../boundary/command.js';

const USAGE = '/incident private';

/**
 * `/incident private`: where a person looks for "make this private". Slack cannot convert a live
 * public channel, so the answer says so and offers a private follow-up channel (a button).
 */
export const privateSubcommand = defineSubcommand({
  name: 'private',
  aliases: ['make-private'],
  usage: USAGE,
  summary:
    'Make the incident private: Slack cannot turn a live public channel private, so Quell offers a private follow-up channel.',
  parse: noArguments(USAGE),
  async run(context) {
    const incident = await channelIncident(context, 'private');
    await context.reply.tell(
      incident.private ? alreadyPrivateMessage(incident) : privateFollowUpOffer(incident),
    );
  },
});
