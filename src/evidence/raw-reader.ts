import { type FileHandle, open } from 'node:fs/promises';

/**
 * Reading the raw JSONL files back without holding them: history is written newest first, so the
 * readable transcript (oldest first) reads it backwards in chunks; replies are written one thread
 * after another, so a thread is one contiguous block found by a forward scan.
 */
const CHUNK = 1 << 16;

/** Lines of a file from the last to the first (without their newline), in bounded memory. */
export async function* linesBackward(path: string): AsyncGenerator<string> {
  const handle = await open(path, 'r');
  try {
    let position = (await handle.stat()).size;
    let carry = Buffer.alloc(0);
    while (position > 0) {
      const size = Math.min(CHUNK, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      await handle.read(chunk, 0, size, position);
      let buffer = Buffer.concat([chunk, carry]);
      let end = buffer.length;
      for (let i = buffer.length - 1; i >= 0; i--) {
        if (buffer[i] !== 0x0a) continue;
        if (i + 1 < end) yield buffer.subarray(i + 1, end).toString('utf8');
        end = i;
      }
      carry = Buffer.from(buffer.subarray(0, end));
      buffer = Buffer.alloc(0);
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    await handle.close();
  }
}

export interface Block {
  offset: number;
  length: number;
}

/** Lines of a file in order, with their byte offsets. */
export async function* linesForward(path: string): AsyncGenerator<{ line: string; offset: number }> {
  const handle = await open(path, 'r');
  try {
    let position = 0;
    let carry = Buffer.alloc(0);
    let carryAt = 0;
    for (;;) {
      const chunk = Buffer.alloc(CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const buffer = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        if (buffer[i] !== 0x0a) continue;
        yield { line: buffer.subarray(start, i).toString('utf8'), offset: carryAt + start };
        start = i + 1;
      }
      carry = Buffer.from(buffer.subarray(start));
      carryAt += start;
    }
    if (carry.length > 0) yield { line: carry.toString('utf8'), offset: carryAt };
  } finally {
    await handle.close();
  }
}

/** parent ts → where its replies are in replies.jsonl (one entry per thread, not per message). */
export async function threadBlocks(path: string): Promise<Map<string, Block>> {
  const blocks = new Map<string, Block>();
  for await (const { line, offset } of linesForward(path)) {
    const parent = (JSON.parse(line) as { thread_ts?: string }).thread_ts;
    if (!parent) continue;
    const block = blocks.get(parent);
    if (block) block.length = offset + Buffer.byteLength(line) - block.offset;
    else blocks.set(parent, { offset, length: Buffer.byteLength(line) });
  }
  return blocks;
}

export class BlockReader {
  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<BlockReader> {
    return new BlockReader(await open(path, 'r'));
  }

  async lines(block: Block): Promise<string[]> {
    const buffer = Buffer.alloc(block.length);
    await this.handle.read(buffer, 0, block.length, block.offset);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
