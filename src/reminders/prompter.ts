import type { Redis } from 'ioredis';
import type { ChatMessage, ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { formatDuration } from '../config/duration.js';
import type { QuellConfig } from '../config/schema.js';
import { cadenceFor } from '../incidents/cadence.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { SYSTEM_ACTOR } from '../incidents/timeline.js';
import { crashPoint } from '../jobs/crash-points.js';
import { classifyJobError, isPermanent, type PostGuard } from '../jobs/index.js';
import type { Logger } from '../logging/logger.js';
import { metrics } from '../ops/metrics.js';
import { isLate } from './cadence.js';
import type { OverdueEscalationPayload, SettlePromptsPayload, UpdatePromptPayload } from './jobs.js';
import type { ReminderKeys } from './keys.js';
import { type EscalationStep, type EscalationTargets, gapBefore, ladderFor, stepTargets } from './ladder.js';
import { postOnce } from './post-once.js';
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
  /** Where the prompts still showing buttons are remembered (to edit them once settled). */
  redis?: Redis;
  keys?: ReminderKeys;
  config: QuellConfig;
  clock: Clock;
  logger: Logger;
  /** Told of each ladder step once it is posted, before it is recorded (see Reminders). */
  onEscalationStep?: (incidentId: string, step: EscalationStep, targets: EscalationTargets) => Promise<void>;
}

/** What the job runtime says about the run (JobContext): whether an earlier run started. */
export interface RunFacts {
  startedBefore?: boolean;
}

/** What a reminder job did; the job's return value, handy in logs and tests. */
export type ReminderOutcome =
  | 'posted'
  | 'already-posted'
  | 'dropped-missing'
  | 'dropped-resolved'
  | 'dropped-superseded'
  | 'dropped-no-channel';

export const OVERDUE_EVENT_KIND = 'update_overdue';

/**
 * Handles due reminder jobs: posts the update prompt, then walks the escalation ladder one step at
 * a time (each step schedules the next; past the last step it repeats at the ladder's interval).
 * Every post is checked against the incident's current state first (resolved → drop; due time
 * moved on → drop: an update, a snooze or a resolve stops the ladder) and goes through the
 * exactly-once posting path, so at-least-once jobs and several workers give one message per step.
 */
export class ReminderPrompter {
  constructor(private readonly deps: ReminderPrompterDeps) {}

