import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { checkAudiencesAgainstTemplates } from './check.js';
import type { CommsPresenter } from './presenter.js';
import { CommsService } from './service.js';
import { CommsStore, commsKeys } from './store.js';
import { loadTemplateLibrary, type TemplateLibrary } from './templates.js';

export {
  type ApproveOutcome,
  type CommsHistory,
  CommsService,
  DraftNotFoundError,
  describeApprovers,
  describeFindings,
  LintOverrideRequiredError,
  MAX_MESSAGE_LENGTH,
} from './service.js';

export interface CommsInputs {
  config: QuellConfig;
  redis: Redis;
  store: IncidentStore;
  incidents: IncidentService;
  chat: ChatPort;
  views: CommsPresenter;
  clock: Clock;
  logger: Logger;
  /** Already loaded templates (tests); by default read from config.comms.templatesDir. */
  templates?: TemplateLibrary;
}

/**
 * Builds the comms service. Loads and checks every template now, so a broken template stops
 * start-up with its file and line instead of failing in the middle of an incident.
 */
export function createCommsService(inputs: CommsInputs): CommsService {
  const templates = inputs.templates ?? loadTemplateLibrary(inputs.config.comms.templatesDir);
  checkAudiencesAgainstTemplates(inputs.config, templates);
  const talkingPoints = inputs.config.comms.talkingPointsAudience;
  if (!templates.get(talkingPoints))
    inputs.logger.warn(
      { audience: talkingPoints, templatesDir: templates.dir },
      'no template for the talking-points audience: /comms talking-points will show none',
    );
  return new CommsService({
    ...inputs,
    templates,
    comms: new CommsStore(inputs.redis, commsKeys(inputs.config.redis.keyPrefix)),
  });
}

export { checkCommsTemplates } from './check.js';
export { ROOT_CAUSE_EVENT } from './fields.js';
export type { LintFinding } from './lint.js';
export { plainDateTime, plainDuration } from './time.js';
