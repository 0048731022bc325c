import type { ChatPort, UserProfile } from '../chat/port.js';
import type { Clock } from '../clock.js';

/**
 * `users.info` profiles and user group members, remembered briefly (per process, TTL from the
 * config) so a burst of clicks costs one lookup each. Failures are never remembered: the next
 * request asks again, and this one fails closed in the caller.
 */
export class CachedLookups {
  private readonly profiles = new Map<string, { at: number; value: Promise<UserProfile> }>();
  private readonly groups = new Map<string, { at: number; value: Promise<string[]> }>();

  constructor(
    private readonly deps: {
      chat: Pick<ChatPort, 'userInfo' | 'usergroupMembers'>;
      clock: Clock;
      ttlMs: number;
    },
  ) {}

  profile(user: string): Promise<UserProfile> {
    return this.cached(this.profiles, user, () => this.deps.chat.userInfo(user));
  }

  usergroupMembers(group: string): Promise<string[]> {
    return this.cached(this.groups, group, () => this.deps.chat.usergroupMembers(group));
  }

  private cached<T>(
    cache: Map<string, { at: number; value: Promise<T> }>,
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    const now = this.deps.clock.now().getTime();
    const hit = cache.get(key);
    if (hit && now - hit.at < this.deps.ttlMs) return hit.value;
    const value = load();
    cache.set(key, { at: now, value });
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    if (cache.size > 5000) cache.delete(cache.keys().next().value as string);
    return value;
  }
}
