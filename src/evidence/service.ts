import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type ChatPort, chatErrorCode } from '../chat/port.js';
import type { Clock } from '../clock.js';
import { QuellError } from '../errors.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { IncidentStore } from '../incidents/store.js';
import type { EvidenceConfig } from './config.js';
import { listFiles, writePrivateFile } from './files.js';
import {
  hashFiles,
  MANIFEST_CHECKSUM_FILE,
  MANIFEST_FILE,
  type Manifest,
  type ManifestBody,
  sealManifest,
} from './manifest.js';
import { READABLE_TRANSCRIPT_FILE, writeReadableTranscript } from './readable.js';
import type { MessageRevision, RevisionLog } from './revisions.js';
import { type EvidenceSources, timelineEvidenceSources } from './sources.js';
import type { BundleReservation, EvidenceStorage } from './storage/port.js';
import { dateToTs, exportTranscript, type TranscriptExport, tsToDate } from './transcript-export.js';
import { UserDirectory } from './users.js';

export const EVIDENCE_ARCHIVED_EVENT = 'evidence_archived';

export interface EvidenceServiceDeps {
  config: EvidenceConfig;
  chat: ChatPort;
  incidents: IncidentService;
  store: IncidentStore;
  storage: EvidenceStorage;
  revisions: RevisionLog;
  clock: Clock;
  logger: Logger;
  /** Containment audit and comms history (services.ts passes the real services'); the timeline by default. */
  sources?: EvidenceSources;
}

export interface ArchiveRequest {
  incidentId: string;
  /** Who asked (a Slack user id), or who resolved the incident for an automatic archive. */
  actor: string;
  trigger: Manifest['trigger'];
}

export interface ArchiveOutcome {
  reservation: BundleReservation;
  manifest: Manifest;
  transcript: Pick<
    TranscriptExport,
    | 'messages'
    | 'threadReplies'
    | 'threads'
    | 'historyCalls'
    | 'repliesCalls'
    | 'minimumCalls'
    | 'duplicatesSkipped'
  >;
  userLookups: number;
  /** Slack file ids of the shared transcript and manifest; empty when not uploaded. */
  uploadedFileIds: string[];
  /** Why the upload to the channel failed, if it did (the bundle is stored regardless). */
  uploadError?: string;
}

/** Captured edits and deletions (from the Events API listener). */
export interface RevisionInput {
  channel: string;
  eventKey: string;
  revision: Omit<MessageRevision, 'channel'>;
}

/**
 * Archives an incident channel and its records as a tamper-evident bundle, and keeps the text of
 * messages edited or deleted while the incident is open.
 */
export class EvidenceService {
  private readonly sources: EvidenceSources;
  private readonly users: UserDirectory;

  constructor(private readonly deps: EvidenceServiceDeps) {
    this.sources = deps.sources ?? timelineEvidenceSources((id) => deps.incidents.timeline(id));
    this.users = new UserDirectory(deps.chat);
  }

  get storageKind(): EvidenceStorage['kind'] {
    return this.deps.storage.kind;
  }

