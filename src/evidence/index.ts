/**
 * The evidence feature's public entry: build the service, read bundles back, and write into them.
 *
 * ## Writing into a bundle: `EvidenceSink` (forensic collectors)
 *
 * A collector receives an `EvidenceSink` for the bundle being built and adds files with its id:
 *
 *   await sink.writeFile('openai-logs', 'requests.jsonl', stream);   // → forensics/openai-logs/requests.jsonl
 *   await sink.writeFile('openai-logs', 'runs/run-42.json', '{"…"}');
 *   sink.recordGap({ source: 'forensics.openai-logs', what: 'runs before 12:00', reason: 'retention 30 days' });
 *
 * - `content` is a string, bytes, a Node Readable or any async iterable of chunks: it is streamed to
 *   the bundle's private (0600) staging directory, never held whole in memory.
 * - Each file is hashed (SHA-256) as it is written and listed in the manifest as
 *   `{ path, bytes, sha256, collector: 'forensics.<id>' }`; the manifest is RFC 8785 canonical JSON,
 *   signed with Ed25519 and optionally timestamped (RFC 3161), so the file is covered by the seal.
 * - `<id>`: lower-case letters, digits, dashes. `name`: letters, digits, `. _ -`, `/` for folders;
 *   no `..`, no hidden segments. A second write of the same path is refused (`BundlePathError`).
 * - Gaps (what could not be collected, and why) go to the manifest's `gaps`, so an investigator sees
 *   a missing source named, never a silent hole.
 *
 * ## Reading: `latestVerifiedBundle(incidentId)` on the service (the restart gate)
 * The newest bundle, re-verified now against the hash recorded on the timeline and the signing key.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import type { QuellConfig } from '../config/schema.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import { ArchiveRunStore } from './archive-state.js';
import type { EvidenceReads } from './channel-sources.js';
import type { EvidencePresenter } from './presenter.js';
import { RevisionLog } from './revisions.js';
import { loadSigningKey, type SigningKey, SigningKeyError } from './seal/signing.js';
import { EvidenceService } from './service.js';
import { type EvidenceSources, timelineEvidenceSources } from './sources.js';
import { LazyS3Storage } from './storage/lazy-s3.js';
import { LocalEvidenceStorage } from './storage/local.js';
import type { EvidenceStorage } from './storage/port.js';

export interface EvidenceInputs {
  config: QuellConfig;
  chat: ChatPort;
  incidents: IncidentService;
  store: IncidentStore;
  redis: Redis;
  clock: Clock;
  logger: Logger;
  /** Where the S3 credentials and the signing key named in the config are read from (none by default). */
  secrets?: NodeJS.ProcessEnv;
  /** The bundle's containment audit and comms history; the timeline by default. */
  sources?: Partial<EvidenceSources>;
  reads?: Partial<EvidenceReads>;
  presenter?: EvidencePresenter;
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
    sources: { ...timelineEvidenceSources((id) => inputs.incidents.timeline(id)), ...inputs.sources },
    ...evidenceExtras(config, inputs.secrets ?? {}, inputs.redis),
    ...(inputs.reads ? { reads: inputs.reads } : {}),
    ...(inputs.presenter ? { presenter: inputs.presenter } : {}),
  });
}

/** Run checkpoints (resume) and the signing key: what services.ts adds to its evidence deps. */
export function evidenceExtras(
  config: QuellConfig,
  secrets: NodeJS.ProcessEnv,
  redis: Redis,
): { runs: ArchiveRunStore; signingKey?: SigningKey } {
  const runs = new ArchiveRunStore(redis, config.redis.keyPrefix);
  const signing = config.evidence.signing;
  if (!signing) return { runs };
  const text = secrets[signing.privateKeyEnv];
  if (!text)
    throw new SigningKeyError(
      `evidence.signing.privateKeyEnv names ${signing.privateKeyEnv}, but it is not set (quell evidence keygen makes a key)`,
    );
  return { runs, signingKey: loadSigningKey(text, signing.privateKeyEnv) };
}

export function createEvidenceStorage(config: QuellConfig, env: NodeJS.ProcessEnv): EvidenceStorage {
  const { storage } = config.evidence;
  if (storage.kind === 's3' && storage.s3) return new LazyS3Storage(storage.s3, storage.directory, env);
  return new LocalEvidenceStorage(storage.directory);
}

export { ARCHIVE_JOB, archiveOnResolve, archiveOnResolveJob } from './auto-archive.js';
export { BundleUnreadableError, LocalBundleSource } from './bundle-source.js';
export { BundlePathError, BundleWriter, type EvidenceSink, type FileContent } from './bundle-writer.js';
export type { EvidenceReads } from './channel-sources.js';
export { historyRates, SLACK_PACE } from './config.js';
export type { VerifiedBundle } from './latest-bundle.js';
export type { Manifest, ManifestFile } from './manifest.js';
/** The readable views' secret masking, for other features' readable views (forensics). */
export { MASK, maskTranscriptSecrets } from './mask.js';
export {
  type ArchiveDone,
  type ArchiveFailure,
  type ArchiveProgress,
  doneText,
  type EvidencePresenter,
  failedText,
  progressText,
} from './presenter.js';
export { changedParts, type MessageContent } from './revisions.js';
export { tsToDate, tsToIso } from './transcript-export.js';
export { verifyBundle } from './verify.js';
export { EVIDENCE_VERIFY_USAGE, evidenceKeygenCommand, evidenceVerifyCommand } from './verify-cli.js';
