import type { BundleSource } from '../bundle-source.js';
import type { S3Config } from '../config.js';
import type { BundleReservation, EvidenceStorage } from './port.js';
import type { S3EvidenceStorage } from './s3.js';

/**
 * The S3 store, with the AWS SDK loaded on first use: a deployment on local storage (and the
 * archiver's memory) never carries the SDK's modules. Missing credential variables are still
 * refused at start-up.
 */
export class LazyS3Storage implements EvidenceStorage {
  readonly kind = 's3' as const;
  private loaded?: Promise<S3EvidenceStorage>;
  private ready?: S3EvidenceStorage;

  constructor(
    private readonly config: S3Config,
    private readonly stagingRoot: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    const { accessKeyIdEnv: id, secretAccessKeyEnv: secret } = config;
    if (id && secret && (!env[id] || !env[secret]))
      throw new Error(`evidence.storage.s3 names ${id} and ${secret}, but they are not set`);
  }

  private store(): Promise<S3EvidenceStorage> {
    this.loaded ??= import('./s3.js').then(({ S3EvidenceStorage }) => {
      this.ready = S3EvidenceStorage.fromConfig(this.config, this.stagingRoot, this.env);
      return this.ready;
    });
    return this.loaded;
  }

  async createStaging(incidentId: string): Promise<string> {
    return (await this.store()).createStaging(incidentId);
  }
  async reserve(incidentId: string): Promise<BundleReservation> {
    return (await this.store()).reserve(incidentId);
  }
  async publish(reservation: BundleReservation, stagingDir: string): Promise<void> {
    return (await this.store()).publish(reservation, stagingDir);
  }
  async release(reservation: BundleReservation): Promise<void> {
    return (await this.store()).release(reservation);
  }
  async discardStaging(stagingDir: string): Promise<void> {
    return (await this.store()).discardStaging(stagingDir);
  }
  async versions(incidentId: string): Promise<BundleReservation[]> {
    return (await this.store()).versions(incidentId);
  }
  async incidentIds(): Promise<string[]> {
    return (await this.store()).incidentIds();
  }
  /** Available once the store was used (the restart gate reads bundles this process archived or listed). */
  source(location: string): BundleSource | undefined {
    return this.ready?.source(location);
  }
  /** Loads the SDK now (before reading a bundle back). */
  async load(): Promise<void> {
    await this.store();
  }
}
