import { type ChatMessage, type ChatPort, ChatUnavailableError } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { formatDuration } from '../config/duration.js';
import type { QuellConfig } from '../config/schema.js';
import { cadenceFor } from '../incidents/cadence.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { SYSTEM_ACTOR } from '../incidents/timeline.js';
import { classifyJobError, type PostGuard, RetryLaterError } from '../jobs/index.js';
import type { Logger } from '../logging/logger.js';
import { isLate, overdueAfterMs } from './cadence.js';
import type { OverdueEscalationPayload, UpdatePromptPayload } from './jobs.js';
import type { ReminderPresenter } from './presenter.js';
import type { ReminderQueue } from './queue.js';

export interface ReminderPrompterDeps {
  store: IncidentStore;
  incidents: IncidentService;
  /** The background chat client: failures surface at once so the job retries (see src/jobs/classify.ts). */
  chat: ChatPort;
  views: ReminderPresenter;
  queue: ReminderQueue;
  guard: PostGuard;
  config: QuellConfig;
  clock: Clock;
  logger: Logger;
}

/** What a reminder job did; the job's return value, handy in logs and tests. */
export type ReminderOutcome =
  | 'posted'
  | 'already-posted'
  | 'dropped-missing'
  | 'dropped-resolved'
  | 'dropped-superseded'
  | 'dropped-no-channel';

/** While another run holds the post mark, come back after this long. */
const BUSY_RETRY_MS = 5_000;

export const OVERDUE_EVENT_KIND = 'update_overdue';

/**
 * Handles due reminder jobs: posts the update prompt, and later the overdue escalation. Every post
 * is checked against the incident's current state first (resolved → drop; due time moved on →
 * drop) and guarded by the post mark, so at-least-once jobs give exactly-once messages.
 */
export class ReminderPrompter {
  constructor(private readonly deps: ReminderPrompterDeps) {}

  async sendPrompt(payload: UpdatePromptPayload): Promise<ReminderOutcome> {
    const { config, views } = this.deps;
    const incident = await this.deps.store.get(payload.incidentId);
    const skip = this.staleness(incident, payload.dueAt);
    if (skip) return skip;
    const current = incident!;

    const dueMs = Date.parse(payload.dueAt);
    const { fresh, postedAt: promptedAt } = await this.postOnce(current, 'prompt', dueMs, (at, marker) =>
      views.prompt({
        incident: current,
        dueAt: payload.dueAt,
        overdueSince: payload.overdueSince,
        reason: payload.reason,
        since: payload.since,
        late: isLate(payload.dueAt, at, config),
        cadenceMs: cadenceFor(current.severity, config),
        marker,
      }),
    );
    // posted now or by an earlier run: either way its escalation must be scheduled (idempotent)
    const overdueMs = overdueAfterMs(current.severity, config);
    if (overdueMs !== null)
      await this.deps.queue.scheduleEscalation(
        {
          incidentId: current.id,
          dueAt: payload.dueAt,
          overdueSince: payload.overdueSince,
          promptedAt: promptedAt.toISOString(),
        },
        new Date(Math.max(promptedAt.getTime(), dueMs) + overdueMs),
      );
    return fresh ? 'posted' : 'already-posted';
  }

  /** Escalates once per missing update (keyed by overdueSince, so snoozing cannot escalate twice). */
  async escalate(payload: OverdueEscalationPayload): Promise<ReminderOutcome> {
    const { config, views, clock } = this.deps;
    const incident = await this.deps.store.get(payload.incidentId);
    const skip = this.staleness(incident, payload.dueAt);
    if (skip) return skip;
    const current = incident!;

    const { users, usergroups } = config.reminders.escalateTo;
    const { fresh } = await this.postOnce(
      current,
      'overdue',
      Date.parse(payload.overdueSince),
      (_at, marker) => views.escalation({ incident: current, ...payload, users, usergroups, marker }),
    );
    if (!fresh && (await this.escalationRecorded(current.id, payload.overdueSince))) return 'already-posted';
    const missingFor = clock.now().getTime() - Date.parse(payload.overdueSince);
    await this.deps.incidents.record(
      current.id,
      SYSTEM_ACTOR,
      OVERDUE_EVENT_KIND,
      `escalated: no update for ${formatDuration(missingFor)} after it fell due`,
      {
        dueAt: payload.dueAt,
        overdueSince: payload.overdueSince,
        promptedAt: payload.promptedAt,
        commander: current.roles.commander ?? null,
        users,
        usergroups,
      },
    );
    return fresh ? 'posted' : 'already-posted';
  }

