import { requireText } from '../../../args.js';
import { channelIncident, defineSubcommand } from '../../../boundary/command.js';

const USAGE = '/comms root-cause <what caused it, as confirmed>';

/**
 * `/comms root-cause <summary>`: records that the root cause is confirmed. Until then, lint warns
 * about cause statements in messages that leave the company.
 */
export const rootCauseSubcommand = defineSubcommand({
  name: 'root-cause',
  usage: USAGE,
  summary: 'Record the confirmed root cause; external messages may state a cause only after this.',
  parse: (text) => requireText(text.trim(), 'the confirmed root cause', USAGE).slice(0, 1000),
  async run(context, summary) {
    const incident = await channelIncident(context, 'root-cause');
    await context.services.comms.confirmRootCause(incident.id, context.command.user_id, summary);
    await context.reply.tell(
      `Recorded on the ${incident.id} timeline. New drafts can use {{ rootCause.summary }}.`,
    );
  },
});
