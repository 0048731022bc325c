import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { HttpOptions } from '../http/client.js';
import type { Incident } from '../incidents/model.js';
import type { Permissions } from '../incidents/permissions.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { JobRuntime } from '../jobs/index.js';
import type { ActionTools } from './actions.js';
import type { ContainmentAuditLog } from './audit-log.js';
import type { ContainmentAuthorizer } from './authorization.js';
import type { ContainmentPresenter, ExecutionReport } from './presenter.js';
import type { ContainmentRegistry, ResolvedAction } from './registry.js';
import type { ContainmentStore } from './store.js';

/**
 * What the parts of containment share: the service's dependencies plus the audit log, the action
 * tools and the authorizer, built once by ContainmentService and passed to requests, runner,
 * progress and undo.
 */
export interface ContainmentKit {
  readonly deps: ContainmentServiceDeps;
  readonly audit: ContainmentAuditLog;
  readonly actions: ActionTools;
  readonly authorizer: ContainmentAuthorizer;
  /** After a run: schedule the re-verifications of what it put in force (drift.ts). */
  readonly followUp?: { afterRun(incidentId: string, report: ExecutionReport): Promise<void> };
}

export interface ContainmentServiceDeps {
  registry: ContainmentRegistry;
  store: ContainmentStore;
  incidentStore: IncidentStore;
  incidents: IncidentService;
  chat: ChatPort;
  views: ContainmentPresenter;
  clock: Clock;
  logger: Logger;
  /** The config's `responders`, who are authorized when a rule says `responders: true`. */
  responders: { users: readonly string[]; usergroups: readonly string[] };
  /** Who-may-act checks; defaults to the rule + user-group check over `chat`. */
  permissions?: Permissions;
  /** Overrides for the HTTP core (tests shorten backoff). */
  http?: Partial<Omit<HttpOptions, 'redact' | 'timeoutMs' | 'maxAttempts'>>;
  /**
   * The job runtime: re-verification checks are scheduled there (drift-job.ts; services.ts
   * registers `ContainmentService.jobTypes`). Without it (or `drift`) nothing re-verifies.
   */
  jobs?: JobRuntime;
  /** Where re-verification checks are scheduled; default: on `jobs`. */
  drift?: DriftSchedule;
}

/** Puts a re-verification of an incident's controls on the job runtime, at an instant. */
export interface DriftSchedule {
  checkAt(incidentId: string, at: Date): Promise<void>;
}

export interface RunRequest {
  incident: Incident;
  user: string;
  kind: 'action' | 'playbook';
  name: string;
  args: Record<string, string>;
  dryRun: boolean;
}

export interface StepInput {
  action: ResolvedAction;
  args: Record<string, unknown>;
  retryOf?: string;
  /** The run id recorded for this step when the run was confirmed (a resumed run keeps its ids). */
  runId?: string;
}

export interface RunScope {
  incident: Incident;
  requestedBy: string;
  confirmedBy: string;
  dryRun: boolean;
  playbook?: { name: string; id: string };
}

/** Slack is never allowed to hold containment up: a failed post or update is logged and skipped. */
export async function bestEffort<T>(
  logger: Pick<Logger, 'warn'>,
  what: string,
  run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    logger.warn({ err: error }, `${what} failed`);
    return undefined;
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
