import type { Logger } from 'pino';
import type { IncidentService } from '../incidents/service.js';
import type { ContainmentTimelineKind } from '../incidents/timeline.js';
import type { AuditEntry, ContainmentRun } from './model.js';
import type { ContainmentStore } from './store.js';

/** Timeline data of a containment event: the audit fields (issues 7 and 8 read both) and the verify result. */
export function timelineData(
  entry: Omit<AuditEntry, 'seq'>,
  verify?: { outcome: string; observed: string; error?: string; durationMs: number },
): Record<string, unknown> {
  const { incidentId: _incidentId, actor: _actor, ...data } = entry;
  if (!verify) return data;
  const { outcome, observed, error, durationMs } = verify;
  return { ...data, verify: { outcome, observed, error, durationMs } };
}

/**
 * The containment audit log and its timeline events: every refusal, dry run, execution,
 * verification, undo and cancellation goes to the append-only audit, and the ones a person reads
 * to the incident timeline (kinds `containment_*`).
 */
export class ContainmentAuditLog {
  /** Timeline writes of one incident, one after another (parallel steps would race otherwise). */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: {
      store: ContainmentStore;
      incidents: Pick<IncidentService, 'record'>;
      logger: Pick<Logger, 'error'>;
    },
  ) {}

  /**
   * Appends to the audit first (it must never be lost; the run record is saved in the same round
   * trip), then, when there is text, to the timeline. One incident's records are written one after
   * another so parallel steps do not race on the incident's version.
   */
  async record(entry: Omit<AuditEntry, 'seq'>, text: string | null, run?: ContainmentRun): Promise<void> {
    await this.serialize(entry.incidentId, async () => {
      await this.deps.store.appendAudit(entry, run);
      if (text !== null)
        await this.writeTimeline(
          entry.incidentId,
          entry.actor,
          `containment_${entry.event}`,
          text,
          timelineData(entry),
        );
    });
  }

  recordTimeline(
    incidentId: string,
    actor: string,
    kind: ContainmentTimelineKind,
    text: string,
    data: Record<string, unknown>,
  ) {
    return this.serialize(incidentId, () => this.writeTimeline(incidentId, actor, kind, text, data));
  }

  private async writeTimeline(
    incidentId: string,
    actor: string,
    kind: ContainmentTimelineKind,
    text: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.deps.incidents.record(incidentId, actor, kind, text, data);
    } catch (error) {
      this.deps.logger.error(
        { err: error, incidentId },
        'containment timeline event not recorded (the audit has it)',
      );
    }
  }

  private serialize<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }
}
