import type { Redis } from 'ioredis';
import { z } from 'zod';
import { evidenceKeys } from './keys.js';

/**
 * A message changed or deleted in an incident channel while the incident was open. Slack's history
 * only shows the current text (and nothing of a deleted message), so the text before each change is
 * kept here and merged into the archive.
 */
export const messageRevisionSchema = z.object({
  kind: z.enum(['edited', 'deleted']),
  channel: z.string(),
  /** The ts of the message that changed (its identity), not of the change. */
  ts: z.string(),
  threadTs: z.string().optional(),
  /** The message's author. */
  user: z.string().optional(),
  /** The text before this change. */
  previousText: z.string(),
  /** The text after an edit. */
  newText: z.string().optional(),
  /** When the change happened (UTC ISO, from the event's ts). */
  changedAt: z.iso.datetime({ offset: true }),
  /** The event exactly as Slack delivered it. */
  event: z.record(z.string(), z.unknown()),
});

export type MessageRevision = z.infer<typeof messageRevisionSchema>;

/** SADD and RPUSH in one step: the record is stored once however often Slack retries the event. */
const RECORD_ONCE = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  return 1
end
return 0
`;

export class RevisionLog {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = evidenceKeys(prefix);
  }

  /** Returns false when this event was already recorded (a retried delivery). */
  async record(incidentId: string, eventKey: string, revision: MessageRevision): Promise<boolean> {
    const stored = await this.redis.eval(
      RECORD_ONCE,
      2,
      this.keys.revisionsSeen(incidentId),
      this.keys.revisions(incidentId),
      eventKey,
      JSON.stringify(messageRevisionSchema.parse(revision)),
    );
    return stored === 1;
  }

  async list(incidentId: string): Promise<MessageRevision[]> {
    const items = await this.redis.lrange(this.keys.revisions(incidentId), 0, -1);
    return items.map((json) => messageRevisionSchema.parse(JSON.parse(json)));
  }
}
