import { z } from 'zod';
import { incidentIdSchema } from '../../../incidents/model.js';
import { GATE_ITEM_IDS, ROOT_CAUSE_CATEGORIES } from '../../../resolution/index.js';
import { affectedModal } from '../../blocks/affected.js';
import { gateOverrideModal, seenFromBlockId } from '../../blocks/resolution.js';
import { decodeText } from '../../boundary/codec.js';
import { defineAction } from '../../boundary/define.js';
import { ACTIONS } from '../../ids.js';

/**
 * The restart gate checklist message: checkboxes, Override… next to items checked from the record,
 * root-cause menu, Resolve and Override buttons; and the rollback inventory's "Record" button.
 */

const STALE = ':warning: This checklist is out of date; run `/incident resolve` for a fresh one.';
const selectedItems = z.array(z.object({ value: z.enum(GATE_ITEM_IDS) }));
/** The checkboxes and the menu carry no incident id: the channel's incident is the one. */
const ofChannel = { from: 'channel', label: 'The restart gate checklist' } as const;
const named = { from: 'payload', id: (id: string) => id } as const;

/**
 * A click is the clicker's change: their selection against what the message they clicked showed,
 * which its block id carries (the block of the clicker's own copy, so a refresh that reached Slack
 * before their click is not mistaken for an untick). A block id without it is an older message.
 */
export const gateChecklistAction = defineAction({
  actionId: ACTIONS.gateChecklist,
  parse(element) {
    const seen = seenFromBlockId((element as { block_id?: string }).block_id);
    const selected = decodeText(selectedItems, element.selected_options ?? []);
    return seen && selected ? { seen, selected: selected.map((o) => o.value) } : undefined;
  },
  stale: STALE,
  incident: ofChannel,
  async run(ctx) {
    await ctx.deps.resolution.service.applyChecklist(ctx.incident.id, ctx.user, ctx.value);
  },
});

/** Override… next to an item checked from the record: the reason form, for those allowed to override. */
export const gateItemOverrideAction = defineAction({
  actionId: ACTIONS.gateItemOverride,
  parse: (element) => decodeText(z.enum(GATE_ITEM_IDS), element.value),
  stale: STALE,
  incident: ofChannel,
  opensForm: true,
  async run(ctx) {
    const { incident } = ctx;
    const resolution = ctx.deps.resolution.service;
    // refused before the form opens: told who may, and recorded on the timeline
    await ctx.deps.incidents.permissions.authorize(ctx.user, 'gate.override', incident, {
      subject: 'accept a gate item against the record',
    });
    const gate = await resolution.gate(incident);
    const item = gate.items.find((i) => i.id === ctx.value && i.mode === 'evaluated');
    if (!item || item.done) {
      await ctx.reply.tell(
        `:information_source: Nothing to accept: that item is ${item ? 'already met' : 'ticked, not overridden'}.`,
      );
      return;
    }
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: gateOverrideModal(incident, gate.missing, ctx.channel ?? incident.channelId ?? '', item),
    });
  },
});

/** "Record an affected object" on the rollback inventory summary: opens the entry form. */
export const affectedAddAction = defineAction({
  actionId: ACTIONS.affectedAdd,
  parse: (element) => decodeText(incidentIdSchema, element.value),
  stale: ':warning: This inventory is out of date; run `/incident affected` in the incident channel.',
  incident: named,
  opensForm: true,
  async run(ctx) {
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: affectedModal(ctx.incident, ctx.channel ?? ctx.incident.channelId ?? ''),
    });
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
    await ctx.deps.incidents.permissions.authorize(ctx.user, 'gate.override', incident, {
      subject: 'resolve with restart-gate items missing',
    });
    const gate = await resolution.gate(incident);
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: gateOverrideModal(incident, gate.missing, ctx.channel ?? incident.channelId ?? ''),
    });
  },
});
