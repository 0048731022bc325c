import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { listFiles } from './files.js';

/** A published bundle to read back: a local directory or an S3 prefix (storage/s3-source.ts). */
export interface BundleSource {
  /** Shown in reports: the directory path or the s3:// URL. */
  readonly location: string;
  /** Every file, `/`-separated relative paths, sorted. Throws BundleUnreadableError if it cannot look. */
  list(): Promise<string[]>;
  read(path: string): Promise<Buffer>;
  stream(path: string): Promise<AsyncIterable<Uint8Array>>;
  /** Lets go of connections (an S3 client's keep-alive sockets would hold a CLI open). */
  close?(): void;
}

/** The bundle's location cannot be read at all (absent, not a directory, access denied): exit 2. */
export class BundleUnreadableError extends Error {
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`cannot read the bundle at ${location}: ${reason}`);
    this.name = 'BundleUnreadableError';
  }
}

export class LocalBundleSource implements BundleSource {
  readonly location: string;

  constructor(directory: string) {
    this.location = resolve(directory);
  }

  async list(): Promise<string[]> {
    try {
      if (!(await stat(this.location)).isDirectory())
        throw new BundleUnreadableError(this.location, 'not a directory');
      return await listFiles(this.location);
    } catch (error) {
      if (error instanceof BundleUnreadableError) throw error;
      throw new BundleUnreadableError(this.location, (error as NodeJS.ErrnoException).code ?? String(error));
    }
  }

  read(path: string): Promise<Buffer> {
    return readFile(join(this.location, path));
  }

  async stream(path: string): Promise<AsyncIterable<Uint8Array>> {
    return createReadStream(join(this.location, path));
  }
}
