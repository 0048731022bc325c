import { describeApprovers, describeFindings } from '../../../../comms/index.js';
import { slackDate } from '../../../blocks/format.js';
import { channelIncident, defineSubcommand, noArguments } from '../../../boundary/command.js';

/** `/comms audiences`: the audiences this workspace has templates for. */
export const audiencesSubcommand = defineSubcommand({
  name: 'audiences',
  usage: '/comms audiences',
  summary: 'List the audiences there are templates for, who approves them and where they are published.',
  parse: noArguments('/comms audiences'),
  async run(context) {
    const { comms } = context.services;
    const lines = comms.audiences().map((t) => {
      const destination = context.services.config.comms.audiences[t.audience]?.destination ?? t.publish;
      const where =
        destination === 'none'
          ? 'not published (copy by hand)'
          : destination === 'incident-channel'
            ? 'published in the incident channel'
            : `published to <#${destination}>`;
      return `• *${t.audience}*: ${t.title}${t.external ? ' (external)' : ''}. ${t.description}\n    Approved by ${describeApprovers(comms.approversFor(t.audience))}; ${where}.`;
    });
    await context.reply.tell(
      `*Audiences* (draft one with \`/comms draft <audience>\`):\n${lines.join('\n')}`,
    );
  },
});

/** `/comms history`: every draft of this incident, its versions and decisions (only to the asker). */
export const historySubcommand = defineSubcommand({
  name: 'history',
  usage: '/comms history',
  summary: 'Every comms draft of this incident with its versions, approvals and publications.',
  parse: noArguments('/comms history'),
  async run(context) {
    const incident = await channelIncident(context, 'history');
    const { drafts, log } = await context.services.comms.history(incident.id);
    if (drafts.length === 0) {
      await context.reply.tell(
        `No comms drafts for ${incident.id} yet: start one with \`/comms draft <audience>\`.`,
      );
      return;
    }
    const lines = drafts.map((draft) => {
      const versions = draft.versions
        .map(
          (v) => `v${v.number} <@${v.author}> ${slackDate(v.at, '{time}')} (${describeFindings(v.findings)})`,
        )
        .join('; ');
      const decisions = log
        .filter((e) => e.draftId === draft.id)
        .map((e) => `${e.kind.replace('_', ' ')} v${e.version} by <@${e.actor}> ${slackDate(e.at, '{time}')}`)
        .join('; ');
      return `• *${draft.title}* (${draft.status}): ${versions}${decisions ? `\n    ${decisions}` : ''}`;
    });
    await context.reply.tell(`*Comms history of ${incident.id}*\n${lines.join('\n')}`.slice(0, 3900));
  },
});
