import { QuellError } from '../errors.js';
import type { CommsDraft, CommsVersion } from './model.js';

/** The checks every decision on a draft passes: still open, the version the person saw, nobody raced. */

export function assertOpen(draft: CommsDraft): void {
  if (draft.status !== 'open')
    throw new QuellError(
      'comms_draft_closed',
      `This ${draft.title.toLowerCase()} draft was already ${draft.status}; start a new one with \`/comms draft ${draft.audience}\`.`,
    );
}

export function assertLatest(draft: CommsDraft, version: number): CommsVersion {
  const latest = draft.versions.at(-1)!;
  if (latest.number !== version)
    throw new QuellError(
      'comms_stale_version',
      `v${version} is not the latest version of this draft (v${latest.number} is): read v${latest.number} first.`,
    );
  return latest;
}

export function assertDecided(result: 'decided' | 'closed' | 'stale', draft: CommsDraft): void {
  if (result === 'closed')
    throw new QuellError(
      'comms_draft_closed',
      `Someone else decided this ${draft.title.toLowerCase()} draft just now.`,
    );
  if (result === 'stale')
    throw new QuellError('comms_stale_version', 'A new version was saved just now: read it before deciding.');
}
