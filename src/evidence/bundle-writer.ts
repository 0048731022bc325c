import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { metrics } from '../ops/metrics.js';
import { DIR_MODE, FILE_MODE, listFiles, sha256OfFile } from './files.js';
import { type ManifestFile, SEAL_FILES } from './manifest.js';

/** Bytes a collector hands over: a string, bytes, or a stream / async iterable of chunks. */
export type FileContent = string | Uint8Array | Readable | AsyncIterable<Uint8Array | string>;

/**
 * Where collectors put files into an evidence bundle. Every file is streamed to the bundle's private
 * staging directory and hashed as it is written; the manifest lists it with its collector, so the
 * signature covers it. See src/evidence/index.ts for the contract.
 */
export interface EvidenceSink {
  /**
   * Writes `forensics/<collector>/<name>` (name may hold `/` for sub-folders). Refuses a name that
   * climbs out of the folder, an unsafe collector id, and a file that already exists.
   */
  writeFile(collector: string, name: string, content: FileContent): Promise<ManifestFile>;
  /** Records that something could not be collected (named in the manifest's `gaps`). */
  recordGap(gap: { source: string; what: string; reason: string }): void;
}

export class BundlePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundlePathError';
  }
}

const SAFE_COLLECTOR = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Checks a bundle-relative path: `/`-separated, no `..`, no hidden or empty segments. */
export function assertBundlePath(path: string): void {
  const segments = path.split('/');
  if (segments.length === 0 || segments.some((s) => !SAFE_SEGMENT.test(s) || s === '..'))
    throw new BundlePathError(`unsafe bundle path "${path}": use letters, digits, . _ - and / only`);
  if ((SEAL_FILES as readonly string[]).includes(path))
    throw new BundlePathError(`${path} is written by the seal, not a collector`);
}

/**
 * The one writer of a bundle's staging directory: knows each file's collector, hashes what it
 * streams, and hands the manifest its file list (every file on disk must be known to it).
 */
export class BundleWriter implements EvidenceSink {
  private readonly entries = new Map<string, ManifestFile>();
  private readonly collectors = new Map<string, string>();
  readonly gaps: { source: string; what: string; reason: string }[] = [];

  constructor(readonly directory: string) {}

  /** Claims `path` for `collector`: it is written by someone else (a LineWriter) and hashed at seal. */
  claim(path: string, collector: string): string {
    assertBundlePath(path);
    if (this.collectors.has(path)) throw new BundlePathError(`${path} is already in the bundle`);
    this.collectors.set(path, collector);
    return join(this.directory, path);
  }

  async write(path: string, collector: string, content: FileContent): Promise<ManifestFile> {
    const target = this.claim(path, collector);
    await mkdir(dirname(target), { recursive: true, mode: DIR_MODE });
    const hash = createHash('sha256');
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer | string, _enc, done) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        hash.update(buffer);
        bytes += buffer.length;
        done(null, buffer);
      },
    });
    const source =
      typeof content === 'string' || content instanceof Uint8Array
        ? Readable.from([typeof content === 'string' ? Buffer.from(content) : content])
        : content instanceof Readable
          ? content
          : Readable.from(content);
    const out = createWriteStream(target, { flags: 'wx', mode: FILE_MODE, flush: true });
    await pipeline(source, counter, out);
    const entry: ManifestFile = { path, bytes, sha256: hash.digest('hex'), collector };
    this.entries.set(path, entry);
    metrics.archived('file', 1, bytes);
    return entry;
  }

  writeFile(collector: string, name: string, content: FileContent): Promise<ManifestFile> {
    if (!SAFE_COLLECTOR.test(collector))
      throw new BundlePathError(`collector id "${collector}" must be lower-case letters, digits and dashes`);
    return this.write(`forensics/${collector}/${name}`, `forensics.${collector}`, content);
  }

  recordGap(gap: { source: string; what: string; reason: string }): void {
    this.gaps.push(gap);
  }

  /** Every file of the bundle, sorted, hashed; a file on disk that no collector claimed is refused. */
  async files(): Promise<ManifestFile[]> {
    const onDisk = (await listFiles(this.directory)).filter(
      (p) => !(SEAL_FILES as readonly string[]).includes(p),
    );
    const out: ManifestFile[] = [];
    for (const path of onDisk) {
      const collector = this.collectors.get(path);
      if (!collector)
        throw new BundlePathError(`${path} is in the staging directory but no collector wrote it`);
      const known = this.entries.get(path);
      if (known && (await stat(join(this.directory, path))).size === known.bytes) out.push(known);
      else out.push({ path, ...(await sha256OfFile(join(this.directory, path))), collector });
    }
    return out;
  }
}

/** Empties a retried run's staging directory but for the resumable raw export files. */
export async function clearStagingExceptRaw(directory: string): Promise<void> {
  const keep = new Set(['raw/history.jsonl', 'raw/replies.jsonl']);
  for (const path of await listFiles(directory))
    if (!keep.has(path)) await rm(join(directory, path), { force: true });
}
