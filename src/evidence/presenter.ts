import type { ChatMessage } from '../chat/port.js';

/** What the channel is shown while an archive runs, when it fails, and how a Retry is asked for. */
export interface ArchiveProgress {
  incidentId: string;
  /** Messages and replies read so far. */
  read: number;
  /** Estimated total (from how far back history has been read); undefined when unknown. */
  estimatedTotal?: number;
  /** Estimated milliseconds left at Slack's pace; undefined when unknown. */
  etaMs?: number;
  phase: 'reading' | 'writing' | 'uploading';
  resumed: boolean;
}

export interface ArchiveFailure {
  incidentId: string;
  /** What failed and why, in a sentence (no secrets). */
  reason: string;
  /** When the runtime will try again by itself; undefined when it gave up. */
  retryingAt?: Date;
  /** The value a Retry button carries (the incident id), when a person may retry. */
  retryValue?: string;
}

export interface ArchiveDone {
  incidentId: string;
  version: number;
  location: string;
  manifestSha256: string;
  messages: number;
  threadReplies: number;
  revisions: number;
  signed: boolean;
  gaps: number;
}

export interface EvidencePresenter {
  progress(p: ArchiveProgress): ChatMessage;
  failed(f: ArchiveFailure): ChatMessage;
  done(d: ArchiveDone): ChatMessage;
}

const n = (v: number) => v.toLocaleString('en-US');

export function progressText(p: ArchiveProgress): string {
  const of = p.estimatedTotal ? ` of ~${n(Math.max(p.estimatedTotal, p.read))}` : '';
  const eta = p.etaMs !== undefined ? `, about ${Math.max(1, Math.round(p.etaMs / 60_000))} min left` : '';
  const phase =
    p.phase === 'reading'
      ? `archiving: ${n(p.read)}${of} messages${eta}`
      : p.phase === 'writing'
        ? `writing the bundle (${n(p.read)} messages)`
        : 'storing the bundle';
  return `:hourglass_flowing_sand: ${p.incidentId} evidence ${phase}${p.resumed ? ' (resumed after a restart)' : ''}`;
}

export function failedText(f: ArchiveFailure): string {
  const next = f.retryingAt
    ? ` Quell tries again by itself at <!date^${Math.floor(f.retryingAt.getTime() / 1000)}^{time}|${f.retryingAt.toISOString()}>.`
    : ' Quell gave up; press Retry or run `/incident archive`.';
  return `:x: ${f.incidentId} evidence archive failed: ${f.reason}.${next} Nothing half-written was kept.`;
}

export function doneText(d: ArchiveDone): string {
  return `:lock: ${d.incidentId} evidence bundle v${d.version} archived: ${n(d.messages)} messages, ${n(d.threadReplies)} thread replies, ${n(d.revisions)} captured edits/deletions${d.gaps ? `, ${d.gaps} gap(s) recorded in the manifest` : ''}. Stored at \`${d.location}\` · manifest SHA-256 \`${d.manifestSha256}\`${d.signed ? ' · signed (Ed25519)' : ''}`;
}

/** Text-only messages (no Retry button): scripts and tests without the Slack blocks. */
export const plainEvidencePresenter: EvidencePresenter = {
  progress: (p) => ({ text: progressText(p) }),
  failed: (f) => ({ text: failedText(f) }),
  done: (d) => ({ text: doneText(d) }),
};
