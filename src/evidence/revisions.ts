import type { Redis } from 'ioredis';
import { z } from 'zod';
import { evidenceKeys } from './keys.js';
import { compareTs } from './transcript-export.js';

/** What of a message a change touched: an agent's bot can rewrite its blocks and leave `text` alone. */
export const REVISION_PARTS = ['text', 'blocks', 'attachments', 'files'] as const;
export type RevisionPart = (typeof REVISION_PARTS)[number];

const content = z.object({
  text: z.string(),
  blocks: z.array(z.unknown()).optional(),
  attachments: z.array(z.unknown()).optional(),
  /** File ids, names and sizes (not their contents). */
  files: z.array(z.unknown()).optional(),
});
export type MessageContent = z.infer<typeof content>;

/**
 * A message changed or deleted in an incident channel while the incident was open. Slack's history
 * only shows the current version (and nothing of a deleted message), so each version before a change
 * is kept here and merged into the archive.
 */
export const messageRevisionSchema = z.object({
  kind: z.enum(['edited', 'deleted']),
  channel: z.string(),
  /** The ts of the message that changed (its identity), not of the change. */
  ts: z.string(),
  threadTs: z.string().optional(),
  /** The message's real author (for a deleted thread parent: who wrote it, not Slackbot). */
  user: z.string().optional(),
  botId: z.string().optional(),
  /** What the message showed before this change. */
  before: content,
  /** What it shows after an edit. */
  after: content.optional(),
  /** Which parts differ. */
  changed: z.array(z.enum(REVISION_PARTS)),
  /** Slack's time of the change: `edited.ts` of the new version, else the event's `event_ts`. */
  changeTs: z.string(),
  /** The same instant as UTC ISO with all six fraction digits. */
  changedAt: z.string(),
  /** The event exactly as Slack delivered it. */
  event: z.record(z.string(), z.unknown()),
});

export type MessageRevision = z.infer<typeof messageRevisionSchema>;

/** Which parts of a message differ between two versions (deep comparison of Slack's JSON). */
export function changedParts(before: MessageContent, after: MessageContent): RevisionPart[] {
  return REVISION_PARTS.filter(
    (part) =>
      stable(before[part] ?? (part === 'text' ? '' : [])) !==
      stable(after[part] ?? (part === 'text' ? '' : [])),
  );
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Revisions in the order they happened (Slack's change ts, microseconds), not the order they arrived. */
export function inEventOrder(revisions: readonly MessageRevision[]): MessageRevision[] {
  return [...revisions].sort((a, b) => compareTs(a.changeTs, b.changeTs) || compareTs(a.ts, b.ts));
}

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

  /** Every revision, in event order. */
  async list(incidentId: string): Promise<MessageRevision[]> {
    const items = await this.redis.lrange(this.keys.revisions(incidentId), 0, -1);
    return inEventOrder(items.map((json) => messageRevisionSchema.parse(JSON.parse(json))));
  }

  /**
   * The revision text (which may hold secrets) leaves Redis: the retention sweep
   * (incidents/retention.ts) calls this `evidence.revisionRetention` after a verified bundle made
   * once the incident was closed holds it. Both keys share the incident's tag: one DEL.
   */
  async purge(incidentId: string): Promise<void> {
    await this.redis.del(this.keys.revisions(incidentId), this.keys.revisionsSeen(incidentId));
  }

  /** Whether any revision of the incident is still in Redis. */
  async held(incidentId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.revisions(incidentId))) === 1;
  }
}
