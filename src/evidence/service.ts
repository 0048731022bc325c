// Over 500 lines for now: archive orchestration (queue, resume, seal, publish, failure reporting);
// the failure-reporting part is the next to move out (see describe-error.ts).
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ChatPort } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { QuellError } from '../errors.js';
import { type Incident, SYSTEM_ACTOR } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { ArchiveRunStore, RunState } from './archive-state.js';
import { BundleWriter, clearStagingExceptRaw } from './bundle-writer.js';
import { type EvidenceReads, writeExtraSources } from './channel-sources.js';
import { type EvidenceConfig, pageSizes, SLACK_PACE } from './config.js';
import { describeArchiveError } from './describe-error.js';
import { latestVerifiedBundle, type VerifiedBundle } from './latest-bundle.js';
import { BUNDLE_FORMAT, type Manifest } from './manifest.js';
import { type EvidencePresenter, plainEvidencePresenter } from './presenter.js';
import { estimate, ProgressMessage, readSoFar } from './progress.js';
import { READABLE_TRANSCRIPT_FILE, writeReadableTranscript } from './readable.js';
import type { MessageRevision, RevisionLog } from './revisions.js';
import { sealBundle } from './seal/seal-bundle.js';
import type { SigningKey } from './seal/signing.js';
import { shareInChannel } from './share.js';
import { type EvidenceSources, timelineEvidenceSources } from './sources.js';
import type { BundleReservation, EvidenceStorage } from './storage/port.js';
import {
  dateToTs,
  exportTranscript,
  RAW_HISTORY_FILE,
  RAW_REPLIES_FILE,
  type TranscriptExport,
  tsToIso,
} from './transcript-export.js';
import { transcriptUserIds, UserDirectory } from './users.js';
import { QUELL_VERSION } from './version.js';

export const EVIDENCE_ARCHIVED_EVENT = 'evidence_archived';
export const EVIDENCE_ARCHIVE_FAILED_EVENT = 'evidence_archive_failed';

export interface EvidenceServiceDeps {
  config: EvidenceConfig;
  chat: ChatPort;
  incidents: IncidentService;
  store: IncidentStore;
  storage: EvidenceStorage;
  revisions: RevisionLog;
  clock: Clock;
  logger: Logger;
  /** Containment audit, comms history, rollback inventory (services.ts passes the real services'). */
  sources?: EvidenceSources;
  /** Pins, bookmarks and file bytes; without it those are recorded as gaps. */
  reads?: Partial<EvidenceReads>;
  /** The key that signs manifests (from the env variable `evidence.signing` names). */
  signingKey?: SigningKey;
  /** The served workspace (team / enterprise ids) for the manifest, when known. */
  workspace?: () => { teamId?: string; enterpriseId?: string };
  presenter?: EvidencePresenter;
  /** Redis for run checkpoints (resume); without it an archive restarts from the first page. */
  runs?: ArchiveRunStore;
}

export interface ArchiveRequest {
  incidentId: string;
  /** Who asked (a Slack user id), or who resolved the incident for an automatic archive. */
  actor: string;
  trigger: Manifest['trigger'];
  /** The durable job's id: a retry or a replica after a crash resumes this run. */
  runId?: string;
}

export interface ArchiveOutcome {
  reservation: BundleReservation;
  manifest: Manifest;
  manifestSha256: string;
  transcript: TranscriptExport['counts'];
  resumed: boolean;
  userLookups: number;
  /** Slack file ids of the shared transcript and manifest; empty when not uploaded. */
  uploadedFileIds: string[];
  /** Why the upload to the channel failed, if it did (the bundle is stored regardless). */
  uploadError?: string;
}

/** Captured edits and deletions (from the Events API listener). */
/** A queued archive (the archive job's payload). */
export interface ArchiveJobPayload {
  incidentId: string;
  actor: string;
  trigger: Manifest['trigger'];
  /** The request's idempotency key (letters, digits, `_ . -`). */
  requestKey: string;
}

export interface RevisionInput {
  channel: string;
  eventKey: string;
  revision: Omit<MessageRevision, 'channel'>;
}

/**
 * Archives an incident channel and its records as a signed, tamper-evident bundle, and keeps every
 * earlier version of messages edited or deleted while the incident is open.
 */
