import { z } from 'zod';
import { INCIDENT_CATEGORIES, SEVERITIES } from '../../../incidents/model.js';
import { DECLARE_OPTIONS } from '../../blocks/declare-modal.js';
import { defineView, type StateValues } from '../../boundary/define.js';
import { DECLARE_FIELDS, VIEWS } from '../../ids.js';
import { checkForm, textOf } from './form-fields.js';

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
  category: z.enum(INCIDENT_CATEGORIES).optional(),
  /** The datetimepicker's unix seconds, if set. */
  started: z.number().int().positive().optional(),
});

function readForm(values: StateValues) {
  return {
    title: textOf(values, DECLARE_FIELDS.title),
    severity: values[DECLARE_FIELDS.severity.block]?.[DECLARE_FIELDS.severity.action]?.selected_option?.value,
    description: textOf(values, DECLARE_FIELDS.description),
    agentName: textOf(values, DECLARE_FIELDS.agentName),
    agentVersion: textOf(values, DECLARE_FIELDS.agentVersion),
    agentModel: textOf(values, DECLARE_FIELDS.agentModel),
    environment: textOf(values, DECLARE_FIELDS.environment),
    category:
      values[DECLARE_FIELDS.category.block]?.[DECLARE_FIELDS.category.action]?.selected_option?.value ??
      undefined,
    options: (
      values[DECLARE_FIELDS.options.block]?.[DECLARE_FIELDS.options.action]?.selected_options ?? []
    ).map((o) => o.value),
    started:
      (
        values[DECLARE_FIELDS.started.block]?.[DECLARE_FIELDS.started.action] as
          | { selected_date_time?: number }
          | undefined
      )?.selected_date_time ?? undefined,
  };
}

const BLOCK_OF_FIELD = {
  title: DECLARE_FIELDS.title.block,
  severity: DECLARE_FIELDS.severity.block,
  started: DECLARE_FIELDS.started.block,
};

/** Where the form was opened (see declareModal): the answer goes there, or by DM if Quell is not in it. */
const declareMetadata = z.object({ channelId: z.string().optional() });

/** Declare-form submission: invalid fields are shown on the form; a valid form declares after the ack. */
export const declareView = defineView({
  callbackId: VIEWS.declare,
  metadata: declareMetadata,
  channelOf: (m) => m.channelId,
  form(values, _metadata, deps) {
    const checked = checkForm(
      declareFormSchema,
      readForm(values),
      BLOCK_OF_FIELD,
      DECLARE_FIELDS.title.block,
    );
    if (checked.ok && checked.data.started && checked.data.started * 1000 > deps.clock.now().getTime())
      return {
        ok: false,
        errors: {
          [DECLARE_FIELDS.started.block]: 'That is in the future; leave it empty if the start is unknown.',
        },
      };
    return checked;
  },
  async run(ctx) {
    const { form } = ctx;
    const outcome = await ctx.deps.incidents.declare({
      title: form.title,
      severity: form.severity,
      description: form.description,
      drill: form.options.includes(DECLARE_OPTIONS.drill),
      announce: !form.options.includes(DECLARE_OPTIONS.noAnnounce),
      // unticked: the configured defaults decide (security and privacy incidents are private)
      ...(form.options.includes(DECLARE_OPTIONS.private) ? { private: true } : {}),
      ...(form.category ? { category: form.category } : {}),
      ...(form.started ? { startedAt: new Date(form.started * 1000) } : {}),
      agent: {
        ...(form.agentName ? { name: form.agentName } : {}),
        ...(form.agentVersion ? { version: form.agentVersion } : {}),
        ...(form.agentModel ? { model: form.agentModel } : {}),
        ...(form.environment ? { environment: form.environment } : {}),
      },
      declaredBy: ctx.user,
      // a view id is unique per opened form: a re-delivered submission cannot declare twice
      idempotencyKey: ctx.idempotencyKey,
    });
    const { incident } = outcome;
    if (ctx.channel && ctx.channel !== incident.channelId) {
      const where = incident.channelId ? `<#${incident.channelId}>` : 'its channel';
      await ctx.reply.tell(`${incident.drill ? '[DRILL] ' : ''}${incident.id} is open in ${where}.`);
    }
  },
});
