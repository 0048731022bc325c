import { UsageError } from '../../../../errors.js';
import { tokenize } from '../../../args.js';
import { channelIncident, defineSubcommand } from '../../../boundary/command.js';

const USAGE = '/comms draft <audience>';

/** `/comms draft <audience>`: renders the audience's template and posts the draft with its lint findings. */
export const draftSubcommand = defineSubcommand({
  name: 'draft',
  usage: USAGE,
  summary:
    'Draft a message for an audience from its template (see `/comms audiences`), in this incident channel.',
  parse(text, services) {
    const [audience, extra] = tokenize(text);
    if (!audience || extra) {
      const known = services.comms.audiences().map((t) => t.audience);
      throw new UsageErrorWithAudiences(audience ? 'Give one audience.' : 'Which audience?', known);
    }
    return services.comms.requireTemplate(audience.toLowerCase());
  },
  ackReply: (template) => `Drafting the ${template.title.toLowerCase()}…`,
  async run(context, template) {
    const incident = await channelIncident(context, 'draft');
    await context.services.comms.draft(incident.id, template.audience, context.command.user_id);
  },
});

class UsageErrorWithAudiences extends UsageError {
  constructor(message: string, audiences: readonly string[]) {
    super(`${message} Audiences: ${audiences.join(', ')}.`, USAGE);
  }
}