export class EvidenceService {
  private readonly sources: EvidenceSources;
  private readonly users: UserDirectory;
  private readonly presenter: EvidencePresenter;
  private enqueueArchive?: (payload: ArchiveJobPayload) => Promise<string>;

  constructor(private readonly deps: EvidenceServiceDeps) {
    this.sources = deps.sources ?? timelineEvidenceSources((id) => deps.incidents.timeline(id));
    this.users = new UserDirectory(deps.chat);
    this.presenter = deps.presenter ?? plainEvidencePresenter;
  }

  get storageKind(): EvidenceStorage['kind'] {
    return this.deps.storage.kind;
  }

  /**
   * Keeps what a message showed before an edit or deletion, if its channel belongs to an open
   * incident. Returns false when it was not kept (no open incident, or a retried delivery).
   */
  async recordRevision(input: RevisionInput): Promise<boolean> {
    const incident = await this.deps.incidents.findForChannel(input.channel);
    if (!incident || incident.status === 'resolved') return false;
    return this.deps.revisions.record(incident.id, input.eventKey, {
      ...input.revision,
      channel: input.channel,
    });
  }

  /**
   * Wires how a manual archive is queued (services.ts: the archive job on the long lane). Kept out
   * of the constructor: the job is built on this service.
   */
  useArchiveQueue(enqueue: (payload: ArchiveJobPayload) => Promise<string>): void {
    this.enqueueArchive = enqueue;
  }

  /**
   * `/incident archive` and the Retry button: checks the permission (a refusal is recorded), then
   * queues a durable archive keyed by the request, so a resent request archives once.
   */
  async requestArchive(incidentId: string, actor: string, requestKey: string): Promise<Incident> {
    const incident = await this.authorizeArchive(incidentId, actor);
    if (!this.enqueueArchive)
      throw new Error('archives cannot be queued: the archive job is not wired (services.ts)');
    await this.enqueueArchive({ incidentId: incident.id, actor, trigger: 'command', requestKey });
    return incident;
  }

  /** Checks that `actor` may archive `incidentId` (a manual archive), recording a refusal. */
  async authorizeArchive(incidentId: string, actor: string): Promise<Incident> {
    const incident = await this.deps.store.require(incidentId);
    await this.deps.incidents.permissions.authorize(actor, 'archive', incident);
    if (!incident.channelId)
      throw new QuellError('no_incident_channel', `${incident.id} has no channel to archive.`);
    return incident;
  }

  /**
   * The incident's newest bundle, verified now against the hash recorded when it was archived (and
   * its signature when a key is configured): "a verified bundle as of a stated time".
   */
  async latestVerifiedBundle(incidentId: string): Promise<VerifiedBundle | undefined> {
    const timeline = await this.deps.incidents.timeline(incidentId);
    return latestVerifiedBundle(
      timeline,
      this.deps.storage,
      this.deps.clock.now(),
      this.deps.signingKey?.publicKey,
    );
  }

  /** Every incident id the evidence store holds anything for (the id floor reads it at start-up). */
  archivedIncidentIds(): Promise<string[]> {
    return this.deps.storage.incidentIds();
  }

