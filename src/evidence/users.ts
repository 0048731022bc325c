import { join } from 'node:path';
import { type ChatPort, chatErrorCode } from '../chat/port.js';
import type { Incident } from '../incidents/model.js';
import { linesForward } from './raw-reader.js';
import type { MessageRevision } from './revisions.js';
import { collectUserIds, RAW_HISTORY_FILE, RAW_REPLIES_FILE } from './transcript-export.js';

/** What the bundle's users.json says of each person or bot the transcript mentions. */
export interface UserRecord {
  id: string;
  name: string;
  email: string | null;
  isBot: boolean;
  deleted: boolean;
  /** Set when the lookup failed (the id stays in the bundle). */
  error?: string;
}

/**
 * User id → profile, one users.info call per id however often it appears. Shared across archives
 * (profiles rarely change within an incident); unknown or unreadable ids keep their id as name.
 */
export class UserDirectory {
  private readonly records = new Map<string, Promise<UserRecord>>();
  /** users.info calls actually made; the bench reports it. */
  lookups = 0;

  constructor(
    private readonly chat: Pick<ChatPort, 'userInfo'>,
    private readonly maxEntries = 10_000,
  ) {}

  record(userId: string): Promise<UserRecord> {
    const cached = this.records.get(userId);
    if (cached) return cached;
    if (this.records.size >= this.maxEntries) this.records.delete(this.records.keys().next().value!);
    this.lookups++;
    const lookup = this.chat.userInfo(userId).then(
      (profile): UserRecord => ({
        id: userId,
        name: profile.name,
        email: (profile as { email?: string }).email ?? null,
        isBot: profile.isBot,
        deleted: profile.deleted,
      }),
      (error: unknown): UserRecord => {
        // user_not_found etc.: the id stays, the archive goes on; a transient failure may retry next time
        const code = chatErrorCode(error);
        if (code !== 'user_not_found') this.records.delete(userId);
        return { id: userId, name: userId, email: null, isBot: false, deleted: false, error: code };
      },
    );
    this.records.set(userId, lookup);
    return lookup;
  }

  async name(userId: string): Promise<string> {
    return (await this.record(userId)).name;
  }

  /** Every id given, sorted, as records. */
  async resolveAll(userIds: Iterable<string>): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const id of [...new Set(userIds)].sort()) out.push(await this.record(id));
    return out;
  }
}

/** Every user id the raw transcript, the revisions and the incident's roles mention, read back from disk. */
export async function transcriptUserIds(
  staging: string,
  actor: string,
  revisions: readonly MessageRevision[],
  incident: Incident,
): Promise<Set<string>> {
  const ids = new Set<string>([actor]);
  for (const file of [RAW_HISTORY_FILE, RAW_REPLIES_FILE])
    for await (const { line } of linesForward(join(staging, file))) collectUserIds(JSON.parse(line), ids);
  for (const r of revisions) if (r.user) ids.add(r.user);
  for (const holder of Object.values(incident.roles)) if (holder) ids.add(holder);
  return ids;
}