  /** Records on the timeline that a reminder could not be posted at all (attempts exhausted). */
  async recordFailure(incidentId: string, what: string, dueAt: string, reason: string): Promise<void> {
    const incident = await this.deps.store.get(incidentId);
    if (!incident) return;
    await this.deps.incidents.record(
      incidentId,
      SYSTEM_ACTOR,
      'reminder_failed',
      `could not post the ${what} for the update due ${dueAt}: ${reason}`,
      { what, dueAt, reason },
    );
  }

  /**
   * Posts the message for (incident, what, key) unless it was posted already; see PostGuard. Returns
   * whether this run posted and when the message went out.
   */
  private async postOnce(
    incident: Incident,
    what: 'prompt' | 'overdue',
    keyMs: number,
    build: (at: Date, marker: string) => ChatMessage,
  ): Promise<{ fresh: boolean; postedAt: Date }> {
    const { guard, chat, clock } = this.deps;
    const channel = incident.channelId!;
    const marker = `quell_${what}_${keyMs}`;
    let claim = await guard.claim(incident.id, what, keyMs);
    if (claim.outcome === 'posted') return { fresh: false, postedAt: claim.postedAt };
    if (claim.outcome === 'uncertain') {
      const found = await this.findInChannel(channel, marker);
      if (found) {
        await claim.resolve(claim.since, found.ts);
        return { fresh: false, postedAt: claim.since };
      }
      claim = await claim.takeOver();
    }
    if (claim.outcome !== 'claimed')
      throw new RetryLaterError(`another run is posting the ${what}`, BUSY_RETRY_MS);
    const postedAt = clock.now();
    let ts: string;
    try {
      ts = (await chat.postMessage(channel, build(postedAt, marker))).ts;
    } catch (error) {
      // a timeout or lost connection may still have posted: the retry looks in the channel first
      const unknownFate = error instanceof ChatUnavailableError && error.reason === 'unreachable';
      await (unknownFate ? claim.markUncertain(postedAt) : claim.release()).catch(() => undefined);
      throw classifyJobError(error);
    }
    await claim.confirm(postedAt, ts);
    return { fresh: true, postedAt };
  }

  /** Quell's own message with this marker among the channel's latest messages, if any. */
  private async findInChannel(channel: string, marker: string): Promise<{ ts: string } | undefined> {
    try {
      const page = await this.deps.chat.channelHistoryPage(channel, { limit: 100 });
      return page.messages.find(
        (m) =>
          Array.isArray(m.blocks) && (m.blocks as { block_id?: string }[]).some((b) => b.block_id === marker),
      );
    } catch (error) {
      throw classifyJobError(error);
    }
  }

  private staleness(incident: Incident | undefined, dueAt: string): ReminderOutcome | undefined {
    if (!incident) return 'dropped-missing';
    if (incident.status === 'resolved') return 'dropped-resolved';
    if (incident.nextUpdateDueAt !== dueAt) return 'dropped-superseded';
    if (!incident.channelId) {
      this.deps.logger.warn({ incident: incident.id }, 'update reminder has no channel to go to');
      return 'dropped-no-channel';
    }
    return undefined;
  }

  /** After a crash between posting and recording: did the timeline get the escalation? */
  private async escalationRecorded(incidentId: string, overdueSince: string): Promise<boolean> {
    const events = await this.deps.store.timeline(incidentId);
    return events.some((e) => e.kind === OVERDUE_EVENT_KIND && e.data.overdueSince === overdueSince);
  }
}