  async archive(request: ArchiveRequest): Promise<ArchiveOutcome> {
    const { storage, config, clock, chat, logger } = this.deps;
    const incident =
      request.trigger === 'resolved'
        ? await this.deps.store.require(request.incidentId)
        : await this.authorizeArchive(request.incidentId, request.actor);
    if (!incident.channelId)
      throw new QuellError('no_incident_channel', `${incident.id} has no channel to archive.`);
    const channelId = incident.channelId;
    const runId = request.runId ?? randomUUID();
    const run = await this.openRun(incident.id, runId);
    const resumed = run.checkpoint !== undefined;
    const progress = new ProgressMessage({
      chat,
      channel: channelId,
      presenter: this.presenter,
      clock,
      everyMs: config.progressEverySeconds * 1000,
      ts: run.progressTs,
      onPosted: async (ts) => {
        run.progressTs = ts;
        await this.saveRun(incident.id, runId, run);
      },
    });
    const archivedAt = clock.now();
    const sizes = pageSizes(config);
    const writer = new BundleWriter(run.staging);
    writer.claim(RAW_HISTORY_FILE, 'slack.history');
    writer.claim(RAW_REPLIES_FILE, 'slack.replies');
    const windowStartMs = Date.parse(incident.createdAt);
    await progress.show({ incidentId: incident.id, read: readSoFar(run), phase: 'reading', resumed }, true);

    const transcript = await exportTranscript({
      chat,
      channel: channelId,
      hostNowTs: dateToTs(archivedAt),
      marginSeconds: config.windowMarginSeconds,
      historyPageSize: sizes.history,
      repliesPageSize: sizes.replies,
      directory: run.staging,
      // the archive's own progress message is not evidence of the incident
      skip: (ts) => ts === run.progressTs,
      ...(run.checkpoint ? { resume: run.checkpoint } : {}),
      onCheckpoint: async (checkpoint) => {
        run.checkpoint = checkpoint;
        await this.saveRun(incident.id, runId, run);
        await progress.show({
          incidentId: incident.id,
          read: readSoFar(run),
          phase: 'reading',
          resumed,
          ...estimate(checkpoint, windowStartMs, SLACK_PACE[config.pace].callsPerMinute, sizes.history),
        });
      },
    });
    await progress.show({ incidentId: incident.id, read: readSoFar(run), phase: 'writing', resumed }, true);
    for (const thread of transcript.vanishedThreads)
      writer.recordGap({
        source: 'slack.replies',
        what: `thread ${thread}`,
        reason: 'thread_not_found while archiving (deleted mid-archive)',
      });

    const revisions = await this.deps.revisions.list(incident.id);
    const timeline = await this.deps.incidents.timeline(incident.id);
    const containment = await this.sources.containmentAudit(incident.id);
    const comms = await this.sources.commsHistory(incident.id);
    const inventory = (await this.sources.rollbackInventory?.(incident.id)) ?? [];
    const obligations = (await this.sources.obligations?.(incident.id)) ?? [];

    const userIds = await transcriptUserIds(run.staging, request.actor, revisions, incident);
    const lookupsBefore = this.users.lookups;
    const users = await this.users.resolveAll([...userIds].filter((id) => /^[UW][A-Z0-9]+$/.test(id)));
    const names = Object.fromEntries(users.map((u) => [u.id, u.name]));
    const archivedByName = names[request.actor] ?? (request.actor === SYSTEM_ACTOR ? 'Quell' : request.actor);

    await writer.write('raw/message-revisions.jsonl', 'quell.revisions', jsonl(revisions));
    await writer.write('users.json', 'slack.users', `${JSON.stringify(users, null, 2)}\n`);
    await writer.write('incident.json', 'quell.incident', `${JSON.stringify(incident, null, 2)}\n`);
    await writer.write('timeline.jsonl', 'quell.timeline', jsonl(timeline));
    await writer.write('containment-audit.jsonl', 'quell.containment', jsonl(containment));
    await writer.write('comms-versions.jsonl', 'quell.comms', jsonl(comms));
    await writer.write('rollback-inventory.jsonl', 'quell.rollback-inventory', jsonl(inventory));
    if (obligations.length) await writer.write('obligations.jsonl', 'quell.obligations', jsonl(obligations));
    await this.sources.forensics?.(incident.id, writer);
    const extra = await writeExtraSources(
      this.deps,
      this.agentChannels(incident),
      writer,
      channelId,
      incident,
      transcript.latestTs,
    );
    const window = { from: incident.createdAt, to: archivedAt.toISOString() };
    writer.claim(READABLE_TRANSCRIPT_FILE, 'quell.transcript');
    await writeReadableTranscript({
      directory: run.staging,
      incident,
      revisions,
      names,
      archivedBy: request.actor,
      archivedAt: archivedAt.toISOString(),
      window,
      vanishedThreads: transcript.vanishedThreads,
    });

    const files = await writer.files();
    // the version is claimed only now: a failure before this point leaves no empty version behind
    await progress.show({ incidentId: incident.id, read: readSoFar(run), phase: 'uploading', resumed }, true);
    const reservation = await storage.reserve(incident.id);
    const workspace = this.deps.workspace?.() ?? {};
    const manifest: Manifest = {
      format: BUNDLE_FORMAT,
      canonicalization: 'RFC8785',
      quell: { version: QUELL_VERSION },
      workspace: {
        teamId: workspace.teamId ?? transcript.teamId ?? null,
        enterpriseId: workspace.enterpriseId ?? null,
      },
      incident: describeIncident(incident),
      channels: [
        { id: channelId, role: 'incident' },
        ...this.agentChannels(incident).map((id) => ({ id, role: 'agent-bot' as const })),
      ],
      bundle: { version: reservation.version, location: reservation.location },
      archivedBy: { id: request.actor, name: archivedByName },
      archivedAt: archivedAt.toISOString(),
      trigger: request.trigger,
      window: {
        ...window,
        latestTs: transcript.latestTs,
        marginSeconds: config.windowMarginSeconds,
        firstMessageAt: transcript.firstTs ? tsToIso(transcript.firstTs) : null,
        lastMessageAt: transcript.lastTs ? tsToIso(transcript.lastTs) : null,
      },
      counts: {
        ...transcript.counts,
        revisions: revisions.length,
        timelineEvents: timeline.length,
        containmentRecords: containment.length,
        commsRecords: comms.length,
        rollbackInventoryItems: inventory.length,
        users: users.length,
        ...extra,
      },
      gaps: writer.gaps,
      hashAlgorithm: 'sha256',
      files,
      signing: this.deps.signingKey ? { algorithm: 'Ed25519', keyId: this.deps.signingKey.keyId } : null,
      timestampAuthority: config.timestamp?.url ?? null,
    };
    let sealed: Awaited<ReturnType<typeof sealBundle>>;
    let readable: Buffer | null;
    try {
      sealed = await sealBundle(writer, manifest, {
        ...(this.deps.signingKey ? { signingKey: this.deps.signingKey } : {}),
        ...(config.timestamp
          ? { timestamp: { url: config.timestamp.url, timeoutMs: config.timestamp.timeoutSeconds * 1000 } }
          : {}),
      });
      // read before publishing: a local publish moves the staging directory
      // a huge transcript is not read into memory for Slack: the bundle has it, the channel gets the manifest
      const transcriptPath = join(run.staging, READABLE_TRANSCRIPT_FILE);
      readable =
        config.uploadToChannel && (await stat(transcriptPath)).size <= config.uploadMaxBytes
          ? await readFile(transcriptPath)
          : null;
      await storage.publish(reservation, run.staging);
    } catch (error) {
      await storage.release?.(reservation).catch(() => undefined);
      throw error;
    }

    const outcome: ArchiveOutcome = {
      reservation,
      manifest,
      manifestSha256: sealed.manifestSha256,
      transcript: transcript.counts,
      resumed,
      userLookups: this.users.lookups - lookupsBefore,
      uploadedFileIds: [],
    };
    if (config.uploadToChannel) {
      const shared = await shareInChannel({
        chat,
        logger,
        channelId,
        incidentId: incident.id,
        reservation,
        manifestSha256: sealed.manifestSha256,
        manifestBytes: sealed.bytes,
        transcript: readable,
        signed: Boolean(this.deps.signingKey),
      });
      outcome.uploadedFileIds = shared.fileIds;
      if (shared.error) outcome.uploadError = shared.error;
    }
    readable = null;
    await this.deps.incidents.record(
      incident.id,
      request.actor,
      EVIDENCE_ARCHIVED_EVENT,
      `archived the evidence as bundle v${reservation.version} (${transcript.counts.messages} messages, ${transcript.counts.threadReplies} thread replies) at ${reservation.location}; manifest SHA-256 ${sealed.manifestSha256}${this.deps.signingKey ? ', signed' : ''}`,
      {
        location: reservation.location,
        storage: storage.kind,
        version: reservation.version,
        manifestSha256: sealed.manifestSha256,
        signingKeyId: this.deps.signingKey?.keyId ?? null,
        trigger: request.trigger,
        window: manifest.window,
        counts: manifest.counts,
        gaps: manifest.gaps.length,
        uploadedFileIds: outcome.uploadedFileIds,
        uploadError: outcome.uploadError ?? null,
      },
    );
    await progress.replace(
      this.presenter.done({
        incidentId: incident.id,
        version: reservation.version,
        location: reservation.location,
        manifestSha256: sealed.manifestSha256,
        messages: transcript.counts.messages,
        threadReplies: transcript.counts.threadReplies,
        revisions: revisions.length,
        signed: Boolean(this.deps.signingKey),
        gaps: manifest.gaps.length,
      }),
    );
    await this.finishRun(incident.id, runId, run);
    // the revision text leaves Redis through the retention sweep (incidents/retention.ts), which
    // checks this bundle again before it purges anything
    logger.info(
      { incident: incident.id, location: reservation.location, messages: transcript.counts.messages },
      'evidence archived',
    );
    return outcome;
  }

