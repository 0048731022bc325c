/**
 * The forensics feature's public entry: collectors preserve the agent's own trail (prompts, tool
 * calls, logs, queue payloads, permissions) into the evidence bundle. See contract.ts for the
 * collector contract and collectors/ for one file per source.
 */
import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { ForensicsPresenter } from './presenter.js';
import { buildForensicsRegistry } from './registry.js';
import { ForensicsService } from './service.js';
import { ForensicsStaging } from './staging.js';

export interface ForensicsInputs {
  config: QuellConfig;
  incidents: IncidentService;
  store: IncidentStore;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  views?: ForensicsPresenter;
  /** Where collector secrets are read from; start-up fails (ConfigError) when a named variable is missing. */
  env: NodeJS.ProcessEnv;
  sleep?: (ms: number) => Promise<void>;
}

export function createForensicsService(inputs: ForensicsInputs): ForensicsService {
  return new ForensicsService({
    config: inputs.config.forensics,
    registry: buildForensicsRegistry(inputs.config, inputs.env),
    staging: new ForensicsStaging(inputs.config.forensics.staging),
    incidents: inputs.incidents,
    store: inputs.store,
    chat: inputs.chat,
    clock: inputs.clock,
    logger: inputs.logger,
    ...(inputs.views ? { views: inputs.views } : {}),
    ...(inputs.sleep ? { sleep: inputs.sleep } : {}),
  });
}

export { type TimelineEntry, timelineMarkdown } from './agent-timeline.js';
export { BUILT_IN_COLLECTORS } from './collectors/index.js';
export type { AgentEvent, CollectContext, ForensicCollector, PlannedFetch } from './contract.js';
export { COLLECT_JOB, collectJob } from './job.js';
export { maskForReading } from './mask.js';
export { type RunSummary, runCollector } from './run.js';
export { type CollectJobPayload, ForensicsService } from './service.js';
