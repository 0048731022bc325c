import { z } from 'zod';
import { tsToDate } from '../../../evidence/index.js';
import { defineEvent } from '../../boundary/define.js';

const shownMessage = z.looseObject({
  ts: z.string(),
  text: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  thread_ts: z.string().optional(),
});

const revisionEvent = z.discriminatedUnion('subtype', [
  z.looseObject({
    type: z.literal('message'),
    subtype: z.literal('message_changed'),
    channel: z.string(),
    event_ts: z.string(),
    message: shownMessage,
    previous_message: shownMessage,
  }),
  z.looseObject({
    type: z.literal('message'),
    subtype: z.literal('message_deleted'),
    channel: z.string(),
    event_ts: z.string(),
    deleted_ts: z.string(),
    previous_message: shownMessage,
  }),
]);

/**
 * `message_changed` / `message_deleted` in a channel Quell is in: while the channel's incident is
 * open, keep the text the message had before, so the archive shows what was said. Quell's own
 * messages (the pinned summary is edited all the time) and changes that leave the text as it was
 * (unfurls, reply counts) are not revisions worth keeping. Retried deliveries are stored once. A failure
 * is logged by the boundary (the event is acked already, nobody waits for an answer).
 */
export const messageRevisionEvent = defineEvent({
  event: 'message',
  async run({ event, bot, deps }) {
    const subtype = (event as { subtype?: string }).subtype;
    if (subtype !== 'message_changed' && subtype !== 'message_deleted') return;
    const parsed = revisionEvent.safeParse(event);
    if (!parsed.success) {
      deps.logger.warn(
        { subtype, issue: parsed.error.issues[0]?.message },
        'unexpected message revision event',
      );
      return;
    }
    const e = parsed.data;
    const before = e.previous_message;
    const ownMessage =
      (bot.botId !== undefined && before.bot_id === bot.botId) ||
      (bot.botUserId !== undefined && before.user === bot.botUserId);
    if (ownMessage) return;
    const after = e.subtype === 'message_changed' ? e.message : undefined;
    if (after && (after.text ?? '') === (before.text ?? '')) return;
    await deps.evidence.recordRevision({
      channel: e.channel,
      eventKey: `${e.channel}-${before.ts}-${e.event_ts}`,
      revision: {
        kind: e.subtype === 'message_changed' ? 'edited' : 'deleted',
        ts: before.ts,
        ...(before.thread_ts ? { threadTs: before.thread_ts } : {}),
        ...(before.user ? { user: before.user } : {}),
        previousText: before.text ?? '',
        ...(after ? { newText: after.text ?? '' } : {}),
        changedAt: tsToDate(e.event_ts).toISOString(),
        event: e as Record<string, unknown>,
      },
    });
  },
});