  /**
   * Says at once, in the channel (the progress message, edited) and on the timeline, what failed
   * and why. On the last attempt the run's staging is removed and a Retry button offered.
   */
  async reportFailure(
    request: ArchiveRequest,
    error: unknown,
    next: { retryingAt?: Date; attempt: number },
  ): Promise<void> {
    const reason = describeArchiveError(error);
    const incident = await this.deps.store.get(request.incidentId).catch(() => undefined);
    const run = request.runId ? await this.deps.runs?.get(request.incidentId, request.runId) : undefined;
    if (incident?.channelId) {
      const progress = new ProgressMessage({
        chat: this.deps.chat,
        channel: incident.channelId,
        presenter: this.presenter,
        clock: this.deps.clock,
        everyMs: 0,
        ts: run?.progressTs,
      });
      await progress
        .replace(
          this.presenter.failed({
            incidentId: request.incidentId,
            reason,
            ...(next.retryingAt ? { retryingAt: next.retryingAt } : { retryValue: request.incidentId }),
          }),
        )
        .catch((e: unknown) =>
          this.deps.logger.warn({ err: e }, 'could not show the archive failure in the channel'),
        );
    }
    if (next.attempt === 1 || !next.retryingAt)
      await this.deps.incidents.record(
        request.incidentId,
        request.actor,
        EVIDENCE_ARCHIVE_FAILED_EVENT,
        `could not archive the evidence: ${reason}${next.retryingAt ? '; retrying automatically' : '; gave up (Retry in the channel, or /incident archive)'}`,
        {
          reason,
          attempt: next.attempt,
          final: !next.retryingAt,
          run: request.runId ?? null,
          trigger: request.trigger,
        },
      );
    if (!next.retryingAt && request.runId && run)
      await this.finishRun(request.incidentId, request.runId, run);
  }

