import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { ContainmentService } from '../containment/index.js';
import type { ApiRoute } from '../http-api/router.js';
import type { IncidentService } from '../incidents/service.js';
import type { JobDefinition, JobRuntime } from '../jobs/index.js';
import { AlertJobs } from './jobs.js';
import type { OnCallResolver } from './model.js';
import type { IntakePresenter } from './presenter.js';
import { AlertReceiver } from './service.js';
import { IntakeStore } from './store.js';

export { signBody } from './auth.js';
export { genericAlertJsonSchema } from './formats/index.js';

export interface IntakeInputs {
  config: QuellConfig;
  redis: Redis;
  secrets: NodeJS.ProcessEnv;
  incidents: IncidentService;
  containment: ContainmentService;
  chat: ChatPort;
  views: IntakePresenter;
  jobs: JobRuntime;
  clock: Clock;
  logger: Logger;
  onCall?: OnCallResolver;
}

/** Alert intake: its route (`POST /api/alerts/:source`) and its job types, for the composition root. */
export interface Intake {
  routes: ApiRoute[];
  jobTypes: JobDefinition[];
  receiver: AlertReceiver;
}

/** Builds intake; start-up fails (ConfigError) on a missing secret, a broken template or an unknown playbook. */
export function createIntake(inputs: IntakeInputs): Intake {
  const store = new IntakeStore(inputs.redis, inputs.config.redis.keyPrefix);
  const jobs = new AlertJobs({ ...inputs, store });
  const receiver = new AlertReceiver({ ...inputs, store, jobs });
  return {
    receiver,
    jobTypes: jobs.jobTypes,
    routes: [
      // alert bodies are small; a larger one is refused (413) before it is read whole
      {
        method: 'POST',
        path: '/api/alerts/:source',
        bodyLimit: 512 * 1024,
        handler: (req) => receiver.receive(req),
      },
    ],
  };
}
