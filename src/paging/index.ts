import type { Clock } from '../clock.js';
import { ConfigError } from '../config/errors.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { JobDefinition, JobRuntime } from '../jobs/index.js';
import type { Logger } from '../logging/logger.js';
import type { PagerConfig, PagingConfig } from './config.js';
import { type PagePayload, pageJob } from './jobs.js';
import type { Pager } from './model.js';
import {
  type OnCallAnswer,
  type OnCallReference,
  onCallResolver,
  PagerDutyOnCalls,
  type SlackUserDirectory,
} from './oncall.js';
import { OpsgenieAlerts } from './opsgenie.js';
import { PagerDutyEvents } from './pagerduty.js';
import { PagingService } from './service.js';

/**
 * Paging: PagerDuty and Opsgenie pages on declare and at the escalation ladder's steps, resolved
 * with the incident, and "the on-call" read from PagerDuty. `createPaging` builds it from the
 * `paging:` config section and the environment; a key the config names but the environment lacks
 * stops start-up.
 */
export interface PagingDeps {
  config: PagingConfig;
  /** Where the `…Env` names are read (main: the process environment). */
  secrets: NodeJS.ProcessEnv;
  incidents: Pick<IncidentService, 'require' | 'record' | 'timeline'>;
  jobs: Pick<JobRuntime, 'enqueue'>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** users.lookupByEmail, for "the on-call" (absent: the on-call cannot be named). */
  directory?: SlackUserDirectory;
  severityLabel(incident: Incident): string;
  channelLink(incident: Incident): { href: string; text: string } | undefined;
}

export interface Paging {
  service: PagingService;
  job: JobDefinition<PagePayload>;
  pagers: readonly Pager[];
  /** The on-call of a PagerDuty escalation policy as a Slack user; undefined without `paging.onCall`. */
  onCall?: (reference: OnCallReference) => Promise<OnCallAnswer>;
  /** The same as alert rules ask for it (intake's OnCallResolver); undefined without `paging.onCall`. */
  onCallResolver?: ReturnType<typeof onCallResolver>;
}

export function createPaging(deps: PagingDeps): Paging {
  const { config } = deps;
  const pagers = Object.entries(config.pagers).map(([name, pager]) =>
    buildPager(name, pager, deps.secrets, config.timeout),
  );
  const job = pageJob({
    pagers: new Map(pagers.map((p) => [p.name, p])),
    incidents: deps.incidents,
    context: { severityLabel: deps.severityLabel, channelLink: deps.channelLink },
    now: () => deps.clock.now(),
  });
  const service = new PagingService({ config, pagers, jobs: deps.jobs, job, logger: deps.logger });
  let onCall: Paging['onCall'];
  if (config.onCall) {
    const directory = deps.directory;
    if (!directory) throw new ConfigError('paging.onCall needs a Slack directory (users.lookupByEmail)');
    const lookup = new PagerDutyOnCalls({
      apiToken: secretOf(deps.secrets, config.onCall.apiTokenEnv, 'paging.onCall.apiTokenEnv'),
      url: config.onCall.url,
      timeoutMs: config.timeout,
      directory,
    });
    onCall = (reference) => lookup.onCall(reference);
  }
  return {
    service,
    job,
    pagers,
    ...(onCall ? { onCall, onCallResolver: onCallResolver({ onCall }) } : {}),
  };
}

function buildPager(name: string, pager: PagerConfig, secrets: NodeJS.ProcessEnv, timeoutMs: number): Pager {
  const field = `paging.pagers.${name}`;
  if (pager.kind === 'pagerduty')
    return new PagerDutyEvents({
      name,
      routingKey: secretOf(secrets, pager.routingKeyEnv, `${field}.routingKeyEnv`),
      url: pager.url,
      timeoutMs,
    });
  return new OpsgenieAlerts({
    name,
    apiKey: secretOf(secrets, pager.apiKeyEnv, `${field}.apiKeyEnv`),
    url: pager.url,
    responders: pager.responders,
    timeoutMs,
  });
}

function secretOf(secrets: NodeJS.ProcessEnv, name: string, field: string): string {
  const value = secrets[name]?.trim();
  if (!value) throw new ConfigError(`${field} names ${name}, but that environment variable is not set`);
  return value;
}

export type { PagingConfig } from './config.js';
export { PagerRefusedError } from './http.js';
export type { Page, PageAction, PageReceipt, Pager } from './model.js';
export {
  type OnCallAnswer,
  type OnCallReference,
  onCallResolver,
  type SlackUserDirectory,
} from './oncall.js';
export { OpsgenieAlerts } from './opsgenie.js';
export { PagerDutyEvents } from './pagerduty.js';
export { dedupKeyOf, slackChannelLink } from './pages.js';
export { PagingService } from './service.js';
