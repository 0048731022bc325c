import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../../services.js';
import { userFacingMessage } from '../../user-facing-error.js';

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

const token = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const retryValue = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{0,9}-\d+\|r\d+$/)
  .transform((value) => {
    const [incidentId, runId] = value.split('|') as [string, string];
    return { incidentId, runId };
  });

/** The confirmation's Run button: acks, replaces the ephemeral prompt, runs; results go to the channel. */
export function containmentConfirmHandler(services: Services) {
  return async function handleContainmentConfirm({ ack, action, body, respond }: ButtonArgs): Promise<void> {
    await ack();
    const parsed = token.safeParse(action.value);
    if (!parsed.success) return;
    try {
      await respond({
        replace_original: true,
        text: ':hourglass_flowing_sand: Confirmed. Running now; results are posted in the channel.',
      });
      const report = await services.containment.confirm(parsed.data, body.user.id);
      const failed = report.groups.flat().filter((s) => s.state === 'failed').length;
      await respond({
        replace_original: true,
        text: failed
          ? `:warning: ${report.title}: ${failed} step(s) failed; see the channel for details and Retry.`
          : `:white_check_mark: ${report.title}: done; see the channel.`,
      });
    } catch (error) {
      await respond({ replace_original: true, text: userFacingMessage(error, services.logger) });
    }
  };
}

export function containmentCancelHandler(services: Services) {
  return async function handleContainmentCancel({ ack, action, body, respond }: ButtonArgs): Promise<void> {
    await ack();
    const parsed = token.safeParse(action.value);
    if (!parsed.success) return;
    try {
      await services.containment.cancel(parsed.data, body.user.id);
      await respond({ replace_original: true, text: 'Cancelled: nothing was run.' });
    } catch (error) {
      await respond({ replace_original: true, text: userFacingMessage(error, services.logger) });
    }
  };
}

/** Retry on a failed step: asks the presser to confirm the same action again (only they see it). */
export function containmentRetryHandler(services: Services) {
  return async function handleContainmentRetry({ ack, action, body, respond }: ButtonArgs): Promise<void> {
    await ack();
    const parsed = retryValue.safeParse(action.value);
    if (!parsed.success) return;
    try {
      const message = await services.containment.requestRetry(
        parsed.data.incidentId,
        parsed.data.runId,
        body.user.id,
      );
      await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: userFacingMessage(error, services.logger),
      });
    }
  };
}
