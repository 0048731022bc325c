import { randomUUID } from 'node:crypto';
import { access, chmod, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type BundleSource, LocalBundleSource } from '../bundle-source.js';
import { DIR_MODE, syncDirectory } from '../files.js';
import { MANIFEST_FILE } from '../manifest.js';
import { BundleExistsError, type BundleReservation, type EvidenceStorage, safeSegment } from './port.js';

const VERSION_DIR = /^v(\d+)$/;
const STAGING = '.staging';
/** An incident's folder is named by its id (`INC-7`). */
const INCIDENT_DIR = /^[A-Z][A-Z0-9]{0,9}-\d+$/;

/**
 * Bundles in a local directory: `<root>/<incident>/v<N>/`. A version is claimed by creating its empty
 * directory (mkdir is exclusive), built under `<root>/.staging/`, and published with one rename onto
 * the empty claim: atomic on one filesystem, and a rename onto a non-empty directory fails, so a
 * published bundle is never overwritten.
 */
export class LocalEvidenceStorage implements EvidenceStorage {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async createStaging(incidentId: string): Promise<string> {
    const dir = join(this.root, STAGING, `${safeSegment(incidentId)}-${randomUUID()}`);
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await chmod(this.root, DIR_MODE);
    return dir;
  }

  async reserve(incidentId: string): Promise<BundleReservation> {
    const incidentDir = join(this.root, safeSegment(incidentId));
    await mkdir(incidentDir, { recursive: true, mode: DIR_MODE });
    let version = (await this.existingVersions(incidentDir)).at(-1) ?? 0;
    for (;;) {
      version++;
      const location = join(incidentDir, `v${version}`);
      try {
        await mkdir(location, { mode: DIR_MODE });
        return { incidentId, version, location };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  async publish(reservation: BundleReservation, stagingDir: string): Promise<void> {
    try {
      await rename(stagingDir, reservation.location);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new BundleExistsError(reservation.location);
      throw error;
    }
    await syncDirectory(join(this.root, safeSegment(reservation.incidentId)));
  }

  /** Removes the empty claim of a version that was never published, so no empty folder is left. */
  async release(reservation: BundleReservation): Promise<void> {
    await rmdir(reservation.location).catch(() => undefined);
  }

  async discardStaging(stagingDir: string): Promise<void> {
    if (!resolve(stagingDir).startsWith(join(this.root, STAGING))) return;
    await rm(stagingDir, { recursive: true, force: true });
  }

  source(location: string): BundleSource | undefined {
    return resolve(location).startsWith(this.root) ? new LocalBundleSource(location) : undefined;
  }

  /** Versions with a manifest: a claim or a partial copy is never counted as a bundle. */
  async versions(incidentId: string): Promise<BundleReservation[]> {
    const incidentDir = join(this.root, safeSegment(incidentId));
    const out: BundleReservation[] = [];
    for (const version of await this.existingVersions(incidentDir)) {
      const location = join(incidentDir, `v${version}`);
      if (
        await access(join(location, MANIFEST_FILE)).then(
          () => true,
          () => false,
        )
      )
        out.push({ incidentId, version, location });
    }
    return out;
  }

  /** The incident folders under the root (`.staging` and anything not an id left out). */
  async incidentIds(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    });
    return entries.filter((e) => e.isDirectory() && INCIDENT_DIR.test(e.name)).map((e) => e.name);
  }

  private async existingVersions(incidentDir: string): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(incidentDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((name) => VERSION_DIR.exec(name)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }
}