  async sendPrompt(payload: UpdatePromptPayload, run: RunFacts = {}): Promise<ReminderOutcome> {
    const { config, views } = this.deps;
    const dueMs = Date.parse(payload.dueAt);
    const incident = await this.deps.store.get(payload.incidentId);
    const skip = this.staleness(incident, payload.dueAt);
    if (skip) {
      // a due time that no longer applies leaves the due-time index
      await this.deps.queue.index.done(payload.incidentId, dueMs);
      return skip;
    }
    const current = incident!;

    const post = { what: 'prompt', flow: 'prompt', keyMs: dueMs, notBefore: dueMs, run };
    const posted = await this.post(current, post, payload.dueAt, (at, marker) =>
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
    if (posted.fresh) metrics.reminderLate(posted.postedAt.getTime() - dueMs);
    crashPoint('prompt.confirmed');
    // posted now or by an earlier run: either way the ladder's next step must be scheduled (idempotent)
    const ladder = ladderFor(current.severity, config);
    if (ladder) {
      // after a snooze the ladder goes on from the step it reached, keeping its gaps; a first run
      // for a fresh due time has no step yet (saves reading the timeline on every prompt)
      const fresh =
        payload.overdueSince === payload.dueAt && payload.reason !== 'reconciled' && !run.startedBefore;
      const step = fresh ? 0 : (await this.reachedStep(current.id, payload.overdueSince)) + 1;
      const at = new Date(dueMs + gapBefore(ladder, step));
      await this.deps.queue.scheduleEscalation(
        {
          incidentId: current.id,
          dueAt: payload.dueAt,
          overdueSince: payload.overdueSince,
          promptedAt: posted.postedAt.toISOString(),
          step,
          at: at.toISOString(),
        },
        at,
      );
    }
    // posted and its ladder scheduled: reconciliation has nothing more to check for this due time
    // (after the ladder: a crash before it leaves the entry, and the re-added job schedules it)
    await this.deps.queue.index.done(current.id, dueMs);
    return posted.fresh ? 'posted' : 'already-posted';
  }

  /** One ladder step, once per missing update (keyed by overdueSince and step: a snooze never repeats one). */
  async escalate(payload: OverdueEscalationPayload, run: RunFacts = {}): Promise<ReminderOutcome> {
    const { config, views, clock } = this.deps;
    const incident = await this.deps.store.get(payload.incidentId);
    const skip = this.staleness(incident, payload.dueAt);
    if (skip) return skip;
    const current = incident!;
    const ladder = ladderFor(current.severity, config);
    if (!ladder) return 'dropped-superseded';
    const { step } = payload;
    const targets = stepTargets(ladder, step, config);

    const overdueSinceMs = Date.parse(payload.overdueSince);
    const what = step === 0 ? 'overdue' : `overdue-${step}`;
    // a step comes after the update fell due: a look in the channel reads back no further
    const post = { what, flow: 'escalation', keyMs: overdueSinceMs, notBefore: overdueSinceMs, run };
    const { fresh } = await this.post(current, post, payload.dueAt, (_at, marker) =>
      views.escalation({
        incident: current,
        dueAt: payload.dueAt,
        overdueSince: payload.overdueSince,
        promptedAt: payload.promptedAt,
        users: targets.users,
        usergroups: targets.usergroups,
        commander: targets.commander,
        step,
        steps: ladder.steps.length,
        marker,
      }),
    );
    if (fresh || !(await this.stepRecorded(current.id, payload.overdueSince, step))) {
      const commander = targets.commander ? (current.roles.commander ?? null) : null;
      // before the timeline record: a crash in between tells the hook again (same key), never skips it
      await this.deps.onEscalationStep?.(
        current.id,
        {
          index: step,
          repeat: targets.repeat,
          dueAt: payload.dueAt,
          overdueSince: payload.overdueSince,
          key: `${current.id}:${Date.parse(payload.overdueSince)}:${step}`,
        },
        { commander, users: targets.users, usergroups: targets.usergroups },
      );
      const missingFor = clock.now().getTime() - Date.parse(payload.overdueSince);
      const label = targets.repeat
        ? `repeat ${step - ladder.steps.length + 1} of the last step`
        : `step ${step + 1} of ${ladder.steps.length}`;
      await this.deps.incidents.record(
        current.id,
        SYSTEM_ACTOR,
        OVERDUE_EVENT_KIND,
        `escalated (${label}): no update for ${formatDuration(missingFor)} after it fell due`,
        {
          dueAt: payload.dueAt,
          overdueSince: payload.overdueSince,
          promptedAt: payload.promptedAt,
          step,
          repeat: targets.repeat,
          commander,
          users: targets.users,
          usergroups: targets.usergroups,
        },
      );
    }
    // the next step, from when this one was planned (a late run does not compress the ladder)
    const plannedMs = Math.max(Date.parse(payload.at ?? payload.dueAt), clock.now().getTime() - 1_000);
    const nextAt = new Date(plannedMs + gapBefore(ladder, step + 1));
    await this.deps.queue.scheduleEscalation(
      { ...payload, step: step + 1, at: nextAt.toISOString() },
      nextAt,
    );
    return fresh ? 'posted' : 'already-posted';
  }

  /**
   * Edits every prompt and ladder step of a due time that no longer applies: the buttons go, and
   * the message says what happened ("answered by @Bob at 14:02"). A message deleted meanwhile is
   * skipped; other failures retry (the edit is idempotent).
   */
  async settle(payload: SettlePromptsPayload): Promise<number> {
    const { redis, keys, chat, views } = this.deps;
    if (!redis || !keys) return 0;
    const incident = await this.deps.store.get(payload.incidentId);
    if (!incident) return 0;
    const key = keys.openPrompts(incident.id);
    const open = await redis.hgetall(key);
    let edited = 0;
    for (const [ts, value] of Object.entries(open)) {
      const entry = parseOpen(value);
      // a prompt of the current due time keeps its buttons
      if (!entry || (incident.nextUpdateDueAt === entry.dueAt && payload.fate !== 'resolved')) continue;
      try {
        await chat.updateMessage(
          entry.channel,
          ts,
          views.settled({ incident, ...payload, kind: entry.what }),
        );
        edited++;
      } catch (error) {
        if (!isPermanent(error)) throw classifyJobError(error);
        this.deps.logger.warn({ err: error, incident: incident.id, ts }, 'could not edit a settled prompt');
      }
      await redis.hdel(key, ts);
    }
    return edited;
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

  /** Posts exactly once, and remembers the message while it shows buttons. */
  private async post(
    incident: Incident,
    post: { what: string; flow: string; keyMs: number; notBefore: number; run: RunFacts },
    dueAt: string,
    build: (at: Date, marker: string) => ChatMessage,
  ): Promise<{ fresh: boolean; postedAt: Date }> {
    const channel = incident.channelId!;
    const { what, flow, keyMs } = post;
    const posted = await postOnce(this.deps, {
      incidentId: incident.id,
      channel,
      what,
      keyMs,
      build,
      flow,
      notBefore: new Date(post.notBefore),
      startedBefore: post.run.startedBefore ?? false,
    });
    const { redis, keys } = this.deps;
    // also when an earlier run posted it: that run may have died before remembering it (same field)
    if (posted.ts && redis && keys)
      await redis.hset(keys.openPrompts(incident.id), posted.ts, JSON.stringify({ channel, dueAt, what }));
    return posted;
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

  /** The last ladder step recorded for this missing update (-1: none yet). */
  private async reachedStep(incidentId: string, overdueSince: string): Promise<number> {
    const events = await this.deps.store.timelineOfKinds(incidentId, [OVERDUE_EVENT_KIND]);
    return events
      .filter((e) => e.kind === OVERDUE_EVENT_KIND && e.data.overdueSince === overdueSince)
      .reduce((max, e) => Math.max(max, typeof e.data.step === 'number' ? e.data.step : 0), -1);
  }

  /** After a crash between posting and recording: did the timeline get this step? */
  private async stepRecorded(incidentId: string, overdueSince: string, step: number): Promise<boolean> {
    const events = await this.deps.store.timelineOfKinds(incidentId, [OVERDUE_EVENT_KIND]);
    return events.some(
      (e) =>
        e.kind === OVERDUE_EVENT_KIND && e.data.overdueSince === overdueSince && (e.data.step ?? 0) === step,
    );
  }
}

function parseOpen(value: string): { channel: string; dueAt: string; what: string } | undefined {
  try {
    const parsed = JSON.parse(value) as { channel?: unknown; dueAt?: unknown; what?: unknown };
    if (
      typeof parsed.channel === 'string' &&
      typeof parsed.dueAt === 'string' &&
      typeof parsed.what === 'string'
    )
      return { channel: parsed.channel, dueAt: parsed.dueAt, what: parsed.what };
  } catch {
    // not ours: skipped
  }
  return undefined;
}
