import { incidentIdSchema } from '../../../incidents/model.js';
import { defineAction } from '../../boundary/define.js';
import { ACTIONS } from '../../ids.js';

/** "Declare a private follow-up channel": moves the incident to a new private channel. */
export const privateFollowUpAction = defineAction({
  actionId: ACTIONS.privateFollowUp,
  parse: (element) => incidentIdSchema.safeParse(element.value).data,
  stale: ':warning: This button names no incident Quell knows; run `/incident private` again.',
  incident: { from: 'payload', id: (id) => id },
  async run(ctx) {
    const { incident, failures } = await ctx.deps.incidents.moveToPrivateChannel(ctx.incident.id, ctx.user);
    const problems = failures.length ? ` Some steps failed: ${failures.join('; ')}.` : '';
    await ctx.reply.tell(
      `${incident.id} now continues in <#${incident.channelId}>, a private channel.${problems}`,
    );
  },
});
