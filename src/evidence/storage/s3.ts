import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Clock } from '../../clock.js';
import type { BundleSource } from '../bundle-source.js';
import type { S3Config } from '../config.js';
import { DIR_MODE, listFiles } from '../files.js';
import { MANIFEST_CHECKSUM_FILE, MANIFEST_FILE, SIGNATURE_FILE, TIMESTAMP_FILE } from '../manifest.js';
import { BundleExistsError, type BundleReservation, type EvidenceStorage, safeSegment } from './port.js';
import { describeS3Error, s3ClientFor, s3Status } from './s3-client.js';
import { S3BundleSource } from './s3-source.js';
import { parseS3Url } from './s3-url.js';

export class S3Error extends Error {
  constructor(
    readonly what: string,
    cause: unknown,
  ) {
    super(`S3 ${what} failed: ${describeS3Error(cause)}`, { cause });
    this.name = 'S3Error';
  }
}

const INCOMPLETE_MARKER = 'INCOMPLETE';
/** An incident's folder is named by its id (`INC-7`). */
const INCIDENT_FOLDER = /^[A-Z][A-Z0-9]{0,9}-\d+$/;

/**
 * Bundles in S3 (or an S3-compatible store) through the AWS SDK v3: `<prefix>/<incident>/v<N>/<file>`.
 * A version is claimed with a conditional PUT of `<prefix>/<incident>/reservations/v<N>`
 * (`If-None-Match: *`); every object is written with `If-None-Match: *` (PutObject, or
 * CompleteMultipartUpload for large files) so nothing is ever overwritten; the manifest and its seal
 * go last, so a version with a manifest is complete, and only those are counted. Files are streamed
 * from staging (lib-storage multipart, at most two parts in memory) with CRC32 checksums, Object
 * Lock retention and SSE when configured. A version that fails half-way is deleted (its reservation
 * too, so the number is reused) or, where deletion is refused (Object Lock), marked INCOMPLETE.
 */
export class S3EvidenceStorage implements EvidenceStorage {
  readonly kind = 's3' as const;

