import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { MAX_UPDATE_FIELD_LENGTH } from '../../../reminders/updates.js';
import type { Services } from '../../../services.js';
import { slackDate } from '../../blocks/format.js';
import type { UpdateModalMetadata } from '../../blocks/update-modal.js';
import { UPDATE_FIELDS } from '../../ids.js';
import { userFacingMessage } from '../../user-facing-error.js';

type StateValues = ViewSubmitAction['view']['state']['values'];

const field = (message: string) => z.string().trim().min(1, message).max(MAX_UPDATE_FIELD_LENGTH);

/** The update form's values as Slack submits them, validated. */
const updateFormSchema = z.object({
  impact: field('Say who and what is affected.'),
  containment: field('Say what is contained and what is not.'),
  investigation: field('Say what is known so far.'),
  /** Unix seconds from the datetimepicker. */
  nextUpdate: z.number().int().positive().nullish(),
});

const metadataSchema = z.object({ incidentId: z.string().min(1), channelId: z.string() });

function readForm(values: StateValues) {
  const text = (f: { block: string; action: string }) => values[f.block]?.[f.action]?.value ?? '';
  const picker = values[UPDATE_FIELDS.nextUpdate.block]?.[UPDATE_FIELDS.nextUpdate.action] as
    | { selected_date_time?: number | null }
    | undefined;
  return {
    impact: text(UPDATE_FIELDS.impact),
    containment: text(UPDATE_FIELDS.containment),
    investigation: text(UPDATE_FIELDS.investigation),
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
export function updateViewHandler(services: Services) {
  return async function handleUpdateSubmission({
    ack,
    body,
    view,
    client,
  }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>): Promise<void> {
    const parsed = updateFormSchema.safeParse(readForm(view.state.values));
    const errors: Record<string, string> = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors[BLOCK_OF_FIELD[String(issue.path[0])] ?? UPDATE_FIELDS.impact.block] ??= issue.message;
    } else if (parsed.data.nextUpdate && parsed.data.nextUpdate * 1000 <= services.clock.now().getTime()) {
      errors[UPDATE_FIELDS.nextUpdate.block] = 'Pick a time in the future.';
    }
    const metadata = metadataSchema.safeParse(safeJson(view.private_metadata));
    if (!metadata.success) errors[UPDATE_FIELDS.impact.block] ??= 'This form is out of date; open it again.';
    if (!parsed.success || !metadata.success || Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const form = parsed.data;
    const { incidentId, channelId }: UpdateModalMetadata = metadata.data;
    const user = body.user.id;
    try {
      const incident = await services.reminders.updates.postUpdate(incidentId, user, {
        impact: form.impact,
        containment: form.containment,
        investigation: form.investigation,
        nextUpdateAt: form.nextUpdate ? new Date(form.nextUpdate * 1000) : null,
      });
      if (channelId && incident.channelId && channelId !== incident.channelId) {
        const next = incident.nextUpdateDueAt
          ? ` Next update due ${slackDate(incident.nextUpdateDueAt)}.`
          : '';
        await client.chat.postEphemeral({
          channel: channelId,
          user,
          text: `Update posted in <#${incident.channelId}>.${next}`,
        });
      }
    } catch (error) {
      const text = userFacingMessage(error, services.logger);
      if (channelId)
        await client.chat.postEphemeral({ channel: channelId, user, text }).catch(() => undefined);
      else await client.chat.postMessage({ channel: user, text }).catch(() => undefined);
    }
  };
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return {};
  }
}
