import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { QuellConfig } from '../config/schema.js';
import type { Incident, Severity, Status } from './model.js';
import type { IncidentPresenter } from './presenter.js';
import type { IncidentChange } from './service.js';
import type { IncidentStore } from './store.js';
import type { TimelineEvent } from './timeline.js';

/**
 * The announcement follows the incident: posted once in `channels.announcement` when it is
 * declared, then answered in its thread when severity, status, commander or privacy change and when
 * it resolves (with a resolution summary), and its own text edited to show the current state, so
 * people outside the incident read where it stands without joining it. A private incident's
 * announcement and replies say only that one exists, its severity and who leads it.
 */

/** What changed, as the announcement's thread tells it. */
export type AnnouncementFollowUp =
  | { kind: 'severity'; actor: string; from: Severity; to: Severity }
  | { kind: 'status'; actor: string; from: Status; to: Status }
  | { kind: 'commander'; actor: string; from: string | null; to: string }
  | { kind: 'privacy'; actor: string }
  | { kind: 'resolved'; actor: string; summary: ResolutionSummary };

export interface ResolutionSummary {
  declaredAt: string;
  resolvedAt: string;
  /** The last structured update's impact, when there was one. */
  impact?: string;
  /** The root cause confirmed with `/comms root-cause`, if any. */
  rootCause?: string;
}

export interface AnnouncementDeps {
  store: IncidentStore;
  chat: ChatPort;
  views: Pick<IncidentPresenter, 'announcement' | 'announcementFollowUp'>;
  config: QuellConfig;
  logger: Logger;
}

export class IncidentAnnouncements {
  constructor(private readonly deps: AnnouncementDeps) {}

  /**
   * The declare step: posts the announcement (not for drills, `--no-announce` or without an
   * announcement channel) and keeps where it is on the incident. Safe to run again: an incident
   * that has its announcement is returned as it is.
   */
  async announce(incident: Incident, options: { announce?: boolean } = {}): Promise<Incident> {
    const channel = this.deps.config.channels.announcement;
    if (!channel || options.announce === false || incident.drill || incident.announcement) return incident;
    const { ts } = await this.deps.chat.postMessage(channel, this.deps.views.announcement(incident));
    return this.remember(incident, { channel, ts });
  }

  /** Keeps where an announcement was posted (by `announce`, or by a resumed declare that found it). */
  async remember(incident: Incident, where: { channel: string; ts: string }): Promise<Incident> {
    if (incident.announcement?.ts === where.ts) return incident;
    return (
      await this.deps.store.update(incident.id, (current) => ({
        incident: { ...current, announcement: where },
        event: null,
      }))
    ).incident;
  }

  /** Subscriber to every incident change: a thread reply and an edited announcement when it matters. */
  readonly follow = async ({ incident, event }: IncidentChange): Promise<void> => {
    const where = incident.announcement;
    if (!where) return;
    const followUp = await this.followUpOf(incident, event);
    if (!followUp) return;
    const { chat, views } = this.deps;
    await chat.postMessage(where.channel, views.announcementFollowUp(incident, followUp), {
      threadTs: where.ts,
    });
    await chat.updateMessage(where.channel, where.ts, views.announcement(incident));
  };

  private async followUpOf(
    incident: Incident,
    event: TimelineEvent,
  ): Promise<AnnouncementFollowUp | undefined> {
    const data = event.data as Record<string, unknown>;
    const actor = event.actor;
    switch (event.kind) {
      case 'severity_changed':
        return { kind: 'severity', actor, from: data.from as Severity, to: data.to as Severity };
      case 'status_changed':
        if (data.to === 'resolved')
          return { kind: 'resolved', actor, summary: await this.resolutionSummary(incident) };
        // a private incident's announcement tells no more than that it exists, its severity and its lead
        if (incident.private) return undefined;
        return { kind: 'status', actor, from: data.from as Status, to: data.to as Status };
      case 'role_assigned':
        if (data.role !== 'commander') return undefined;
        return {
          kind: 'commander',
          actor,
          from: (data.previous as string | null) ?? null,
          to: data.user as string,
        };
      case 'privacy_changed':
        return { kind: 'privacy', actor };
      default:
        return undefined;
    }
  }

  private async resolutionSummary(incident: Incident): Promise<ResolutionSummary> {
    const events = await this.deps.store.timelineOfKinds(incident.id, ['update', 'root_cause_confirmed']);
    const latest = (kind: string) =>
      events.filter((e) => e.kind === kind).at(-1)?.data as Record<string, unknown> | undefined;
    const impact = latest('update')?.impact;
    const rootCause = latest('root_cause_confirmed')?.summary;
    return {
      declaredAt: incident.createdAt,
      resolvedAt: incident.resolvedAt ?? incident.updatedAt,
      ...(typeof impact === 'string' && impact ? { impact } : {}),
      ...(typeof rootCause === 'string' && rootCause ? { rootCause } : {}),
    };
  }
}
