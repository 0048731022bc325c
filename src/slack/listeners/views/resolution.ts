import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { SEVERITIES } from '../../../incidents/model.js';
import { MIN_OVERRIDE_REASON } from '../../../resolution/service.js';
import {
  suggestSeverity,
  TRIAGE_ANSWERS,
  TRIAGE_QUESTIONS,
  type TriageAnswers,
} from '../../../resolution/triage.js';
import type { Services } from '../../../services.js';
import { type TriageDecisionMetadata, triageDecisionModal } from '../../blocks/resolution.js';
import { GATE_OVERRIDE_FIELDS, TRIAGE_FIELDS } from '../../ids.js';
import { userFacingMessage } from '../../user-facing-error.js';

type ViewArgs = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return {};
  }
}

const overrideMetadata = z.object({ incidentId: z.string().min(1), channelId: z.string() });

/** The override form: a reason of some substance, then the forced resolution after the ack. */
export function gateOverrideViewHandler(services: Services) {
  return async function handleGateOverrideSubmission({ ack, body, view, client }: ViewArgs): Promise<void> {
    const reason = (
      view.state.values[GATE_OVERRIDE_FIELDS.reason.block]?.[GATE_OVERRIDE_FIELDS.reason.action]?.value ?? ''
    ).trim();
    const metadata = overrideMetadata.safeParse(safeJson(view.private_metadata));
    if (reason.length < MIN_OVERRIDE_REASON || !metadata.success) {
      await ack({
        response_action: 'errors',
        errors: {
          [GATE_OVERRIDE_FIELDS.reason.block]: metadata.success
            ? `Write why it is safe to resolve (at least ${MIN_OVERRIDE_REASON} characters).`
            : 'This form is out of date; open it again.',
        },
      });
      return;
    }
    await ack();
    services.afterAck.run(async () => {
      try {
        await services.resolution.service.forceResolve(metadata.data.incidentId, body.user.id, reason);
      } catch (error) {
        const text = userFacingMessage(error, services.logger);
        await client.chat
          .postEphemeral({ channel: metadata.data.channelId, user: body.user.id, text })
          .catch(() => undefined);
      }
    });
  };
}

const triageMetadata = z.object({ drill: z.boolean(), channelId: z.string() });
const answersSchema = z.object(
  Object.fromEntries(TRIAGE_QUESTIONS.map((q) => [q, z.enum(TRIAGE_ANSWERS)])) as Record<
    (typeof TRIAGE_QUESTIONS)[number],
    z.ZodEnum<{ yes: 'yes'; no: 'no'; unsure: 'unsure' }>
  >,
);

/** Step one submitted: answers → the suggestion, shown in place (response_action update). */
export function triageQuestionsViewHandler(services: Services) {
  return async function handleTriageQuestions({ ack, view }: ViewArgs): Promise<void> {
    const values = view.state.values;
    const title = (values[TRIAGE_FIELDS.title.block]?.[TRIAGE_FIELDS.title.action]?.value ?? '').trim();
    const raw = Object.fromEntries(
      TRIAGE_QUESTIONS.map((q) => [
        q,
        values[TRIAGE_FIELDS.questionBlock(q)]?.[TRIAGE_FIELDS.answer]?.selected_option?.value,
      ]),
    );
    const answers = answersSchema.safeParse(raw);
    const metadata = triageMetadata.safeParse(safeJson(view.private_metadata));
    if (!title || !answers.success || !metadata.success) {
      const errors: Record<string, string> = {};
      if (!title) errors[TRIAGE_FIELDS.title.block] = 'Say in a few words what the agent is doing.';
      for (const q of TRIAGE_QUESTIONS)
        if (!raw[q]) errors[TRIAGE_FIELDS.questionBlock(q)] = 'Choose an answer.';
      if (!metadata.success) errors[TRIAGE_FIELDS.title.block] = 'This form is out of date; open it again.';
      await ack({ response_action: 'errors', errors });
      return;
    }
    const suggestion = suggestSeverity(answers.data as TriageAnswers);
    await ack({
      response_action: 'update',
      view: triageDecisionModal(services.config, {
        ...metadata.data,
        title,
        answers: answers.data,
        suggestion,
      }),
    });
  };
}

const decisionMetadata = triageMetadata.extend({
  title: z.string().min(1),
  answers: answersSchema,
  suggestion: z.object({ severity: z.enum(SEVERITIES), reason: z.string() }),
});

/** Step two submitted: declares with the chosen severity and records the triage on the timeline. */
export function triageDecisionViewHandler(services: Services) {
  return async function handleTriageDecision({ ack, body, view, client }: ViewArgs): Promise<void> {
    const chosen = z
      .enum(SEVERITIES)
      .safeParse(
        view.state.values[TRIAGE_FIELDS.severity.block]?.[TRIAGE_FIELDS.severity.action]?.selected_option
          ?.value,
      );
    const metadata = decisionMetadata.safeParse(safeJson(view.private_metadata));
    if (!chosen.success || !metadata.success) {
      await ack({
        response_action: 'errors',
        errors: {
          [TRIAGE_FIELDS.severity.block]: metadata.success
            ? 'Choose a severity.'
            : 'This form is out of date; open it again.',
        },
      });
      return;
    }
    await ack();
    const form: TriageDecisionMetadata = metadata.data;
    const user = body.user.id;
    services.afterAck.run(async () => {
      try {
        const { incident, created } = await services.incidents.declare({
          title: form.title,
          severity: chosen.data,
          drill: form.drill,
          declaredBy: user,
          idempotencyKey: `view-${view.id}`,
        });
        if (created) {
          const overridden = chosen.data !== form.suggestion.severity;
          const label = (s: (typeof SEVERITIES)[number]) => services.config.severities[s].label;
          await services.incidents.record(
            incident.id,
            user,
            'triage',
            overridden
              ? `triaged: suggested ${label(form.suggestion.severity)} (${form.suggestion.reason}); declared as ${label(chosen.data)} instead`
              : `triaged: accepted the suggested ${label(chosen.data)} (${form.suggestion.reason})`,
            {
              answers: form.answers,
              suggested: form.suggestion.severity,
              reason: form.suggestion.reason,
              chosen: chosen.data,
              overridden,
            },
          );
        }
        if (form.channelId && form.channelId !== incident.channelId)
          await client.chat.postEphemeral({
            channel: form.channelId,
            user,
            text: `${incident.drill ? '[DRILL] ' : ''}${incident.id} is open in ${incident.channelId ? `<#${incident.channelId}>` : 'its channel'}.`,
          });
      } catch (error) {
        const text = userFacingMessage(error, services.logger);
        if (form.channelId)
          await client.chat.postEphemeral({ channel: form.channelId, user, text }).catch(() => undefined);
      }
    });
  };
}
