import { UsageError } from '../../../../errors.js';
import { tokenize } from '../../../args.js';
import { affectedModal, inventorySummary } from '../../../blocks/affected.js';
import { channelIncident, defineSubcommand } from '../../../boundary/command.js';

const USAGE = '/incident affected [list]';

export type AffectedArgs = { mode: 'form' } | { mode: 'list' };

export function parseAffectedArgs(text: string): AffectedArgs {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { mode: 'form' };
  if (tokens.length === 1 && tokens[0]?.toLowerCase() === 'list') return { mode: 'list' };
  throw new UsageError(
    '`/incident affected` opens the form; `/incident affected list` shows the inventory.',
    USAGE,
  );
}

/** The rollback inventory: what the agent changed, and how each change was reversed or why not. */
export const affectedSubcommand = defineSubcommand({
  name: 'affected',
  usage: USAGE,
  summary:
    "Record an object the agent changed (system, id, what changed, before/after, reversible or not, how it was reversed or why not), or list the inventory. The restart gate's rollback item is checked from it.",
  parse: parseAffectedArgs,
  opensForm: (args) => args.mode === 'form',
  async openForm(context, args) {
    if (args.mode !== 'form') return false;
    // the incident is looked up before the form opens: outside an incident channel nothing opens
    const incident = await channelIncident(context, 'affected');
    await context.client.views.open({
      trigger_id: context.command.trigger_id,
      view: affectedModal(incident, context.command.channel_id),
    });
    return true;
  },
  async run(context) {
    const incident = await channelIncident(context, 'affected');
    const objects = await context.services.resolution.service.affected(incident.id);
    await context.reply.tell(inventorySummary(incident, objects));
  },
});
