import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ChatPort } from '../chat/port.js';
import { defineJob, jobIdOf, RETRY } from '../jobs/index.js';
import type { Logger } from '../logging/logger.js';
import type { Incident } from './model.js';
import type { IncidentPresenter } from './presenter.js';

/** Releases the lease only if it is still ours (it may have expired and been taken). */
const RELEASE_IF_OURS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Raises the shown version, never lowers it (ARGV[2]: the mark's TTL in ms). */
const RAISE = `
local shown = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > shown then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 0
`;

/** Longer than any one chat.update may take (the clients' timeouts are 10-15 s). */
const LEASE_MS = 30_000;
/** A refresh asked for is remembered this long, for the lease holder or the corrective retry. */
const DIRTY_MS = 24 * 3600 * 1000;
/** What a summary message shows is remembered this long (incidents rarely last longer). */
const SHOWN_MS = 90 * 24 * 3600 * 1000;

export type SummaryOutcome = 'applied' | 'current' | 'queued';

export interface SummaryRendererDeps {
  redis: Redis;
  /** `redis.keyPrefix`; the keys share the incident's `{id}` hash tag. */
  keyPrefix: string;
  load(incidentId: string): Promise<Incident>;
  chat: Pick<ChatPort, 'updateMessage'>;
  views: Pick<IncidentPresenter, 'summary'>;
  logger: Logger;
  /** Called when applying failed: a job that calls `refresh` again later (the summary converges). */
  retryLater?: (incidentId: string) => Promise<unknown>;
}

/**
 * The pinned summary, applied in version order. Slack shows whichever chat.update reaches it last,
 * so two renders racing (one of them slowed by a 429 or a 5xx retry) could leave an older one
 * showing. Here the renders of one incident are serialized by a Redis lease shared by every
 * replica: the holder re-reads the incident just before each send (so what it sends is never older
 * than anything sent before), skips versions Slack already shows, and loops while someone asked for
 * another refresh meanwhile ("dirty"). A refresh that finds the lease taken only marks it dirty and
 * returns. When a send fails, the mark stays and `retryLater` schedules another pass, so a summary
 * left stale by an outage is corrected once Slack answers again.
 */
export class SummaryRenderer {
  constructor(private readonly deps: SummaryRendererDeps) {}

  async refresh(incidentId: string): Promise<SummaryOutcome> {
    const keys = this.keys(incidentId);
    const { redis } = this.deps;
    await redis.set(keys.dirty, '1', 'PX', DIRTY_MS);
    let outcome: SummaryOutcome = 'current';
    for (;;) {
      const token = randomUUID();
      if ((await redis.set(keys.lease, token, 'PX', LEASE_MS, 'NX')) !== 'OK') return 'queued';
      try {
        // DEL answers 1 to exactly one claimant: this pass owns the refresh it clears
        while ((await redis.del(keys.dirty)) === 1) {
          if (await this.applyLatest(incidentId)) outcome = 'applied';
        }
      } catch (error) {
        await redis.set(keys.dirty, '1', 'PX', DIRTY_MS).catch(() => undefined);
        await this.release(keys.lease, token);
        await this.deps
          .retryLater?.(incidentId)
          .catch((err: unknown) =>
            this.deps.logger.warn({ err, incident: incidentId }, 'could not schedule the summary retry'),
          );
        throw error;
      }
      await this.release(keys.lease, token);
      // a refresh asked for between our last check and the release found the lease taken: take it on
      if (!(await redis.exists(keys.dirty))) return outcome;
    }
  }

  /** The incident version the summary message `summaryTs` was last seen to show (-1: none). */
  async shownVersion(incidentId: string, summaryTs: string): Promise<number> {
    return Number((await this.deps.redis.get(this.shownKey(incidentId, summaryTs))) ?? -1);
  }

  private async applyLatest(incidentId: string): Promise<boolean> {
    const incident = await this.deps.load(incidentId);
    const { channelId, summaryTs } = incident;
    if (!channelId || !summaryTs) return false;
    if (incident.version <= (await this.shownVersion(incidentId, summaryTs))) return false;
    await this.deps.chat.updateMessage(channelId, summaryTs, this.deps.views.summary(incident));
    await this.deps.redis.eval(
      RAISE,
      1,
      this.shownKey(incidentId, summaryTs),
      String(incident.version),
      String(SHOWN_MS),
    );
    return true;
  }

  private async release(lease: string, token: string): Promise<void> {
    await this.deps.redis.eval(RELEASE_IF_OURS, 1, lease, token).catch(() => undefined);
  }

  private keys(incidentId: string) {
    const base = `${this.deps.keyPrefix}:incident:{${incidentId}}:summary`;
    return { lease: `${base}:lease`, dirty: `${base}:dirty` };
  }

  /** Per summary message: a re-posted summary starts from nothing shown. */
  private shownKey(incidentId: string, summaryTs: string): string {
    return `${this.deps.keyPrefix}:incident:{${incidentId}}:summary:shown:${summaryTs}`;
  }
}

/**
 * The corrective pass as a background job: another `refresh` a little later, retried while Slack
 * fails. At most one per incident and minute (the job id), however many sends fail meanwhile.
 */
export function summaryRefreshJob(renderer: () => SummaryRenderer) {
  return defineJob({
    name: 'summary-refresh',
    lane: 'background',
    payload: z.object({ incidentId: z.string(), minute: z.number().int() }),
    jobId: (p) => jobIdOf('summary', p.incidentId, p.minute),
    retry: RETRY.slack,
    handle: (p) => renderer().refresh(p.incidentId),
  });
}

/** The payload for "refresh this incident's summary again soon". */
export function summaryRetryPayload(incidentId: string, now = Date.now()) {
  return { incidentId, minute: Math.floor(now / 60_000) };
}