  private agentChannels(incident: Incident): string[] {
    return this.deps.config.agentBotChannels.filter((c) => c !== incident.channelId);
  }

  private async openRun(incidentId: string, runId: string): Promise<RunState> {
    const { runs, storage } = this.deps;
    const existing = await runs?.get(incidentId, runId);
    if (
      existing &&
      (await stat(existing.staging).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    ) {
      // the raw export resumes from its checkpoint; everything written after it is written again
      await clearStagingExceptRaw(existing.staging);
      existing.attempts++;
      await this.saveRun(incidentId, runId, existing);
      return existing;
    }
    const run: RunState = {
      staging: await storage.createStaging(incidentId),
      startedAt: this.deps.clock.now().toISOString(),
      attempts: 1,
      ...(existing?.progressTs ? { progressTs: existing.progressTs } : {}),
    };
    await this.saveRun(incidentId, runId, run);
    return run;
  }

  private async saveRun(incidentId: string, runId: string, run: RunState): Promise<void> {
    await this.deps.runs?.save(incidentId, runId, run);
  }

  private async finishRun(incidentId: string, runId: string, run: RunState): Promise<void> {
    await this.deps.storage.discardStaging(run.staging).catch(() => undefined);
    await this.deps.runs?.clear(incidentId, runId);
  }
}

function jsonl(items: readonly unknown[]): string {
  return items.map((item) => `${JSON.stringify(item)}\n`).join('');
}

function describeIncident(incident: Incident): Manifest['incident'] {
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    drill: incident.drill,
    channelId: incident.channelId ?? null,
    channelName: incident.channelName ?? null,
  };
}
