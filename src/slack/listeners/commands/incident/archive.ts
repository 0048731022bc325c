import { jobIdOf } from '../../../../jobs/index.js';
import { channelIncident, defineSubcommand, noArguments, replyEphemeral } from '../../../boundary/command.js';

const USAGE = '/incident archive';

/**
 * `/incident archive`: checks that the person may archive, then enqueues the archive as a durable
 * job on the long lane (at Slack's pace a big channel takes longer than a response_url lives).
 * Progress is shown in the channel, edited in place; a failure says what failed and why, with Retry.
 */
export const archiveSubcommand = defineSubcommand({
  name: 'archive',
  usage: USAGE,
  summary:
    'Archive this channel (every message and thread, every edit and deletion), the timeline, containment audit and comms as a signed, tamper-evident evidence bundle. Runs by itself when the incident is resolved.',
  parse: noArguments('/incident archive'),
  // no promise in the ack: only once this is known to be an incident channel is archiving announced
  async run(context) {
    const incident = await channelIncident(context, 'archive');
    await context.services.evidence.requestArchive(
      incident.id,
      context.command.user_id,
      jobIdOf('cmd', context.command.trigger_id ?? `${context.command.user_id}-${Date.now()}`),
    );
    await replyEphemeral(
      context,
      `Archiving ${incident.id} as evidence: progress is shown in this channel, and the bundle is posted here when it is done.`,
    );
  },
});
