import { z } from 'zod';
import { incidentIdSchema } from '../../../incidents/model.js';
import { GATE_ITEM_IDS, ROOT_CAUSE_CATEGORIES } from '../../../resolution/index.js';
import { gateOverrideModal } from '../../blocks/resolution.js';
import { decodeText } from '../../boundary/codec.js';
import { defineAction } from '../../boundary/define.js';
import { ACTIONS } from '../../ids.js';

/** The restart gate checklist message: checkboxes, root-cause menu, Resolve and Override buttons. */

const STALE = ':warning: This checklist is out of date; run `/incident resolve` for a fresh one.';
const selectedItems = z.array(z.object({ value: z.enum(GATE_ITEM_IDS) }));
/** The checkboxes and the menu carry no incident id: the channel's incident is the one. */
const ofChannel = { from: 'channel', label: 'The restart gate checklist' } as const;
const named = { from: 'payload', id: (id: string) => id } as const;

export const gateChecklistAction = defineAction({
  actionId: ACTIONS.gateChecklist,
  parse: (element) => decodeText(selectedItems, element.selected_options ?? []),
  stale: STALE,
  incident: ofChannel,
  async run(ctx) {
    const items = ctx.value.map((o) => o.value);
    await ctx.deps.resolution.service.applyChecklist(ctx.incident.id, ctx.user, items);
  },
});

export const rootCauseCategoryAction = defineAction({
  actionId: ACTIONS.rootCauseCategory,
  parse: (element) => decodeText(z.enum(ROOT_CAUSE_CATEGORIES), element.selected_option?.value),
  stale: STALE,
  incident: ofChannel,
  async run(ctx) {
    await ctx.deps.resolution.service.setRootCauseCategory(ctx.incident.id, ctx.user, ctx.value);
  },
});

export const gateResolveAction = defineAction({
  actionId: ACTIONS.gateResolve,
  parse: (element) => decodeText(incidentIdSchema, element.value),
  stale: STALE,
  incident: named,
  async run(ctx) {
    await ctx.deps.resolution.service.resolve(ctx.incident.id, ctx.user);
  },
});

/** Opens the reason form; only someone allowed to override gets it (others are told who can). */
export const gateOverrideAction = defineAction({
  actionId: ACTIONS.gateOverride,
  parse: (element) => decodeText(incidentIdSchema, element.value),
  stale: STALE,
  incident: named,
  opensForm: true,
  async run(ctx) {
    const { incident } = ctx;
    const resolution = ctx.deps.resolution.service;
    if (!(await resolution.mayOverride(incident, ctx.user))) {
      await ctx.reply.tell(
        ':warning: You are not allowed to override the restart gate (see `resolution.gate.override` in the config).',
      );
      return;
    }
    const gate = await resolution.gate(incident);
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: gateOverrideModal(incident, gate.missing, ctx.channel ?? incident.channelId ?? ''),
    });
  },
});
