import { parseDuration } from '../../../../config/duration.js';
import { UsageError } from '../../../../errors.js';
import { slackDate } from '../../../blocks/format.js';
import { updateModal } from '../../../blocks/update-modal.js';
import { channelIncident, defineSubcommand, replyEphemeral } from '../../../boundary/command.js';

const USAGE = '/incident update [impact: <text> containment: <text> investigation: <text> [next: <30m>]]';

const LABELS = ['impact', 'containment', 'investigation', 'next'] as const;
type Label = (typeof LABELS)[number];

export type UpdateArgs =
  | { mode: 'modal' }
  | {
      mode: 'inline';
      impact: string;
      containment: string;
      investigation: string;
      /** `next: 30m`: the next update comes that long after this one. */
      nextInMs: number | null;
    };

/**
 * Inline form: `impact: ... containment: ... investigation: ... next: 30m`, labels in any order,
 * each once; `next` optional. No text opens the form instead.
 */
export function parseUpdateArgs(text: string): UpdateArgs {
  const trimmed = text.trim();
  if (!trimmed) return { mode: 'modal' };
  const pattern = new RegExp(`(?:^|\\s)(${LABELS.join('|')})\\s*:`, 'gi');
  const marks = [...trimmed.matchAll(pattern)].map((m) => ({
    label: m[1]!.toLowerCase() as Label,
    start: m.index!,
    end: m.index! + m[0].length,
  }));
  if (marks.length === 0 || trimmed.slice(0, marks[0]!.start).trim())
    throw new UsageError('Start with `impact:`, or run `/incident update` alone to open the form.', USAGE);
  const parts = new Map<Label, string>();
  marks.forEach((mark, i) => {
    if (parts.has(mark.label)) throw new UsageError(`\`${mark.label}:\` appears twice.`, USAGE);
    parts.set(mark.label, trimmed.slice(mark.end, marks[i + 1]?.start ?? trimmed.length).trim());
  });
  const missing = (['impact', 'containment', 'investigation'] as const).filter((l) => !parts.get(l));
  if (missing.length)
    throw new UsageError(
      `An update needs ${missing.map((l) => `\`${l}:\``).join(', ')} (an update answers impact, containment and investigation).`,
      USAGE,
    );
  let nextInMs: number | null = null;
  const next = parts.get('next');
  if (next !== undefined) {
    const ms = parseDuration(next);
    if (ms === undefined)
      throw new UsageError(`\`next: ${next}\` is not a duration such as 30m or 1h.`, USAGE);
    nextInMs = ms;
  }
  return {
    mode: 'inline',
    impact: parts.get('impact')!,
    containment: parts.get('containment')!,
    investigation: parts.get('investigation')!,
    nextInMs,
  };
}

export const updateSubcommand = defineSubcommand({
  name: 'update',
  usage: USAGE,
  summary:
    'Post a structured update (impact, containment, investigation, next update): opens a form, or posts the inline text. Resets the update clock.',
  parse: parseUpdateArgs,
  opensForm: (args) => args.mode === 'modal',
  async openForm(context, args) {
    if (args.mode !== 'modal') return false;
    const incident = await channelIncident(context, 'update');
    await context.client.views.open({
      trigger_id: context.command.trigger_id,
      view: updateModal(incident, context.services.config, {
        incidentId: incident.id,
        channelId: context.command.channel_id,
      }),
    });
    return true;
  },
  async run(context, args) {
    if (args.mode !== 'inline') return;
    const { command, services } = context;
    const incident = await channelIncident(context, 'update');
    const now = services.clock.now().getTime();
    const updated = await services.reminders.updates.postUpdate(
      incident.id,
      command.user_id,
      {
        impact: args.impact,
        containment: args.containment,
        investigation: args.investigation,
        nextUpdateAt: args.nextInMs === null ? null : new Date(now + args.nextInMs),
      },
      { requestKey: context.idempotencyKey },
    );
    const next = updated.nextUpdateDueAt
      ? `next update due ${slackDate(updated.nextUpdateDueAt)}`
      : 'no next update due';
    await replyEphemeral(context, `Update posted to the ${incident.id} timeline; ${next}.`);
  },
});
