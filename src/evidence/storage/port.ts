import type { BundleSource } from '../bundle-source.js';

/**
 * Where finished bundles are kept. A bundle is built in a private local staging directory, then
 * published as the next version of its incident's bundle: all of it or none of it, and never over an
 * existing version (a re-archive is a new version). Every store passes the same conformance suite
 * (test/evidence/storage-conformance.ts).
 */
export interface BundleReservation {
  incidentId: string;
  version: number;
  /** Where the bundle is (or will be): a directory path or an s3:// URL. */
  location: string;
}

export interface EvidenceStorage {
  readonly kind: 'local' | 's3';
  /** A new private (0700) directory to build a bundle in, on the same disk as the bundles if local. */
  createStaging(incidentId: string): Promise<string>;
  /** Claims the next free version number for the incident; no two callers get the same one. */
  reserve(incidentId: string): Promise<BundleReservation>;
  /** Publishes every file of the staging directory under the reservation; never overwrites. */
  publish(reservation: BundleReservation, stagingDir: string): Promise<void>;
  /** Gives back a reserved version that was never published (nothing is left at it). */
  release?(reservation: BundleReservation): Promise<void>;
  /** Removes a staging directory (after publishing, or after a failure). */
  discardStaging(stagingDir: string): Promise<void>;
  /** A reader of the bundle published at `location` (verify, the restart gate). */
  source?(location: string): BundleSource | undefined;
  /** The published (complete) versions of an incident's bundle, oldest first. */
  versions(incidentId: string): Promise<BundleReservation[]>;
  /**
   * Every incident id the store holds anything for (a bundle, or a version ever reserved): the id
   * floor reads it at start-up so an id is never used twice (incidents/id-floor.ts).
   */
  incidentIds(): Promise<string[]>;
}

export class BundleExistsError extends Error {
  constructor(location: string) {
    super(`an evidence bundle already exists at ${location}; bundles are never overwritten`);
    this.name = 'BundleExistsError';
  }
}

/** Incident ids are validated by config, but a path segment must never climb out of the store. */
export function safeSegment(incidentId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(incidentId)) throw new Error(`unsafe incident id for a path: ${incidentId}`);
  return incidentId;
}
