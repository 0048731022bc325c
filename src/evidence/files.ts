import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/** Evidence is readable by its owner only. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** A LineWriter writes once this much is pending: large enough for few writes, small enough to stay young. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Appends lines to a new private file, waiting for the disk when it falls behind (so memory stays
 * flat however long the transcript), and knows each line's byte offset for reading it back.
 */
export class LineWriter {
  private bytes = 0;
  /**
   * Lines wait as strings and become one Buffer per flush, in chunks of at most FLUSH_BYTES: a
   * Buffer per line would pin an 8 KB pool slab for every few lines, and a large pending batch
   * survives young-generation GCs, is promoted, and grows the old space with garbage (at 100k
   * messages, tens of MB of RSS for nothing).
   */
  private pending: string[] = [];
  private pendingBytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    startAt = 0,
  ) {
    this.bytes = startAt;
  }

  /** A new file, or (with `appendAt`, when resuming) the existing one, appended to from that size. */
  static async create(path: string, appendAt?: number): Promise<LineWriter> {
    await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
    if (appendAt !== undefined) return new LineWriter(await open(path, 'a', FILE_MODE), appendAt);
    return new LineWriter(await open(path, 'wx', FILE_MODE));
  }

  /** Bytes in the file once pending lines are flushed. */
  get bytesWritten(): number {
    return this.bytes;
  }

  /** Appends `line` + newline; returns where it starts and how long it is (without the newline). */
  async append(line: string): Promise<{ offset: number; length: number }> {
    const length = Buffer.byteLength(line, 'utf8');
    const offset = this.bytes;
    this.bytes += length + 1;
    this.pending.push(line, '\n');
    this.pendingBytes += length + 1;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
    return { offset, length };
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.write(chunk);
  }

  /** Flushes, fsyncs and closes: the file is on disk before the bundle is published. */
  async close(): Promise<void> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
  }
}

/** Writes a whole private file and fsyncs it; refuses to replace an existing file. */
export async function writePrivateFile(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
  const handle = await open(path, 'wx', FILE_MODE);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads one line back from a JSONL file by the offset LineWriter returned. */
export class LineReader {
  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<LineReader> {
    return new LineReader(await open(path, 'r'));
  }

  async line(at: { offset: number; length: number }): Promise<string> {
    const buffer = Buffer.alloc(at.length);
    await this.handle.read(buffer, 0, at.length, at.offset);
    return buffer.toString('utf8');
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of a file, read through one reused 1 MB buffer (a transcript can be large; no garbage per chunk). */
export async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, bytes);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Every regular file under `root`, as sorted `/`-separated relative paths. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(root, path).split(sep).join('/'));
    }
  };
  await walk(root);
  return out.sort();
}

/** fsyncs a directory so a rename or new entry in it survives a crash. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
