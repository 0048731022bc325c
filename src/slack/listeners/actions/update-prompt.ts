import { promptRefSchema, snoozedPromptMessage } from '../../blocks/reminders.js';
import { updateModal } from '../../blocks/update-modal.js';
import { decodePayload } from '../../boundary/codec.js';
import { defineAction } from '../../boundary/define.js';
import { ACTIONS } from '../../ids.js';

const STALE = ':warning: This button no longer carries a reminder Quell understands; use `/incident update`.';

/** "Post update" on a prompt or escalation: opens the update form for that incident. */
export const postUpdateAction = defineAction({
  actionId: ACTIONS.postUpdate,
  parse: (element) => decodePayload(promptRefSchema, element.value),
  stale: STALE,
  incident: { from: 'payload', id: (ref) => ref.i },
  opensForm: true,
  async run(ctx) {
    const { incident } = ctx;
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: updateModal(incident, ctx.deps.config, {
        incidentId: incident.id,
        channelId: incident.channelId ?? ctx.channel ?? '',
      }),
    });
  },
});

/** The prompt's Snooze menu: moves the reminder, then replaces the prompt so it cannot be used twice. */
export const snoozeAction = defineAction({
  actionId: ACTIONS.snoozeUpdate,
  parse: (element) => {
    const ref = decodePayload(promptRefSchema, element.selected_option?.value ?? undefined);
    return ref?.s ? { ...ref, s: ref.s } : undefined;
  },
  stale: STALE,
  incident: { from: 'payload', id: (ref) => ref.i },
  async run(ctx) {
    const { d, o, s } = ctx.value;
    const incident = await ctx.deps.reminders.updates.snooze(ctx.incident.id, ctx.user, {
      dueAt: d,
      overdueSince: o,
      snoozeMs: s,
    });
    await ctx.reply.replace(snoozedPromptMessage(incident.id, ctx.user, incident.nextUpdateDueAt!));
  },
});
