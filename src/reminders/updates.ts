import { z } from 'zod';
import type { Clock } from '../clock.js';
import { formatDuration } from '../config/duration.js';
import type { QuellConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { cadenceFor } from '../incidents/cadence.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import { safeText } from '../text/safe-text.js';
import { nextDueAfterUpdate } from './cadence.js';
import type { ReminderPresenter, StructuredUpdate } from './presenter.js';

export const MAX_UPDATE_FIELD_LENGTH = 2_000;

const field = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Say something about ${what}.`)
    .max(MAX_UPDATE_FIELD_LENGTH, `Keep ${what} under ${MAX_UPDATE_FIELD_LENGTH} characters.`);

export const updateInputSchema = z.object({
  impact: field('the impact'),
  containment: field('containment'),
  investigation: field('the investigation'),
  /** When the author says the next update will come; omitted: one cadence from now. */
  nextUpdateAt: z.date().nullish(),
});

export type UpdateInput = z.input<typeof updateInputSchema>;

export interface SnoozeInput {
  /** The due time of the prompt whose Snooze was used; a stale prompt cannot snooze. */
  dueAt: string;
  overdueSince: string;
  snoozeMs: number;
}

export interface UpdateServiceDeps {
  incidents: IncidentService;
  views: ReminderPresenter;
  config: QuellConfig;
  clock: Clock;
}

/**
 * Structured updates and snoozes: both move the update clock, through IncidentService's one path
 * (persist + timeline event, refresh the pinned summary, post in the channel, notify subscribers;
 * the reminder scheduler is a subscriber and moves the prompt).
 *
 * Timeline contract (consumed by comms): kind 'update', data { impact, containment, investigation,
 * nextUpdateAt } with nextUpdateAt an ISO string or null.
 */
export class UpdateService {
  constructor(private readonly deps: UpdateServiceDeps) {}

  /**
   * Records a structured update. With `requestKey` (the Slack request's idempotency key) it is
   * recorded once: a re-run after a crash finishes the posting instead of recording it again.
   */
  async postUpdate(
    incidentId: string,
    actor: string,
    input: UpdateInput,
    options: { requestKey?: string } = {},
  ): Promise<Incident> {
    const parsed = updateInputSchema.safeParse(input);
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join(' '));
    const { impact, containment, investigation } = parsed.data;
    const promised = parsed.data.nextUpdateAt ?? null;
    const now = this.deps.clock.now();
    if (promised && promised.getTime() <= now.getTime())
      throw new UsageError('The next update time has to be in the future.');

    let update: StructuredUpdate | undefined;
    return this.deps.incidents.changeUpdateClock(
      incidentId,
      actor,
      (current) => {
        const resolved = current.status === 'resolved';
        const nextUpdateDueAt = resolved
          ? null
          : nextDueAfterUpdate(now, cadenceFor(current.severity, this.deps.config), promised);
        update = {
          impact,
          containment,
          investigation,
          nextUpdateAt: promised ? promised.toISOString() : nextUpdateDueAt,
        };
        return {
          nextUpdateDueAt,
          kind: 'update',
          text: `posted an update: ${safeText(oneLine(impact), 'plain')}`,
          data: { ...update },
        };
      },
      // a resumed run recorded nothing this time: the update is the recorded event's
      (incident, event) => this.deps.views.update(incident, event, update ?? updateOf(event.data)),
      options,
    );
  }

  async snooze(incidentId: string, actor: string, input: SnoozeInput): Promise<Incident> {
    const { config, clock, views } = this.deps;
    if (!config.reminders.snoozeChoices.includes(input.snoozeMs))
      throw new UsageError(
        `Snooze for ${config.reminders.snoozeChoices.map((ms) => formatDuration(ms)).join(', ')}.`,
      );
    const until = new Date(clock.now().getTime() + input.snoozeMs).toISOString();
    return this.deps.incidents.changeUpdateClock(
      incidentId,
      actor,
      (current) => {
        if (current.status === 'resolved')
          throw new UsageError(`${current.id} is resolved; no update is due.`);
        if (current.nextUpdateDueAt !== input.dueAt)
          throw new UsageError(
            'This reminder is out of date: an update was posted or the clock changed since. See the pinned summary for when the next update is due.',
          );
        return {
          nextUpdateDueAt: until,
          kind: 'update_snoozed',
          text: `snoozed the update reminder for ${formatDuration(input.snoozeMs)}`,
          data: { dueAt: input.dueAt, overdueSince: input.overdueSince, until, snoozeMs: input.snoozeMs },
        };
      },
      (incident, event) => views.snoozed(incident, event),
    );
  }
}

function updateOf(data: Record<string, unknown>): StructuredUpdate {
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : '');
  return {
    impact: text('impact'),
    containment: text('containment'),
    investigation: text('investigation'),
    nextUpdateAt: typeof data.nextUpdateAt === 'string' ? data.nextUpdateAt : null,
  };
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}
