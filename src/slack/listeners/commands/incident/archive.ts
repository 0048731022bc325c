import { channelIncident, defineSubcommand, noArguments, replyEphemeral } from '../../../boundary/command.js';

const USAGE = '/incident archive';

export const archiveSubcommand = defineSubcommand({
  name: 'archive',
  usage: USAGE,
  summary:
    'Archive this channel (every message and thread, edits and deletions kept), the timeline, containment audit and comms as a tamper-evident evidence bundle. Runs by itself when the incident is resolved.',
  parse: noArguments('/incident archive'),
  // no promise in the ack: only once this is known to be an incident channel is archiving announced
  async run(context) {
    const incident = await channelIncident(context, 'archive');
    await replyEphemeral(
      context,
      `Archiving ${incident.id} as evidence… the bundle is posted here when it is done.`,
    );
    const outcome = await context.services.evidence.archive({
      incidentId: incident.id,
      actor: context.command.user_id,
      trigger: 'command',
    });
    const { manifest, reservation } = outcome;
    const upload = outcome.uploadError
      ? `\n:warning: The transcript could not be posted here (${outcome.uploadError}); the bundle is stored regardless.`
      : '';
    await replyEphemeral(
      context,
      `:lock: ${incident.id} archived as bundle v${reservation.version}: ${manifest.counts.messages} messages, ${manifest.counts.threadReplies} thread replies, ${manifest.counts.revisions} kept edits/deletions.\nStored at \`${reservation.location}\` · manifest SHA-256 \`${manifest.manifestSha256}\`${upload}`,
    );
  },
});