  /**
   * Keeps the text a message had before an edit or deletion, if its channel belongs to an open
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

  async archive(request: ArchiveRequest): Promise<ArchiveOutcome> {
    const { storage, store, config, clock, chat, logger } = this.deps;
    const incident = await store.require(request.incidentId);
    // the automatic archive on resolve was decided by whoever resolved; a manual one is asked for
    if (request.trigger !== 'resolved')
      await this.deps.incidents.permissions.authorize(request.actor, 'archive', incident);
    if (!incident.channelId)
      throw new QuellError('no_incident_channel', `${incident.id} has no channel to archive.`);
    const channelId = incident.channelId;
    const archivedAt = clock.now();
    const staging = await storage.createStaging(incident.id);
    try {
      const reservation = await storage.reserve(incident.id);
      const transcript = await exportTranscript({
        chat,
        channel: channelId,
        latest: dateToTs(archivedAt),
        historyPageSize: config.historyPageSize,
        repliesPageSize: config.repliesPageSize,
        directory: staging,
      });
      const revisions = await this.deps.revisions.list(incident.id);
      const timeline = await this.deps.incidents.timeline(incident.id);
      const containment = await this.sources.containmentAudit(incident.id);
      const comms = await this.sources.commsHistory(incident.id);
      const inventory = (await this.sources.rollbackInventory?.(incident.id)) ?? [];

      const userIds = new Set(transcript.userIds);
      userIds.add(request.actor);
      for (const r of revisions) if (r.user) userIds.add(r.user);
      for (const holder of Object.values(incident.roles)) if (holder) userIds.add(holder);
      const lookupsBefore = this.users.lookups;
      const names = await this.users.resolveAll([...userIds].filter((id) => /^[UW][A-Z0-9]+$/.test(id)));
      const archivedByName = names[request.actor] ?? (request.actor === 'quell' ? 'Quell' : request.actor);

      const write = (path: string, content: string) => writePrivateFile(join(staging, path), content);
      await write('raw/message-revisions.jsonl', jsonl(revisions));
      await write('users.json', `${JSON.stringify(names, null, 2)}\n`);
      await write('incident.json', `${JSON.stringify(incident, null, 2)}\n`);
      await write('timeline.jsonl', jsonl(timeline));
      await write('containment-audit.jsonl', jsonl(containment));
      await write('comms-versions.jsonl', jsonl(comms));
      await write('rollback-inventory.jsonl', jsonl(inventory));
      const window = { from: incident.createdAt, to: archivedAt.toISOString() };
      await writeReadableTranscript({
        directory: staging,
        incident,
        index: transcript.index,
        revisions,
        names,
        archivedBy: request.actor,
        archivedAt: archivedAt.toISOString(),
        window,
      });

      const body: ManifestBody = {
        format: 'quell-evidence-bundle/1',
        incident: describeIncident(incident),
        bundle: { version: reservation.version, location: reservation.location },
        archivedBy: { id: request.actor, name: archivedByName },
        archivedAt: archivedAt.toISOString(),
        trigger: request.trigger,
        window: {
          ...window,
          firstMessageAt: transcript.firstTs ? tsToDate(transcript.firstTs).toISOString() : null,
          lastMessageAt: transcript.lastTs ? tsToDate(transcript.lastTs).toISOString() : null,
        },
        counts: {
          messages: transcript.messages,
          threadReplies: transcript.threadReplies,
          threads: transcript.threads,
          revisions: revisions.length,
          timelineEvents: timeline.length,
          containmentRecords: containment.length,
          commsRecords: comms.length,
        },
        hashAlgorithm: 'sha256',
        files: await hashFiles(staging, await listFiles(staging)),
      };
      const sealed = sealManifest(body);
      await write(MANIFEST_FILE, sealed.text);
      await write(MANIFEST_CHECKSUM_FILE, sealed.checksum);
      // read before publishing: a local publish moves the staging directory
      const readable = config.uploadToChannel
        ? await readFile(join(staging, READABLE_TRANSCRIPT_FILE))
        : null;
      await storage.publish(reservation, staging);

      const outcome: ArchiveOutcome = {
        reservation,
        manifest: sealed.manifest,
        transcript: {
          messages: transcript.messages,
          threadReplies: transcript.threadReplies,
          threads: transcript.threads,
          historyCalls: transcript.historyCalls,
          repliesCalls: transcript.repliesCalls,
          minimumCalls: transcript.minimumCalls,
          duplicatesSkipped: transcript.duplicatesSkipped,
        },
        userLookups: this.users.lookups - lookupsBefore,
        uploadedFileIds: [],
      };
      if (readable) await this.share(channelId, readable, reservation, sealed, outcome);
      await this.deps.incidents.record(
        incident.id,
        request.actor,
        EVIDENCE_ARCHIVED_EVENT,
        `archived the evidence as bundle v${reservation.version} (${transcript.messages} messages, ${transcript.threadReplies} thread replies) at ${reservation.location}; manifest SHA-256 ${sealed.manifest.manifestSha256}`,
        {
          location: reservation.location,
          storage: storage.kind,
          version: reservation.version,
          manifestSha256: sealed.manifest.manifestSha256,
          trigger: request.trigger,
          window: body.window,
          counts: body.counts,
          uploadedFileIds: outcome.uploadedFileIds,
          uploadError: outcome.uploadError ?? null,
        },
      );
      logger.info(
        { incident: incident.id, location: reservation.location, messages: transcript.messages },
        'evidence archived',
      );
      return outcome;
    } finally {
      await storage.discardStaging(staging).catch(() => undefined);
    }
  }

  /** Shares the readable transcript and the manifest in the channel; a failure is reported, not fatal. */
  private async share(
    channelId: string,
    readable: Buffer,
    reservation: BundleReservation,
    sealed: ReturnType<typeof sealManifest>,
    outcome: ArchiveOutcome,
  ): Promise<void> {
    const { manifest } = sealed;
    const base = `${manifest.incident.id}-evidence-v${reservation.version}`;
    try {
      const { fileIds } = await this.deps.chat.shareFiles(
        channelId,
        [
          {
            filename: `${base}-transcript.md`,
            title: `${manifest.incident.id} transcript (v${reservation.version})`,
            content: readable,
          },
          {
            filename: `${base}-manifest.json`,
            title: `${manifest.incident.id} evidence manifest (v${reservation.version})`,
            content: Buffer.from(sealed.text),
          },
        ],
        [
          `:lock: Evidence bundle v${reservation.version} of ${manifest.incident.id} archived: ${manifest.counts.messages} messages, ${manifest.counts.threadReplies} thread replies, ${manifest.counts.revisions} captured edits/deletions.`,
          `Stored at \`${reservation.location}\` · manifest SHA-256 \`${manifest.manifestSha256}\``,
          `Check it with \`quell evidence verify <bundle> --expect ${manifest.manifestSha256}\`.`,
        ].join('\n'),
      );
      outcome.uploadedFileIds = fileIds;
    } catch (error) {
      outcome.uploadError = chatErrorCode(error);
      this.deps.logger.warn(
        { err: error, incident: manifest.incident.id },
        'evidence upload to the channel failed',
      );
    }
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
