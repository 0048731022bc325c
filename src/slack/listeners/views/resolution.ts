import { z } from 'zod';
import { incidentIdSchema, SEVERITIES, type Severity } from '../../../incidents/model.js';
import {
  GATE_ITEM_IDS,
  MIN_OVERRIDE_REASON,
  suggestSeverity,
  TRIAGE_ANSWERS,
  TRIAGE_QUESTIONS,
  type TriageAnswers,
} from '../../../resolution/index.js';
import { triageDecisionModal } from '../../blocks/resolution.js';
import { defineView } from '../../boundary/define.js';
import { GATE_OVERRIDE_FIELDS, TRIAGE_FIELDS, VIEWS } from '../../ids.js';
import { textOf } from './form-fields.js';

const overrideMetadata = z.object({
  incidentId: incidentIdSchema,
  channelId: z.string(),
  /** Set when one item checked from the record is accepted, rather than the whole gate forced. */
  item: z.enum(GATE_ITEM_IDS).optional(),
});

/** The override form: a reason of some substance, then the item accepted or the resolution forced. */
export const gateOverrideView = defineView({
  callbackId: VIEWS.gateOverride,
  metadata: overrideMetadata,
  channelOf: (m) => m.channelId,
  incident: { from: 'payload', id: (m) => m.incidentId },
  form(values) {
    const reason = textOf(values, GATE_OVERRIDE_FIELDS.reason).trim();
    return reason.length >= MIN_OVERRIDE_REASON
      ? { ok: true, data: { reason } }
      : {
          ok: false,
          errors: {
            [GATE_OVERRIDE_FIELDS.reason.block]:
              `Write why it is safe to resolve (at least ${MIN_OVERRIDE_REASON} characters).`,
          },
        };
  },
  async run(ctx) {
    const { item } = ctx.metadata;
    if (item)
      await ctx.deps.resolution.service.overrideItem(ctx.incident.id, ctx.user, item, ctx.form.reason);
    else await ctx.deps.resolution.service.forceResolve(ctx.incident.id, ctx.user, ctx.form.reason);
  },
});

const triageMetadata = z.object({ drill: z.boolean(), channelId: z.string() });
const answersSchema = z.object(
  Object.fromEntries(TRIAGE_QUESTIONS.map((q) => [q, z.enum(TRIAGE_ANSWERS)])) as Record<
    (typeof TRIAGE_QUESTIONS)[number],
    z.ZodEnum<{ yes: 'yes'; no: 'no'; unsure: 'unsure' }>
  >,
);

/** Step one submitted: answers → the suggestion, shown in place (response_action update). */
export const triageQuestionsView = defineView({
  callbackId: VIEWS.triageQuestions,
  metadata: triageMetadata,
  channelOf: (m) => m.channelId,
  form(values) {
    const title = textOf(values, TRIAGE_FIELDS.title).trim();
    const raw = Object.fromEntries(
      TRIAGE_QUESTIONS.map((q) => [
        q,
        values[TRIAGE_FIELDS.questionBlock(q)]?.[TRIAGE_FIELDS.answer]?.selected_option?.value,
      ]),
    );
    const answers = answersSchema.safeParse(raw);
    if (title && answers.success)
      return { ok: true, data: { title, answers: answers.data as TriageAnswers } };
    const errors: Record<string, string> = {};
    if (!title) errors[TRIAGE_FIELDS.title.block] = 'Say in a few words what the agent is doing.';
    for (const q of TRIAGE_QUESTIONS)
      if (!raw[q]) errors[TRIAGE_FIELDS.questionBlock(q)] = 'Choose an answer.';
    return { ok: false, errors };
  },
  answer: ({ title, answers }, metadata, deps) => ({
    response_action: 'update',
    view: triageDecisionModal(deps.config, {
      ...metadata,
      title,
      answers,
      suggestion: suggestSeverity(answers),
    }),
  }),
});

const decisionMetadata = triageMetadata.extend({
  title: z.string().min(1),
  answers: answersSchema,
  suggestion: z.object({ severity: z.enum(SEVERITIES), reason: z.string() }),
});

/** Step two submitted: declares with the chosen severity and records the triage on the timeline. */
export const triageDecisionView = defineView({
  callbackId: VIEWS.triageDecision,
  metadata: decisionMetadata,
  channelOf: (m) => m.channelId,
  form(values) {
    const chosen = z
      .enum(SEVERITIES)
      .safeParse(
        values[TRIAGE_FIELDS.severity.block]?.[TRIAGE_FIELDS.severity.action]?.selected_option?.value,
      );
    return chosen.success
      ? { ok: true, data: { severity: chosen.data } }
      : { ok: false, errors: { [TRIAGE_FIELDS.severity.block]: 'Choose a severity.' } };
  },
  async run(ctx) {
    const { metadata: form, deps, user } = ctx;
    const chosen = ctx.form.severity;
    const { incident, created } = await deps.incidents.declare({
      title: form.title,
      severity: chosen,
      drill: form.drill,
      declaredBy: user,
      idempotencyKey: ctx.idempotencyKey,
    });
    if (created) {
      const overridden = chosen !== form.suggestion.severity;
      const label = (s: Severity) => deps.config.severities[s].label;
      await deps.incidents.record(
        incident.id,
        user,
        'triage',
        overridden
          ? `triaged: suggested ${label(form.suggestion.severity)} (${form.suggestion.reason}); declared as ${label(chosen)} instead`
          : `triaged: accepted the suggested ${label(chosen)} (${form.suggestion.reason})`,
        {
          answers: form.answers,
          suggested: form.suggestion.severity,
          reason: form.suggestion.reason,
          chosen,
          overridden,
        },
      );
    }
    if (form.channelId && form.channelId !== incident.channelId)
      await ctx.reply.tell(
        `${incident.drill ? '[DRILL] ' : ''}${incident.id} is open in ${incident.channelId ? `<#${incident.channelId}>` : 'its channel'}.`,
      );
  },
});
