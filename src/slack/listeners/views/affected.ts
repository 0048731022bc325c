import { z } from 'zod';
import { incidentIdSchema } from '../../../incidents/model.js';
import {
  AFFECTED_STATES,
  type AffectedInput,
  affectedProblems,
  describeObject,
} from '../../../resolution/index.js';
import { REVERSIBLE_OPTIONS } from '../../blocks/affected.js';
import { defineView, type StateValues } from '../../boundary/define.js';
import { AFFECTED_FIELDS, VIEWS } from '../../ids.js';
import { textOf } from './form-fields.js';

const metadata = z.object({ incidentId: incidentIdSchema, channelId: z.string() });

const selected = (values: StateValues, field: { block: string; action: string }) =>
  values[field.block]?.[field.action]?.selected_option?.value;

/** The form's values, or the problems under the fields they are about. */
export function readAffectedForm(
  values: StateValues,
): { ok: true; data: AffectedInput } | { ok: false; errors: Record<string, string> } {
  const reversible = selected(values, AFFECTED_FIELDS.reversible);
  const state = z.enum(AFFECTED_STATES).safeParse(selected(values, AFFECTED_FIELDS.state));
  const errors: Record<string, string> = {};
  if (reversible !== REVERSIBLE_OPTIONS.yes && reversible !== REVERSIBLE_OPTIONS.no)
    errors[AFFECTED_FIELDS.reversible.block] = 'Say whether it can be reversed.';
  if (!state.success) errors[AFFECTED_FIELDS.state.block] = 'Say where it stands.';
  const optional = (field: { block: string; action: string }) => textOf(values, field).trim() || undefined;
  const input: AffectedInput = {
    system: textOf(values, AFFECTED_FIELDS.system).trim(),
    objectId: textOf(values, AFFECTED_FIELDS.objectId).trim(),
    change: textOf(values, AFFECTED_FIELDS.change).trim(),
    reversible: reversible === REVERSIBLE_OPTIONS.yes,
    state: state.success ? state.data : 'pending',
  };
  for (const [key, field] of [
    ['before', AFFECTED_FIELDS.before],
    ['after', AFFECTED_FIELDS.after],
    ['note', AFFECTED_FIELDS.note],
    ['disclosure', AFFECTED_FIELDS.disclosure],
  ] as const) {
    const value = optional(field);
    if (value) input[key] = value;
  }
  if (Object.keys(errors).length === 0)
    for (const [key, problem] of Object.entries(affectedProblems(input)))
      errors[AFFECTED_FIELDS[key as keyof typeof AFFECTED_FIELDS].block] = problem;
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, data: input };
}

/** One rollback-inventory entry submitted: checked on the form, recorded after the ack. */
export const affectedView = defineView({
  callbackId: VIEWS.affected,
  metadata,
  channelOf: (m) => m.channelId,
  incident: { from: 'payload', id: (m) => m.incidentId },
  form: readAffectedForm,
  async run(ctx) {
    const object = await ctx.deps.resolution.service.recordAffected(ctx.incident.id, ctx.user, ctx.form);
    await ctx.reply.tell(
      `Recorded ${describeObject(object)} in the rollback inventory of ${ctx.incident.id} (${object.reversible ? 'reversible' : 'irreversible'}, ${object.state}).`,
    );
  },
});
