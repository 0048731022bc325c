import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from '../../../comms/service.js';
import type { Services } from '../../../services.js';
import { COMMS_FIELDS } from '../../ids.js';
import { userFacingMessage } from '../../user-facing-error.js';

type SubmitArgs = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

const metadataSchema = z.object({
  i: z.string().min(1),
  d: z.string().min(1),
  v: z.number().int().positive(),
  c: z.string(),
});

function readMetadata(privateMetadata: string) {
  try {
    return metadataSchema.safeParse(JSON.parse(privateMetadata || '{}')).data;
  } catch {
    return undefined;
  }
}

/** Tells the person privately in the draft's channel (or by DM when that is unknown). */
async function tell(client: WebClient, channel: string, user: string, text: string): Promise<void> {
  if (channel) await client.chat.postEphemeral({ channel, user, text }).catch(() => undefined);
  else await client.chat.postMessage({ channel: user, text }).catch(() => undefined);
}

const editSchema = z.object({
  text: z
    .string()
    .trim()
    .min(1, 'The message cannot be empty.')
    .max(MAX_MESSAGE_LENGTH, `Keep it under ${MAX_MESSAGE_LENGTH} characters.`),
});

/** Edit form submitted: the text becomes a new version of the draft, linted, and the draft message refreshes. */
export function commsEditViewHandler(services: Services) {
  return async function handleCommsEditSubmission({ ack, body, view, client }: SubmitArgs): Promise<void> {
    const meta = readMetadata(view.private_metadata);
    const parsed = editSchema.safeParse({
      text: view.state.values[COMMS_FIELDS.text.block]?.[COMMS_FIELDS.text.action]?.value ?? '',
    });
    if (!parsed.success || !meta) {
      await ack({
        response_action: 'errors',
        errors: {
          [COMMS_FIELDS.text.block]:
            parsed.error?.issues[0]?.message ?? 'This form is out of date; reopen Edit.',
        },
      });
      return;
    }
    await ack();
    const user = body.user.id;
    try {
      const { version, editedMeanwhile } = await services.comms.edit({
        incidentId: meta.i,
        draftId: meta.d,
        baseVersion: meta.v,
        actor: user,
        text: parsed.data.text,
      });
      if (editedMeanwhile)
        await tell(
          client,
          meta.c,
          user,
          `Saved as v${version.number}: someone else saved a version while you were editing, and both are kept. Check that the latest text is the one you want.`,
        );
    } catch (error) {
      await tell(client, meta.c, user, userFacingMessage(error, services.logger));
    }
  };
}

/** Override form submitted: approve despite warnings, recording the reason. */
export function commsOverrideViewHandler(services: Services) {
  return async function handleCommsOverrideSubmission({
    ack,
    body,
    view,
    client,
  }: SubmitArgs): Promise<void> {
    const meta = readMetadata(view.private_metadata);
    const reason = (
      view.state.values[COMMS_FIELDS.overrideReason.block]?.[COMMS_FIELDS.overrideReason.action]?.value ?? ''
    ).trim();
    if (!meta || reason.length < 10) {
      await ack({
        response_action: 'errors',
        errors: {
          [COMMS_FIELDS.overrideReason.block]: meta
            ? 'Say in a sentence why publishing with these warnings is right.'
            : 'This form is out of date; click Approve again.',
        },
      });
      return;
    }
    await ack();
    const user = body.user.id;
    try {
      const outcome = await services.comms.approve({
        incidentId: meta.i,
        draftId: meta.d,
        version: meta.v,
        actor: user,
        override: { reason: reason.slice(0, 500) },
      });
      if (outcome.publication?.kind === 'publish_failed')
        await tell(
          client,
          meta.c,
          user,
          `:warning: Approved, but publishing failed (${outcome.publication.error}).`,
        );
    } catch (error) {
      await tell(client, meta.c, user, userFacingMessage(error, services.logger));
    }
  };
}
