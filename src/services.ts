import type { Redis } from 'ioredis';
import type { ChatPort } from './chat/port.js';
import type { Clock } from './clock.js';
import { type CommsService, createCommsService } from './comms/index.js';
import type { QuellConfig } from './config/schema.js';
import { type ContainmentService, createContainmentService } from './containment/index.js';
import { createEvidenceService } from './evidence/index.js';
import type { EvidenceService } from './evidence/service.js';
import { evidenceSourcesFrom } from './evidence/sources.js';
import { IncidentService } from './incidents/service.js';
import { IncidentStore } from './incidents/store.js';
import type { Logger } from './logging/logger.js';
import { redisKeys } from './redis/keys.js';
import { Reminders } from './reminders/index.js';
import { createResolution, type Resolution } from './resolution/index.js';
import { AfterAckWork } from './slack/after-ack.js';
import { commsViews } from './slack/blocks/comms.js';
import { containmentViews } from './slack/blocks/containment.js';
import { incidentViews } from './slack/blocks/incident.js';
import { reminderViews } from './slack/blocks/reminders.js';
import { resolutionViews } from './slack/blocks/resolution.js';

/** Everything listeners and workers need, built once at start-up and passed down. */
export interface Services {
  config: QuellConfig;
  logger: Logger;
  clock: Clock;
  redis: Redis;
  chat: ChatPort;
  store: IncidentStore;
  incidents: IncidentService;
  /** Audience comms: template drafts, lint, versions, approvals, publishing, talking points. */
  comms: CommsService;
  /** Update-cadence reminders: structured updates, snoozes, the prompt schedule and its worker. */
  reminders: Reminders;
  evidence: EvidenceService;
  /** Containment actions and playbooks: authorize, confirm, execute, verify, audit, undo. */
  containment: ContainmentService;
  /** Restart gate, postmortem draft and corrective actions (with their overdue reminders). */
  resolution: Resolution;
  /** Slow work that listeners hand off once Slack has its ack. */
  afterAck: AfterAckWork;
}

export interface ServiceInputs {
  config: QuellConfig;
  logger: Logger;
  clock: Clock;
  redis: Redis;
  chat: ChatPort;
  /** Where containment secrets are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export function createServices({ config, logger, clock, redis, chat, env }: ServiceInputs): Services {
  const store = new IncidentStore(redis, redisKeys(config.redis.keyPrefix));
  const incidents = new IncidentService({ store, chat, views: incidentViews(config), config, clock, logger });
  const comms = createCommsService({
    config,
    redis,
    store,
    incidents,
    chat,
    views: commsViews(),
    clock,
    logger,
  });
  const reminders = new Reminders({
    config,
    logger,
    clock,
    redis,
    store,
    incidents,
    views: reminderViews(config),
  });
  const evidence = createEvidenceService({ config, chat, incidents, store, redis, clock, logger });
  const containment = createContainmentService({
    config,
    chat,
    incidents,
    store,
    redis,
    clock,
    logger,
    views: containmentViews(),
    env,
  });
  evidence.useSources(evidenceSourcesFrom({ comms, containment }));
  const resolution = createResolution({
    config,
    redis,
    store,
    incidents,
    containment,
    comms,
    reminders,
    chat,
    views: resolutionViews(config),
    clock,
    logger,
  });
  return {
    config,
    logger,
    clock,
    redis,
    chat,
    store,
    incidents,
    comms,
    reminders,
    evidence,
    containment,
    resolution,
    afterAck: new AfterAckWork(),
  };
}
