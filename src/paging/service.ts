import type { Incident } from '../incidents/model.js';
import type { IncidentChange } from '../incidents/service.js';
import type { JobDefinition, JobRuntime } from '../jobs/index.js';
import type { Logger } from '../logging/logger.js';
import type { PagingConfig } from './config.js';
import type { PagePayload } from './jobs.js';
import type { PageAction, Pager } from './model.js';
import type { PageReason } from './pages.js';

/**
 * When Quell pages: an incident declared (or raised, or reopened) at a severity in
 * `paging.onDeclare`; each escalation ladder step while `paging.atEscalationSteps`; an
 * acknowledgement when the incident is first contained; a resolve when it is resolved. Each page is
 * a job per pager (jobs.ts) so it is sent once and survives restarts. Drills page nobody: their job
 * only records what would have been paged.
 */
export interface PagingServiceDeps {
  config: PagingConfig;
  pagers: readonly Pager[];
  jobs: Pick<JobRuntime, 'enqueue'>;
  job: JobDefinition<PagePayload>;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/** What the escalation ladder tells (reminders' `onEscalationStep`), narrowed to what paging reads. */
export interface EscalationStepFacts {
  index: number;
  key: string;
}

export class PagingService {
  constructor(private readonly deps: PagingServiceDeps) {}

  /** Whether any pager is configured (nothing is queued otherwise). */
  get enabled(): boolean {
    return this.deps.pagers.length > 0;
  }

  /** Subscribed to every incident change (services.ts). */
  readonly onIncidentChange = async ({ before, incident, event }: IncidentChange): Promise<void> => {
    if (!this.enabled) return;
    const paged = (i: Incident) => this.deps.config.onDeclare.includes(i.severity);
    if (event.kind === 'declared' && before === null) {
      if (paged(incident)) await this.page(incident, 'trigger', { kind: 'declared' });
      return;
    }
    if (!before) return;
    if (
      event.kind === 'severity_changed' &&
      incident.status !== 'resolved' &&
      paged(incident) &&
      !paged(before)
    )
      await this.page(incident, 'trigger', { kind: 'raised', severity: incident.severity });
    if (event.kind !== 'status_changed') return;
    if (incident.status === 'resolved' && before.status !== 'resolved')
      await this.page(incident, 'resolve', { kind: 'resolved', at: incident.resolvedAt ?? event.at });
    else if (before.status === 'resolved' && paged(incident))
      await this.page(incident, 'trigger', { kind: 'reopened', at: event.at });
    else if (before.status === 'investigating' && incident.status !== 'investigating')
      await this.page(incident, 'acknowledge', { kind: 'contained' });
  };

  /** Reminders' `onEscalationStep`: an update went unanswered long enough to page. */
  async onEscalationStep(incident: Incident, step: EscalationStepFacts): Promise<void> {
    if (!this.enabled || !this.deps.config.atEscalationSteps || incident.status === 'resolved') return;
    await this.page(incident, 'trigger', { kind: 'step', index: step.index, key: step.key });
  }

  private async page(incident: Incident, action: PageAction, reason: PageReason): Promise<void> {
    // a drill's trigger is recorded as "would have paged"; nothing follows it
    if (incident.drill && action !== 'trigger') return;
    for (const pager of this.deps.pagers)
      await this.deps.jobs.enqueue(this.deps.job, {
        incidentId: incident.id,
        pager: pager.name,
        action,
        reason,
        drill: incident.drill,
      });
  }
}
