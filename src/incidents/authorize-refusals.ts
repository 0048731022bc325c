import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import type { Operation } from './authorize-config.js';
import type { Incident } from './model.js';
import type { IncidentStore } from './store.js';

/** One refused request, as the timeline event's data and the audit log entry hold it. */
export const refusalSchema = z.object({
  at: z.string(),
  actor: z.string(),
  operation: z.string(),
  incidentId: z.string().nullable(),
  /** Who may do it, as the person was told. */
  who: z.string(),
  /** Why this person may not (a guest, a failed lookup), when more than "not in the rule". */
  reason: z.string().nullable(),
  /** What they asked for, in a few words (the role, the action, the audience). */
  subject: z.string().nullable(),
});
export type Refusal = z.infer<typeof refusalSchema>;

const AUDIT_LIMIT = 10_000;

/**
 * Where refusals go: the incident's timeline (kind `permission_refused`), or, for a request outside
 * any incident (declare, an unknown incident), the permission audit log in Redis (newest first,
 * capped). Both are also logged for the operators.
 */
export class RefusalLog {
  constructor(
    private readonly deps: {
      store: Pick<IncidentStore, 'appendTimeline'>;
      redis: Redis;
      prefix: string;
      clock: Clock;
      logger: Pick<Logger, 'warn'>;
    },
  ) {}

  private get key(): string {
    return `${this.deps.prefix}:audit:permission-refusals`;
  }

  async record(
    input: Omit<Refusal, 'at' | 'incidentId' | 'subject' | 'reason'> & {
      incident?: Incident;
      subject?: string;
      reason?: string;
    },
    operationLabel: string,
  ): Promise<Refusal> {
    const refusal: Refusal = {
      at: this.deps.clock.now().toISOString(),
      actor: input.actor,
      operation: input.operation,
      incidentId: input.incident?.id ?? null,
      who: input.who,
      reason: input.reason ?? null,
      subject: input.subject ?? null,
    };
    this.deps.logger.warn({ refusal }, 'permission refused');
    if (input.incident) {
      await this.deps.store.appendTimeline({
        incidentId: input.incident.id,
        at: refusal.at,
        actor: refusal.actor,
        kind: 'permission_refused',
        text: `was refused: ${operationLabel}${refusal.subject ? ` (${refusal.subject})` : ''}${refusal.reason ? `: ${refusal.reason}` : ''}`,
        data: { ...refusal },
      });
    } else {
      await this.deps.redis
        .multi()
        .lpush(this.key, JSON.stringify(refusal))
        .ltrim(this.key, 0, AUDIT_LIMIT - 1)
        .exec();
    }
    return refusal;
  }

  /** The audit log of refusals outside incidents, newest first. */
  async outsideIncidents(limit = 100): Promise<Refusal[]> {
    const items = await this.deps.redis.lrange(this.key, 0, limit - 1);
    return items.map((json) => refusalSchema.parse(JSON.parse(json)));
  }
}

/** What a refusal names, for the timeline line and the reply: "raise the severity". */
export const OPERATION_LABELS: Record<Operation, string> = {
  declare: 'declare an incident',
  'severity.raise': 'raise the severity',
  'severity.lower': 'lower the severity',
  status: 'change the status',
  resolve: 'resolve the incident',
  reopen: 'reopen the incident',
  'role.commander': 'assign the incident commander',
  'role.tech-lead': 'assign the technical lead',
  'role.scribe': 'assign the scribe',
  'role.comms': 'assign the communications lead',
  'agent.facts': 'record agent facts',
  'reactivation-plan': 'record the reactivation plan',
  note: 'add to the timeline',
  update: 'post a structured update',
  'containment.run': 'run containment',
  'containment.undo': 'undo containment',
  'comms.draft': 'draft comms',
  'comms.edit': 'edit a comms draft',
  'comms.approve': 'approve or reject comms',
  'comms.publish': 'publish comms',
  'gate.tick': 'tick restart-gate items',
  'gate.approve': 'give or withdraw the restart approval',
  'gate.override': 'override the restart gate',
  actions: 'manage corrective actions',
  archive: 'archive the evidence',
  postmortem: 'draft the postmortem',
  'obligation.add': 'add a notification obligation',
  'obligation.submit': 'record a notification as submitted',
  'obligation.waive': 'waive a notification obligation',
  'forensics.collect': "collect the agent's trail",
  'forensics.mark': 'mark the first unauthorized action',
};
