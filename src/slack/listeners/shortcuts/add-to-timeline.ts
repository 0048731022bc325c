import { defineMessageShortcut } from '../../boundary/define.js';
import { SHORTCUTS } from '../../ids.js';

/** Message shortcut "Add to incident timeline": records the message and its permalink. */
export const addToTimelineShortcut = defineMessageShortcut({
  callbackId: SHORTCUTS.addToTimeline,
  incident: { from: 'channel', label: 'Add to incident timeline' },
  async run(ctx) {
    const message = ctx.shortcut.message as { ts: string; text?: string; user?: string };
    await ctx.deps.incidents.addMessage(ctx.incident.id, ctx.user, {
      channel: ctx.shortcut.channel.id,
      ts: message.ts,
      author: message.user,
      text: (message.text ?? '').slice(0, 2000),
    });
    await ctx.reply.tell(`Added to the ${ctx.incident.id} timeline.`);
  },
});
