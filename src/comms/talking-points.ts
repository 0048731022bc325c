import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import { type Incident, SEVERITIES } from '../incidents/model.js';
import type { IncidentStore } from '../incidents/store.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import type { ApprovedMessage } from './model.js';
import type { TalkingPoints } from './presenter.js';
import type { CommsStore } from './store.js';

/**
 * What support staff read: the latest approved message of `comms.talkingPointsAudience` per
 * incident, with when it was approved and whether it may be stale: its "share more by" time has
 * passed, or a newer structured update was posted after it was approved.
 */
export class TalkingPointsReader {
  constructor(
    private readonly deps: { store: IncidentStore; comms: CommsStore; config: QuellConfig; clock: Clock },
  ) {}

  /** Active, non-drill incidents with their latest approved talking points, most severe first. */
  async all(): Promise<TalkingPoints[]> {
    const incidents = (await this.deps.store.listActive())
      .filter((i) => !i.drill)
      .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.seq - a.seq);
    return Promise.all(incidents.map((incident) => this.of(incident)));
  }

  /** One incident's latest approved talking points, whatever its state. */
  async forIncident(incidentId: string): Promise<TalkingPoints> {
    return this.of(await this.deps.store.require(incidentId));
  }

  private async of(incident: Incident): Promise<TalkingPoints> {
    const approved = await this.deps.comms.approved(
      incident.id,
      this.deps.config.comms.talkingPointsAudience,
    );
    if (!approved) return { incident };
    const freshness = staleness(
      incident,
      approved,
      await this.deps.store.timeline(incident.id),
      this.deps.clock.now(),
    );
    return { incident, approved, ...freshness };
  }
}

const validInstant = (text: unknown): string | undefined =>
  typeof text === 'string' && !Number.isNaN(Date.parse(text)) ? new Date(text).toISOString() : undefined;

/**
 * When the approved text promised more (the "share more by" time it was written with: the latest
 * update's next-update time at approval, else the incident's next update due), and why it may be
 * stale. A resolved incident's points promise nothing more.
 */
export function staleness(
  incident: Incident,
  approved: ApprovedMessage,
  timeline: readonly TimelineEvent[],
  now: Date,
): Pick<TalkingPoints, 'shareMoreBy' | 'stale'> {
  const approvedAt = Date.parse(approved.approvedAt);
  const updates = timeline.filter((e) => e.kind === 'update');
  const before = updates.filter((e) => Date.parse(e.at) <= approvedAt).at(-1);
  const newer = updates.filter((e) => Date.parse(e.at) > approvedAt).at(-1);
  const shareMoreBy =
    incident.status === 'resolved'
      ? undefined
      : (validInstant(before?.data.nextUpdateAt) ??
        (newer ? undefined : validInstant(incident.nextUpdateDueAt)));
  const reasons: string[] = [];
  if (newer) reasons.push('newer-update');
  if (shareMoreBy && Date.parse(shareMoreBy) < now.getTime()) reasons.push('share-more-by-passed');
  return {
    ...(shareMoreBy ? { shareMoreBy } : {}),
    ...(reasons.length
      ? {
          stale: {
            reasons: reasons as ('newer-update' | 'share-more-by-passed')[],
            ...(newer ? { newerUpdateAt: newer.at } : {}),
          },
        }
      : {}),
  };
}
