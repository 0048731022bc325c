import { z } from 'zod';
import { changedParts, type MessageContent, tsToIso } from '../../../evidence/index.js';
import { defineEvent } from '../../boundary/define.js';

const shownMessage = z.looseObject({
  ts: z.string(),
  text: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  thread_ts: z.string().optional(),
  subtype: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  attachments: z.array(z.unknown()).optional(),
  files: z.array(z.unknown()).optional(),
  edited: z.looseObject({ ts: z.string().optional(), user: z.string().optional() }).optional(),
});
type ShownMessage = z.infer<typeof shownMessage>;

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

function contentOf(message: ShownMessage): MessageContent {
  return {
    text: message.text ?? '',
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.attachments ? { attachments: message.attachments } : {}),
    ...(message.files ? { files: message.files } : {}),
  };
}

/**
 * `message_changed` / `message_deleted` in a channel Quell is in: while the channel's incident is
 * open, keep what the message showed before, so the archive shows what was said. An edit counts
 * when its text, blocks, attachments or files differ (a bot can rewrite its blocks and leave `text`
 * alone); unfurls and reply-count updates change none of these and are skipped, as are Quell's own
 * messages. A thread parent deleted while its replies stay becomes Slack's tombstone (a
 * `message_changed` to subtype `tombstone`): that is recorded as the deletion, with the real author.
 * Each revision carries Slack's time of the change (`edited.ts`, else `event_ts`) at full
 * resolution, so out-of-order deliveries are put back in order. Retried deliveries are stored once.
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
    const tombstoned = after?.subtype === 'tombstone';
    const deleted = e.subtype === 'message_deleted' || tombstoned;
    const changed = after && !tombstoned ? changedParts(contentOf(before), contentOf(after)) : [];
    if (!deleted && changed.length === 0) return;
    const changeTs = (!deleted && after?.edited?.ts) || e.event_ts;
    await deps.evidence.recordRevision({
      channel: e.channel,
      eventKey: `${e.channel}-${before.ts}-${e.event_ts}`,
      revision: {
        kind: deleted ? 'deleted' : 'edited',
        ts: before.ts,
        ...(before.thread_ts ? { threadTs: before.thread_ts } : {}),
        ...(before.user ? { user: before.user } : {}),
        ...(before.bot_id ? { botId: before.bot_id } : {}),
        before: contentOf(before),
        ...(after && !tombstoned ? { after: contentOf(after) } : {}),
        changed: deleted ? ['text'] : changed,
        changeTs,
        changedAt: tsToIso(changeTs),
        event: e as Record<string, unknown>,
      },
    });
  },
});
