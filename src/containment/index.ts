import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { ContainmentPresenter } from './presenter.js';
import { buildContainmentRegistry } from './registry.js';
import { ContainmentService } from './service.js';
import { ContainmentStore } from './store.js';

export interface ContainmentInputs {
  config: QuellConfig;
  chat: ChatPort;
  incidents: IncidentService;
  store: IncidentStore;
  redis: import('ioredis').Redis;
  clock: Clock;
  logger: Logger;
  views: ContainmentPresenter;
  /** Where secrets are read from; start-up fails (ConfigError) when a named variable is missing. */
  env?: NodeJS.ProcessEnv;
}

/** Builds the registry from config (reading secrets from the environment) and the service. */
export function createContainmentService(inputs: ContainmentInputs): ContainmentService {
  const { config } = inputs;
  return new ContainmentService({
    registry: buildContainmentRegistry(config.containment, inputs.env ?? process.env),
    store: new ContainmentStore(inputs.redis, config.redis.keyPrefix),
    incidentStore: inputs.store,
    incidents: inputs.incidents,
    chat: inputs.chat,
    views: inputs.views,
    clock: inputs.clock,
    logger: inputs.logger,
    responders: config.responders,
  });
}

export { type ControlState, controlStates } from './drift.js';
export { containmentDriftJob, jobDriftSchedule } from './drift-job.js';
export { checkContainmentConfig } from './registry.js';
export { ContainmentRefusedError, ContainmentService, type RunRequest } from './service.js';
