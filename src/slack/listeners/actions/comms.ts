import { z } from 'zod';
import { LintOverrideRequiredError } from '../../../comms/index.js';
import { incidentIdSchema } from '../../../incidents/model.js';
import { editModal, overrideModal } from '../../blocks/comms-modals.js';
import { decodePayload } from '../../boundary/codec.js';
import { type ActionContext, defineAction } from '../../boundary/define.js';
import { ACTIONS } from '../../ids.js';

/** The value every draft button carries (see DraftButtonValue): incident, draft, version. */
const draftButton = z.object({ i: incidentIdSchema, d: z.string().min(1), v: z.number().int().positive() });
type DraftButton = z.infer<typeof draftButton>;

const common = {
  parse: (element: { value?: string }) => decodePayload(draftButton, element.value),
  stale: ':warning: This button no longer carries a draft Quell understands; use `/comms history`.',
  incident: { from: 'payload', id: (ref: DraftButton) => ref.i },
} as const;

/** Where the forms send their answers: the draft's channel, else where the button was clicked. */
const formMetadata = (ctx: ActionContext<DraftButton>, channel: string | undefined, version: number) => ({
  i: ctx.value.i,
  d: ctx.value.d,
  v: version,
  c: channel ?? ctx.channel ?? '',
});

/** Edit: for those who may edit, opens the form with the latest text; saving adds a version. */
export const commsEditAction = defineAction({
  ...common,
  actionId: ACTIONS.commsEdit,
  opensForm: true,
  async run(ctx) {
    const draft = await ctx.deps.comms.getDraft(ctx.value.i, ctx.value.d);
    if (draft.status !== 'open')
      return void (await ctx.reply.tell(
        `:warning: This draft was already ${draft.status}; start a new one with \`/comms draft ${draft.audience}\`.`,
      ));
    // refused before the form opens: told who may, and recorded on the timeline
    await ctx.deps.comms.authorizeEdit(ctx.user, draft, ctx.incident);
    const latest = draft.versions.at(-1)!.number;
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: editModal(draft, formMetadata(ctx, draft.message?.channel, latest)),
    });
  },
});

/**
 * Approve: approves and publishes the version on the button. With lint warnings it opens the
 * override form instead (after the approver check, so only approvers see it).
 */
export const commsApproveAction = defineAction({
  ...common,
  actionId: ACTIONS.commsApprove,
  opensForm: true,
  async run(ctx) {
    const { i, d, v } = ctx.value;
    try {
      const outcome = await ctx.deps.comms.approve({
        incidentId: i,
        draftId: d,
        version: v,
        actor: ctx.user,
      });
      if (outcome.publication?.kind === 'publish_failed')
        await ctx.reply.tell(
          `:warning: Approved, but publishing failed (${outcome.publication.error}); see the draft.`,
        );
    } catch (error) {
      if (!(error instanceof LintOverrideRequiredError)) throw error;
      const draft = await ctx.deps.comms.getDraft(i, d);
      await ctx.client.views.open({
        trigger_id: ctx.triggerId,
        view: overrideModal(draft, error.warnings, formMetadata(ctx, draft.message?.channel, v)),
      });
    }
  },
});

/** Reject (after Slack's confirm dialog): closes the draft; it stays on record. */
export const commsRejectAction = defineAction({
  ...common,
  actionId: ACTIONS.commsReject,
  async run(ctx) {
    const { i, d, v } = ctx.value;
    await ctx.deps.comms.reject({ incidentId: i, draftId: d, version: v, actor: ctx.user });
  },
});
