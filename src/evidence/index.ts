import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { RevisionLog } from './revisions.js';
import { EvidenceService } from './service.js';
import { type EvidenceSources, timelineEvidenceSources } from './sources.js';
import { LocalEvidenceStorage } from './storage/local.js';
import type { EvidenceStorage } from './storage/port.js';
import { S3EvidenceStorage } from './storage/s3.js';

export interface EvidenceInputs {
  config: QuellConfig;
  chat: ChatPort;
  incidents: IncidentService;
  store: IncidentStore;
  redis: Redis;
  clock: Clock;
  logger: Logger;
  /** Where the S3 credentials named in the config are read from (none by default). */
  secrets?: NodeJS.ProcessEnv;
  /** The bundle's containment audit and comms history; the timeline by default. */
  sources?: Partial<EvidenceSources>;
}

/**
 * The evidence service on its own, for scripts and tests that need no other feature (services.ts
 * builds the app's one with the real containment and comms sources). No I/O until something is archived.
 */
export function createEvidenceService(inputs: EvidenceInputs): EvidenceService {
  const { config } = inputs;
  return new EvidenceService({
    config: config.evidence,
    chat: inputs.chat,
    incidents: inputs.incidents,
    store: inputs.store,
    storage: createEvidenceStorage(config, inputs.secrets ?? {}),
    revisions: new RevisionLog(inputs.redis, config.redis.keyPrefix),
    clock: inputs.clock,
    logger: inputs.logger,
    sources: {
      ...timelineEvidenceSources((id) => inputs.incidents.timeline(id)),
      ...inputs.sources,
    },
  });
}

export function createEvidenceStorage(config: QuellConfig, env: NodeJS.ProcessEnv): EvidenceStorage {
  const { storage } = config.evidence;
  if (storage.kind === 's3' && storage.s3)
    return S3EvidenceStorage.fromConfig(storage.s3, storage.directory, env);
  return new LocalEvidenceStorage(storage.directory);
}
export { tsToDate } from './transcript-export.js';
export { EVIDENCE_VERIFY_USAGE, evidenceVerifyCommand } from './verify-cli.js';
