import { z } from 'zod';
import { INCIDENT_ID_PATTERN } from '../../../incidents/model.js';
import { decodeText } from '../../boundary/codec.js';
import { defineAction } from '../../boundary/define.js';
import { ACTIONS } from '../../ids.js';
import { userFacingMessage } from '../../user-facing-error.js';

/** Confirmation buttons carry the pending request's token; the token names its incident itself. */
const token = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const STALE =
  ':warning: This button no longer carries a containment request Quell understands; run `/contain` again.';

/** The Run button: replaces the prompt, runs (after the ack); results go to the channel. */
export const containmentConfirmAction = defineAction({
  actionId: ACTIONS.containmentConfirm,
  parse: (element) => decodeText(token, element.value),
  stale: STALE,
  async run(ctx) {
    await ctx.reply.replace(
      ':hourglass_flowing_sand: Confirmed. Running now; results are posted in the channel.',
    );
    try {
      // the request's key: a resumed job continues the run it recorded instead of finding it used
      const report = await ctx.deps.containment.confirm(ctx.value, ctx.user, ctx.idempotencyKey);
      const failed = report.groups.flat().filter((s) => s.state === 'failed').length;
      await ctx.reply.replace(
        failed
          ? `:warning: ${report.title}: ${failed} step(s) failed; see the channel for details and Retry.`
          : `:white_check_mark: ${report.title}: done; see the channel.`,
      );
    } catch (error) {
      // the prompt says "Running now": replace it with the failure rather than leave it standing
      await ctx.reply.replace(userFacingMessage(error, ctx.deps.logger));
    }
  },
});

export const containmentCancelAction = defineAction({
  actionId: ACTIONS.containmentCancel,
  parse: (element) => decodeText(token, element.value),
  stale: STALE,
  async run(ctx) {
    try {
      await ctx.deps.containment.cancel(ctx.value, ctx.user);
      await ctx.reply.replace('Cancelled: nothing was run.');
    } catch (error) {
      await ctx.reply.replace(userFacingMessage(error, ctx.deps.logger));
    }
  },
});

/**
 * Re-apply on a drift alert: one click, one use (the token is taken once, so two clicks at once run
 * it once). The alert stays in the channel; the result is posted beside it, and only the presser
 * is told when the button was already used.
 */
export const containmentReapplyAction = defineAction({
  actionId: ACTIONS.containmentReapply,
  parse: (element) => decodeText(token, element.value),
  stale: STALE,
  async run(ctx) {
    try {
      const report = await ctx.deps.containment.reapply(ctx.value, ctx.user);
      const step = report.groups[0]?.[0];
      await ctx.reply.tell(
        step?.state === 'ok' && step.verify?.outcome === 'verified'
          ? `:white_check_mark: ${report.title}: re-applied and verified; see the channel.`
          : `:warning: ${report.title}: ${step?.error ?? step?.verify?.observed ?? 'did not hold'}; see the channel.`,
      );
    } catch (error) {
      await ctx.reply.tell(userFacingMessage(error, ctx.deps.logger));
    }
  },
});

/** Retry of a failed step: value `<incident id>|<run id>`. */
const retryValue = z
  .string()
  .regex(new RegExp(`${INCIDENT_ID_PATTERN.source.slice(0, -1)}\\|r\\d+$`))
  .transform((value) => {
    const [incidentId, runId] = value.split('|') as [string, string];
    return { incidentId, runId };
  });

/** Retry on a failed step: asks the presser to confirm the same action again (only they see it). */
export const containmentRetryAction = defineAction({
  actionId: ACTIONS.containmentRetry,
  parse: (element) => decodeText(retryValue, element.value),
  stale: STALE,
  incident: { from: 'payload', id: (value) => value.incidentId },
  async run(ctx) {
    await ctx.reply.tell(
      await ctx.deps.containment.requestRetry(ctx.value.incidentId, ctx.value.runId, ctx.user),
    );
  },
});
