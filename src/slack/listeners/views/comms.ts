import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from '../../../comms/index.js';
import { incidentIdSchema } from '../../../incidents/model.js';
import { defineView } from '../../boundary/define.js';
import { COMMS_FIELDS, VIEWS } from '../../ids.js';
import { checkForm, textOf } from './form-fields.js';

/** See CommsFormMetadata: incident, draft, version shown, the draft's channel. */
const commsMetadata = z.object({
  i: incidentIdSchema,
  d: z.string().min(1),
  v: z.number().int().positive(),
  c: z.string(),
});

const common = {
  metadata: commsMetadata,
  channelOf: (m: z.infer<typeof commsMetadata>) => m.c,
  incident: { from: 'payload', id: (m: z.infer<typeof commsMetadata>) => m.i },
} as const;

const editSchema = z.object({
  text: z
    .string()
    .trim()
    .min(1, 'The message cannot be empty.')
    .max(MAX_MESSAGE_LENGTH, `Keep it under ${MAX_MESSAGE_LENGTH} characters.`),
});

/** Edit form submitted: the text becomes a new version of the draft, linted, and the draft message refreshes. */
export const commsEditView = defineView({
  ...common,
  callbackId: VIEWS.commsEdit,
  stale: 'This form is out of date; reopen Edit.',
  form: (values) =>
    checkForm(editSchema, { text: textOf(values, COMMS_FIELDS.text) }, {}, COMMS_FIELDS.text.block),
  async run(ctx) {
    const { i, d, v } = ctx.metadata;
    const { version, editedMeanwhile } = await ctx.deps.comms.edit({
      incidentId: i,
      draftId: d,
      baseVersion: v,
      actor: ctx.user,
      text: ctx.form.text,
    });
    if (editedMeanwhile)
      await ctx.reply.tell(
        `Saved as v${version.number}: someone else saved a version while you were editing, and both are kept. Check that the latest text is the one you want.`,
      );
  },
});

/** Override form submitted: approve despite warnings, recording the reason. */
export const commsOverrideView = defineView({
  ...common,
  callbackId: VIEWS.commsOverride,
  stale: 'This form is out of date; click Approve again.',
  form(values) {
    const reason = textOf(values, COMMS_FIELDS.overrideReason).trim();
    return reason.length >= 10
      ? { ok: true, data: { reason: reason.slice(0, 500) } }
      : {
          ok: false,
          errors: {
            [COMMS_FIELDS.overrideReason.block]:
              'Say in a sentence why publishing with these warnings is right.',
          },
        };
  },
  async run(ctx) {
    const { i, d, v } = ctx.metadata;
    const outcome = await ctx.deps.comms.approve({
      incidentId: i,
      draftId: d,
      version: v,
      actor: ctx.user,
      override: { reason: ctx.form.reason },
    });
    if (outcome.publication?.kind === 'publish_failed')
      await ctx.reply.tell(`:warning: Approved, but publishing failed (${outcome.publication.error}).`);
  },
});
