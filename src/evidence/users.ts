import { type ChatPort, chatErrorCode } from '../chat/port.js';

/**
 * User id → display name, one users.info call per id however often it appears. Shared across
 * archives (names rarely change within an incident); unknown or unreadable ids keep their id.
 */
export class UserDirectory {
  private readonly names = new Map<string, Promise<string>>();
  /** users.info calls actually made; the bench reports it. */
  lookups = 0;

  constructor(
    private readonly chat: Pick<ChatPort, 'userInfo'>,
    private readonly maxEntries = 10_000,
  ) {}

  name(userId: string): Promise<string> {
    const cached = this.names.get(userId);
    if (cached) return cached;
    if (this.names.size >= this.maxEntries) this.names.delete(this.names.keys().next().value!);
    this.lookups++;
    const lookup = this.chat.userInfo(userId).then(
      (profile) => profile.name,
      (error: unknown) => {
        // user_not_found etc.: the id stays, the archive goes on; a transient failure may retry next time
        if (chatErrorCode(error) !== 'user_not_found') this.names.delete(userId);
        return userId;
      },
    );
    this.names.set(userId, lookup);
    return lookup;
  }

  /** The names of every id given, as a plain object (for the bundle's users.json). */
  async resolveAll(userIds: Iterable<string>): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const id of [...new Set(userIds)].sort()) out[id] = await this.name(id);
    return out;
  }
}
