import { z } from 'zod';
import { incidentIdSchema } from '../../../incidents/model.js';
import { MAX_UPDATE_FIELD_LENGTH } from '../../../reminders/index.js';
import { slackDate } from '../../blocks/format.js';
import { defineView, type StateValues } from '../../boundary/define.js';
import { UPDATE_FIELDS, VIEWS } from '../../ids.js';
import { checkForm, textOf } from './form-fields.js';

const field = (message: string) => z.string().trim().min(1, message).max(MAX_UPDATE_FIELD_LENGTH);

/** The update form's values as Slack submits them, validated. */
const updateFormSchema = z.object({
  impact: field('Say who and what is affected.'),
  containment: field('Say what is contained and what is not.'),
  investigation: field('Say what is known so far.'),
  /** Unix seconds from the datetimepicker. */
  nextUpdate: z.number().int().positive().nullish(),
});

/** See UpdateModalMetadata. */
const updateMetadata = z.object({ incidentId: incidentIdSchema, channelId: z.string() });

function readForm(values: StateValues) {
  const picker = values[UPDATE_FIELDS.nextUpdate.block]?.[UPDATE_FIELDS.nextUpdate.action] as
    | { selected_date_time?: number | null }
    | undefined;
  return {
    impact: textOf(values, UPDATE_FIELDS.impact),
    containment: textOf(values, UPDATE_FIELDS.containment),
    investigation: textOf(values, UPDATE_FIELDS.investigation),
    nextUpdate: picker?.selected_date_time ?? null,
  };
}

const BLOCK_OF_FIELD: Record<string, string> = {
  impact: UPDATE_FIELDS.impact.block,
  containment: UPDATE_FIELDS.containment.block,
  investigation: UPDATE_FIELDS.investigation.block,
  nextUpdate: UPDATE_FIELDS.nextUpdate.block,
};

/** Update-form submission: invalid fields are shown on the form; a valid form posts after the ack. */
export const updateView = defineView({
  callbackId: VIEWS.update,
  metadata: updateMetadata,
  channelOf: (m) => m.channelId,
  incident: { from: 'payload', id: (m) => m.incidentId },
  form(values, _metadata, deps) {
    const checked = checkForm(updateFormSchema, readForm(values), BLOCK_OF_FIELD, UPDATE_FIELDS.impact.block);
    if (checked.ok && checked.data.nextUpdate && checked.data.nextUpdate * 1000 <= deps.clock.now().getTime())
      return { ok: false, errors: { [UPDATE_FIELDS.nextUpdate.block]: 'Pick a time in the future.' } };
    return checked;
  },
  async run(ctx) {
    const { form } = ctx;
    const incident = await ctx.deps.reminders.updates.postUpdate(
      ctx.incident.id,
      ctx.user,
      {
        impact: form.impact,
        containment: form.containment,
        investigation: form.investigation,
        nextUpdateAt: form.nextUpdate ? new Date(form.nextUpdate * 1000) : null,
      },
      { requestKey: ctx.idempotencyKey },
    );
    if (ctx.channel && incident.channelId && ctx.channel !== incident.channelId) {
      const next = incident.nextUpdateDueAt ? ` Next update due ${slackDate(incident.nextUpdateDueAt)}.` : '';
      await ctx.reply.tell(`Update posted in <#${incident.channelId}>.${next}`);
    }
  },
});
