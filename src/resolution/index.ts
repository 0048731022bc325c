import type { Redis } from 'ioredis';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { CommsService } from '../comms/service.js';
import type { QuellConfig } from '../config/schema.js';
import type { ContainmentService } from '../containment/service.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { Logger } from '../logging/logger.js';
import type { Reminders } from '../reminders/index.js';
import { reminderKeys } from '../reminders/keys.js';
import { PostGuard } from '../reminders/post-guard.js';
import { actionOverdueHandler, CorrectiveActions } from './actions.js';
import { actionOverdueJob } from './jobs.js';
import { loadPostmortemTemplate, type PostmortemTemplate } from './postmortem-template.js';
import { ResolutionService } from './service.js';
import { ResolutionStore } from './store.js';
import type { ResolutionPresenter } from './presenter.js';

export interface ResolutionInputs {
  config: QuellConfig;
  redis: Redis;
  store: IncidentStore;
  incidents: IncidentService;
  containment: ContainmentService;
  comms: CommsService;
  reminders: Reminders;
  chat: ChatPort;
  views: ResolutionPresenter;
  clock: Clock;
  logger: Logger;
  /** Already loaded template (tests); by default read from config.resolution.postmortem.template. */
  template?: PostmortemTemplate;
}

export interface Resolution {
  service: ResolutionService;
  actions: CorrectiveActions;
}

/**
 * Builds the restart gate, postmortem and corrective actions. The postmortem template is loaded and
 * checked now, so a broken template stops start-up with its file and line. Overdue-action reminders
 * run on the reminder queue and its workers (registered here, before any worker starts).
 */
export function createResolution(inputs: ResolutionInputs): Resolution {
  const { config, redis, store, incidents, clock, logger, chat, views } = inputs;
  const template = inputs.template ?? loadPostmortemTemplate(config.resolution.postmortem.template);
  const resolutionStore = new ResolutionStore(redis, config.redis.keyPrefix);
  const actions = new CorrectiveActions({
    store: resolutionStore,
    incidentStore: store,
    incidents,
    queue: inputs.reminders.queue,
    clock,
    logger,
  });
  inputs.reminders.handleJob(
    actionOverdueJob.name,
    actionOverdueHandler({
      actions,
      incidentStore: store,
      incidents,
      chat,
      views,
      guard: new PostGuard(redis, reminderKeys(config.redis.keyPrefix)),
      clock,
    }),
    { reconcile: () => actions.reconcile() },
  );
  const service = new ResolutionService({
    config,
    store: resolutionStore,
    incidentStore: store,
    incidents,
    containment: inputs.containment,
    comms: inputs.comms,
    actions,
    chat,
    views,
    template,
    clock,
    logger,
  });
  return { service, actions };
}

export { GateBlockedError, ResolutionService } from './service.js';
