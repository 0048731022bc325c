import type { KeyObject } from 'node:crypto';
import type { TimelineEvent } from '../incidents/timeline.js';
import { BundleUnreadableError } from './bundle-source.js';
import type { EvidenceStorage } from './storage/port.js';
import { verifyBundle } from './verify.js';

/** The newest bundle of an incident as re-checked just now (the restart gate reads this). */
export interface VerifiedBundle {
  version: number;
  location: string;
  storage: string;
  manifestSha256: string;
  archivedAt: string;
  /** When it was checked (now). */
  verifiedAt: string;
  /** Every file matches, the manifest hash is the recorded one, the signature (if a key) holds. */
  ok: boolean;
  signature: 'valid' | 'invalid' | 'absent' | 'not-checked';
  /** What is wrong, one line each (empty when ok). */
  problems: string[];
}

/**
 * Finds the incident's latest `evidence_archived` event and verifies that bundle against the hash
 * recorded then (and the signing key, when configured). Undefined when nothing was archived.
 */
export async function latestVerifiedBundle(
  timeline: readonly TimelineEvent[],
  storage: EvidenceStorage,
  now: Date,
  publicKey?: KeyObject,
): Promise<VerifiedBundle | undefined> {
  const event = timeline.findLast((e) => e.kind === 'evidence_archived');
  if (!event) return undefined;
  const data = event.data as {
    version?: number;
    location?: string;
    manifestSha256?: string;
    storage?: string;
  };
  if (typeof data.location !== 'string' || typeof data.manifestSha256 !== 'string') return undefined;
  const base = {
    version: Number(data.version ?? 0),
    location: data.location,
    storage: String(data.storage ?? ''),
    manifestSha256: data.manifestSha256,
    archivedAt: event.at,
    verifiedAt: now.toISOString(),
  };
  await (storage as { load?: () => Promise<void> }).load?.();
  const source = storage.source?.(data.location);
  if (!source)
    return { ...base, ok: false, signature: 'not-checked', problems: ['this store cannot read the bundle'] };
  try {
    const report = await verifyBundle(source, {
      expectedManifestSha256: data.manifestSha256,
      ...(publicKey ? { publicKey } : {}),
    });
    const problems = [
      ...report.problems,
      ...report.changed.map((p) => `${p} changed`),
      ...report.removed.map((p) => `${p} missing`),
      ...report.added.map((p) => `${p} added`),
    ];
    return { ...base, ok: report.ok, signature: report.signature, problems };
  } catch (error) {
    if (!(error instanceof BundleUnreadableError)) throw error;
    return { ...base, ok: false, signature: 'not-checked', problems: [error.message] };
  }
}
