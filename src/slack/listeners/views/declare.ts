import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { SEVERITIES } from '../../../incidents/model.js';
import type { Services } from '../../../services.js';
import { DECLARE_OPTIONS } from '../../blocks/declare-modal.js';
import { DECLARE_FIELDS } from '../../ids.js';
import { userFacingMessage } from '../../user-facing-error.js';

type StateValues = ViewSubmitAction['view']['state']['values'];

const optionalText = z
  .string()
  .nullish()
  .transform((s) => s?.trim() || undefined);

/** The declare form's values as Slack submits them, validated. */
const declareFormSchema = z.object({
  title: z.string().trim().min(1, 'Give the incident a title.'),
  severity: z.enum(SEVERITIES, 'Choose a severity.'),
  description: optionalText,
  agentName: optionalText,
  agentVersion: optionalText,
  agentModel: optionalText,
  environment: optionalText,
  options: z.array(z.string()).default([]),
});

function readForm(values: StateValues) {
  const text = (field: { block: string; action: string }) => values[field.block]?.[field.action]?.value;
  return {
    title: text(DECLARE_FIELDS.title) ?? '',
    severity: values[DECLARE_FIELDS.severity.block]?.[DECLARE_FIELDS.severity.action]?.selected_option?.value,
    description: text(DECLARE_FIELDS.description),
    agentName: text(DECLARE_FIELDS.agentName),
    agentVersion: text(DECLARE_FIELDS.agentVersion),
    agentModel: text(DECLARE_FIELDS.agentModel),
    environment: text(DECLARE_FIELDS.environment),
    options: (
      values[DECLARE_FIELDS.options.block]?.[DECLARE_FIELDS.options.action]?.selected_options ?? []
    ).map((o) => o.value),
  };
}

const BLOCK_OF_FIELD: Record<string, string> = {
  title: DECLARE_FIELDS.title.block,
  severity: DECLARE_FIELDS.severity.block,
};

/** Declare-form submission: invalid fields are shown on the form; a valid form declares after the ack. */
export function declareViewHandler(services: Services) {
  return async function handleDeclareSubmission({
    ack,
    body,
    view,
    client,
  }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>): Promise<void> {
    const parsed = declareFormSchema.safeParse(readForm(view.state.values));
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const block = BLOCK_OF_FIELD[String(issue.path[0])] ?? DECLARE_FIELDS.title.block;
        errors[block] ??= issue.message;
      }
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    services.afterAck.run(async () => {
      const form = parsed.data;
      const user = body.user.id;
      const origin = (JSON.parse(view.private_metadata || '{}') as { channelId?: string }).channelId;
      try {
        const outcome = await services.incidents.declare({
          title: form.title,
          severity: form.severity,
          description: form.description,
          drill: form.options.includes(DECLARE_OPTIONS.drill),
          announce: !form.options.includes(DECLARE_OPTIONS.noAnnounce),
          agent: {
            ...(form.agentName ? { name: form.agentName } : {}),
            ...(form.agentVersion ? { version: form.agentVersion } : {}),
            ...(form.agentModel ? { model: form.agentModel } : {}),
            ...(form.environment ? { environment: form.environment } : {}),
          },
          declaredBy: user,
          // a view id is unique per opened form: a re-delivered submission cannot declare twice
          idempotencyKey: `view-${view.id}`,
        });
        if (origin && origin !== outcome.incident.channelId) {
          const where = outcome.incident.channelId ? `<#${outcome.incident.channelId}>` : 'its channel';
          await client.chat.postEphemeral({
            channel: origin,
            user,
            text: `${outcome.incident.id} is open in ${where}.`,
          });
        }
      } catch (error) {
        const text = userFacingMessage(error, services.logger);
        if (origin) await client.chat.postEphemeral({ channel: origin, user, text }).catch(() => undefined);
        else await client.chat.postMessage({ channel: user, text }).catch(() => undefined);
      }
    });
  };
}