  constructor(
    private readonly config: S3Config,
    private readonly stagingRoot: string,
    readonly client: S3Client,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  static fromConfig(config: S3Config, stagingRoot: string, env: NodeJS.ProcessEnv): S3EvidenceStorage {
    return new S3EvidenceStorage(config, stagingRoot, s3ClientFor(config, env));
  }

  async createStaging(incidentId: string): Promise<string> {
    const dir = join(resolve(this.stagingRoot), '.staging', `${safeSegment(incidentId)}-${randomUUID()}`);
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    return dir;
  }

  async reserve(incidentId: string): Promise<BundleReservation> {
    const taken = new Set(
      await this.keyVersions(this.key(incidentId, 'reservations/'), /\/reservations\/v(\d+)$/),
    );
    let version = Math.max(0, ...taken);
    for (;;) {
      version++;
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.config.bucket,
            Key: this.key(incidentId, `reservations/v${version}`),
            Body: new Uint8Array(0),
            ContentLength: 0,
            IfNoneMatch: '*',
          }),
        );
        return { incidentId, version, location: this.location(incidentId, version) };
      } catch (error) {
        if (s3Status(error) === 412) continue;
        throw new S3Error('reserving a bundle version', error);
      }
    }
  }

  async publish(reservation: BundleReservation, stagingDir: string): Promise<void> {
    const files = await listFiles(stagingDir);
    const last = [MANIFEST_FILE, MANIFEST_CHECKSUM_FILE, SIGNATURE_FILE, TIMESTAMP_FILE];
    const ordered = [...files.filter((f) => !last.includes(f)), ...last.filter((f) => files.includes(f))];
    const written: string[] = [];
    try {
      for (const file of ordered) {
        const key = this.key(reservation.incidentId, `v${reservation.version}/${file}`);
        await this.upload(key, join(stagingDir, file), file);
        written.push(key);
      }
    } catch (error) {
      // a version someone else published keeps its reservation; ours is given back
      if (error instanceof BundleExistsError) {
        if (written.length > 0) await this.deleteKeys(written).catch(() => undefined);
        throw error;
      }
      await this.abandon(reservation, written);
      throw new S3Error(`uploading v${reservation.version}`, error);
    }
  }

  /** Releases a reserved version that was never published (the archive failed before uploading). */
  async release(reservation: BundleReservation): Promise<void> {
    await this.abandon(reservation, []);
  }

  async discardStaging(stagingDir: string): Promise<void> {
    if (!resolve(stagingDir).startsWith(join(resolve(this.stagingRoot), '.staging'))) return;
    await rm(stagingDir, { recursive: true, force: true });
  }

  source(location: string): BundleSource | undefined {
    const url = parseS3Url(location);
    return url && url.bucket === this.config.bucket
      ? new S3BundleSource(this.client, url.bucket, url.prefix)
      : undefined;
  }

  /** Published (complete) versions only: those with a manifest. */
  async versions(incidentId: string): Promise<BundleReservation[]> {
    const versions = await this.keyVersions(this.key(incidentId, 'v'), /\/v(\d+)\/manifest\.json$/);
    return versions.map((version) => ({ incidentId, version, location: this.location(incidentId, version) }));
  }

  /**
   * The incident ids with any object under the prefix (a bundle or a reservation): one listing with
   * `Delimiter: '/'`, so S3 returns each incident's folder once (CommonPrefixes) instead of its files.
   */
  async incidentIds(): Promise<string[]> {
    const prefix = this.config.prefix.replace(/^\/+|\/+$/g, '');
    const base = prefix ? `${prefix}/` : '';
    const ids = new Set<string>();
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.config.bucket,
            Prefix: base,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
      } catch (error) {
        throw new S3Error('listing incidents', error);
      }
      // a store that ignores the delimiter lists the files themselves: their first segment is the id
      const paths = [
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
        ...(page.Contents ?? []).map((o) => o.Key ?? ''),
      ];
      for (const path of paths) {
        const id = path.slice(base.length).split('/')[0] ?? '';
        if (INCIDENT_FOLDER.test(id)) ids.add(id);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return [...ids];
  }

  private async upload(key: string, path: string, file: string): Promise<void> {
    const { objectLock, serverSideEncryption: sse } = this.config;
    const params: PutObjectCommandInput = {
      Bucket: this.config.bucket,
      Key: key,
      Body: createReadStream(path),
      IfNoneMatch: '*',
      ContentType: contentType(file),
      ChecksumAlgorithm: 'CRC32',
      ...(objectLock
        ? {
            ObjectLockMode: objectLock.mode,
            ObjectLockRetainUntilDate: new Date(
              this.clock.now().getTime() + objectLock.retainDays * 86_400_000,
            ),
          }
        : {}),
      ...(sse
        ? { ServerSideEncryption: sse.kind, ...(sse.kmsKeyId ? { SSEKMSKeyId: sse.kmsKeyId } : {}) }
        : {}),
    };
    const upload = new Upload({
      client: this.client,
      params,
      partSize: this.config.partSizeMb * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      if (s3Status(error) === 412) throw new BundleExistsError(`s3://${this.config.bucket}/${key}`);
      throw error;
    }
  }

  /** Deletes what a failed publish wrote and the reservation; marks the version if S3 refuses. */
  private async abandon(reservation: BundleReservation, written: string[]): Promise<void> {
    // the reservation goes last: if the objects cannot be deleted (Object Lock), the number stays used
    if (await this.deleteKeys(written).catch(() => false))
      if (
        await this.deleteKeys([
          this.key(reservation.incidentId, `reservations/v${reservation.version}`),
        ]).catch(() => false)
      )
        return;
    await this.client
      .send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key: this.key(reservation.incidentId, `v${reservation.version}/${INCOMPLETE_MARKER}`),
          Body: 'This version failed while uploading: it has no manifest and is not a bundle.\n',
          ChecksumAlgorithm: 'CRC32',
        }),
      )
      .catch(() => undefined);
  }

  /** True when every key is gone. */
  private async deleteKeys(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return true;
    const result = await this.client.send(
      new DeleteObjectsCommand({
        Bucket: this.config.bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    return (result.Errors ?? []).length === 0;
  }

  private async keyVersions(prefix: string, pattern: RegExp): Promise<number[]> {
    const versions = new Set<number>();
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, ContinuationToken: token }),
        );
      } catch (error) {
        throw new S3Error('listing bundle versions', error);
      }
      for (const object of page.Contents ?? []) {
        const match = pattern.exec(object.Key ?? '');
        if (match) versions.add(Number(match[1]));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return [...versions].sort((a, b) => a - b);
  }

  private key(incidentId: string, rest: string): string {
    const prefix = this.config.prefix.replace(/^\/+|\/+$/g, '');
    return `${prefix ? `${prefix}/` : ''}${safeSegment(incidentId)}/${rest}`;
  }

  private location(incidentId: string, version: number): string {
    return `s3://${this.config.bucket}/${this.key(incidentId, `v${version}/`)}`;
  }
}

function contentType(file: string): string {
  if (file.endsWith('.json')) return 'application/json';
  if (file.endsWith('.jsonl')) return 'application/x-ndjson';
  if (file.endsWith('.md')) return 'text/markdown; charset=utf-8';
  if (file.endsWith('.tsr')) return 'application/timestamp-reply';
  return 'application/octet-stream';
}
