import { incidentIdSchema } from '../../../incidents/model.js';
import { jobIdOf } from '../../../jobs/index.js';
import { defineAction } from '../../boundary/define.js';
import { ACTIONS } from '../../ids.js';

/**
 * "Retry the archive" on a failed evidence archive: the same permission as `/incident archive`,
 * then a new durable archive job (keyed by this click, so a double click archives once).
 */
export const evidenceRetryAction = defineAction({
  actionId: ACTIONS.evidenceRetry,
  parse: (element) => incidentIdSchema.safeParse(element.value).data,
  stale: ':warning: This button names no incident Quell knows; run `/incident archive` instead.',
  incident: { from: 'payload', id: (id) => id },
  async run(ctx) {
    await ctx.deps.evidence.requestArchive(ctx.incident.id, ctx.user, jobIdOf('retry', ctx.idempotencyKey));
    await ctx.reply.tell(`Archiving ${ctx.incident.id} again: progress is shown in the channel.`);
  },
});
