import type { Redis } from 'ioredis';

/** One prompt the index follows: an incident's due time whose prompt is not known to be posted. */
export interface DueEntry {
  incidentId: string;
  dueMs: number;
}

export interface DueIndexTiming {
  /** A newly scheduled prompt is checked this long after scheduling unless its job was confirmed queued. */
  verifyAfterMs: number;
  /** A queued prompt is checked again this long after its due time if it has not been posted. */
  graceMs: number;
  /** An entry checked and still not posted is checked again this much later. */
  recheckMs: number;
}

/**
 * The reminders' due-time index: a sorted set under the global hash tag, one member
 * `<incident>|<due ms>` per prompt that is scheduled and not yet posted, scored by when
 * reconciliation should next make sure its job exists. Writers: the scheduler (on every change
 * of an incident's due time: the new member in, the old one out), the prompt job (out once posted
 * or dropped). Reconciliation reads only members whose check time has come (a prompt whose
 * scheduling may have failed, or one overdue and still not posted), in bounded batches, instead of
 * every active incident.
 */
export class DueIndex {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly timing: DueIndexTiming,
  ) {}

  /**
   * Before enqueueing a prompt: the new due time is indexed (checked soon, in case the enqueue
   * fails or this process dies) and the previous one, if any, leaves. One key: one MULTI.
   */
  async scheduling(incidentId: string, dueMs: number | null, previousMs: number | null, nowMs: number) {
    const multi = this.redis.multi();
    if (previousMs !== null && previousMs !== dueMs) multi.zrem(this.key, member(incidentId, previousMs));
    if (dueMs !== null) multi.zadd(this.key, nowMs + this.timing.verifyAfterMs, member(incidentId, dueMs));
    await multi.exec();
  }

  /** The prompt's job is queued: nothing to check before its due time has passed by the grace. */
  async queued(incidentId: string, dueMs: number): Promise<void> {
    await this.redis.zadd(this.key, 'XX', dueMs + this.timing.graceMs, member(incidentId, dueMs));
  }

  /** The prompt is posted (or no longer wanted): reconciliation forgets it. */
  async done(incidentId: string, dueMs: number): Promise<void> {
    await this.redis.zrem(this.key, member(incidentId, dueMs));
  }

  /** Entries whose check time has come, earliest first, at most `limit`. */
  async dueForCheck(nowMs: number, limit: number): Promise<DueEntry[]> {
    const members = await this.redis.zrangebyscore(this.key, '-inf', nowMs, 'LIMIT', 0, limit);
    return members.map(parseMember).filter((e): e is DueEntry => e !== undefined);
  }

  /** Checked now: look again `recheckMs` later (or at the grace after the due time, if later). */
  async checked(entries: readonly DueEntry[], nowMs: number): Promise<void> {
    if (entries.length === 0) return;
    const args = entries.flatMap((e) => [
      Math.max(nowMs + this.timing.recheckMs, e.dueMs + this.timing.graceMs),
      member(e.incidentId, e.dueMs),
    ]);
    await this.redis.zadd(this.key, 'XX', ...args);
  }

  /** Adds entries not indexed yet (start-up sweep); an indexed entry keeps its check time. */
  async ensure(entries: readonly DueEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const args = entries.flatMap((e) => [e.dueMs + this.timing.graceMs, member(e.incidentId, e.dueMs)]);
    await this.redis.zadd(this.key, 'NX', ...args);
  }

  /** How many prompts are indexed (inspection, tests). */
  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}

const member = (incidentId: string, dueMs: number) => `${incidentId}|${dueMs}`;

function parseMember(value: string): DueEntry | undefined {
  const bar = value.lastIndexOf('|');
  const dueMs = Number(value.slice(bar + 1));
  if (bar <= 0 || !Number.isSafeInteger(dueMs)) return undefined;
  return { incidentId: value.slice(0, bar), dueMs };
}
