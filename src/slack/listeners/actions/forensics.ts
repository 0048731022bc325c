import { z } from 'zod';
import { incidentIdSchema } from '../../../incidents/model.js';
import { defineAction } from '../../boundary/define.js';
import { ACTIONS } from '../../ids.js';

const markValue = z
  .string()
  .transform((v) => v.split('|'))
  .pipe(z.tuple([incidentIdSchema, z.string().regex(/^[0-9a-f]{16}$/)]));

/**
 * "Mark first unauthorized" on an agent-timeline entry: the forensics.mark permission, then a
 * `first_unauthorized_action` timeline event (the postmortem's timeline carries it).
 */
export const forensicsMarkFirstAction = defineAction({
  actionId: ACTIONS.forensicsMarkFirst,
  parse: (element) => markValue.safeParse(element.value).data,
  stale:
    ':warning: This button names no agent-timeline entry Quell knows; run `/incident agent-timeline` again.',
  incident: { from: 'payload', id: ([incidentId]) => incidentId },
  async run(ctx) {
    const entry = await ctx.deps.forensics.markFirstUnauthorized(ctx.incident.id, ctx.user, ctx.value[1]);
    await ctx.reply.tell(
      `Marked ${entry.name} at ${entry.at} as the first unauthorized action of ${ctx.incident.id}; it is on the timeline.`,
    );
  },
});
