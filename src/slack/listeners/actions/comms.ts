import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { LintOverrideRequiredError } from '../../../comms/service.js';
import type { Services } from '../../../services.js';
import { editModal, overrideModal } from '../../blocks/comms-modals.js';
import { userFacingMessage } from '../../user-facing-error.js';

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** The value every draft button carries (see DraftButtonValue). */
const buttonValueSchema = z.object({
  i: z.string().min(1),
  d: z.string().min(1),
  v: z.number().int().positive(),
});

const STALE_BUTTON =
  ':warning: This button no longer carries a draft Quell understands; use `/comms history`.';

function parseButton(action: ButtonAction) {
  try {
    const parsed = buttonValueSchema.safeParse(JSON.parse(action.value ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function answer(respond: ButtonArgs['respond'], text: string): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text });
}

/** Edit: opens the form with the latest text; saving adds a version. */
export function commsEditHandler(services: Services) {
  return async function handleCommsEdit({ ack, body, action, client, respond }: ButtonArgs): Promise<void> {
    await ack();
    const ref = parseButton(action);
    if (!ref) return answer(respond, STALE_BUTTON);
    try {
      const draft = await services.comms.getDraft(ref.i, ref.d);
      if (draft.status !== 'open')
        return answer(
          respond,
          `:warning: This draft was already ${draft.status}; start a new one with \`/comms draft ${draft.audience}\`.`,
        );
      const latest = draft.versions.at(-1)!.number;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: editModal(draft, {
          i: ref.i,
          d: ref.d,
          v: latest,
          c: draft.message?.channel ?? body.channel?.id ?? '',
        }),
      });
    } catch (error) {
      await answer(respond, userFacingMessage(error, services.logger));
    }
  };
}

/**
 * Approve: approves and publishes the version on the button. With lint warnings it opens the override
 * form instead (after the approver check, so only approvers see it); errors are answered privately.
 */
export function commsApproveHandler(services: Services) {
  return async function handleCommsApprove({
    ack,
    body,
    action,
    client,
    respond,
  }: ButtonArgs): Promise<void> {
    await ack();
    const ref = parseButton(action);
    if (!ref) return answer(respond, STALE_BUTTON);
    try {
      const outcome = await services.comms.approve({
        incidentId: ref.i,
        draftId: ref.d,
        version: ref.v,
        actor: body.user.id,
      });
      if (outcome.publication?.kind === 'publish_failed')
        await answer(
          respond,
          `:warning: Approved, but publishing failed (${outcome.publication.error}); see the draft.`,
        );
    } catch (error) {
      if (error instanceof LintOverrideRequiredError) {
        try {
          const draft = await services.comms.getDraft(ref.i, ref.d);
          await client.views.open({
            trigger_id: body.trigger_id,
            view: overrideModal(draft, error.warnings, {
              i: ref.i,
              d: ref.d,
              v: ref.v,
              c: draft.message?.channel ?? body.channel?.id ?? '',
            }),
          });
        } catch (openError) {
          await answer(respond, userFacingMessage(openError, services.logger));
        }
        return;
      }
      await answer(respond, userFacingMessage(error, services.logger));
    }
  };
}

/** Reject (after Slack's confirm dialog): closes the draft; it stays on record. */
export function commsRejectHandler(services: Services) {
  return async function handleCommsReject({ ack, body, action, respond }: ButtonArgs): Promise<void> {
    await ack();
    const ref = parseButton(action);
    if (!ref) return answer(respond, STALE_BUTTON);
    try {
      await services.comms.reject({ incidentId: ref.i, draftId: ref.d, version: ref.v, actor: body.user.id });
    } catch (error) {
      await answer(respond, userFacingMessage(error, services.logger));
    }
  };
}
