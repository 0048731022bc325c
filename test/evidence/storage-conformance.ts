import { chmod, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../src/evidence/files.js';
import { BundleExistsError, type EvidenceStorage } from '../../src/evidence/storage/port.js';

export interface StorageFixture {
  storage: EvidenceStorage;
  /** The published bytes of a bundle file, or undefined when absent. */
  read(location: string, path: string): Promise<string | undefined>;
  /** Makes the next publish fail after its first file (S3: a 500 mid-way); local: a file it cannot read. */
  failPublishMidway?(): void;
  close(): Promise<void>;
}

/** The contract every evidence store keeps; run against each implementation. */
export function describeStorageConformance(name: string, open: () => Promise<StorageFixture>): void {
  describe(`evidence storage contract: ${name}`, () => {
    let fixture: StorageFixture;
    beforeEach(async () => {
      fixture = await open();
    });
    afterEach(async () => {
      await fixture.close();
    });

    async function stage(files: Record<string, string>): Promise<string> {
      const dir = await fixture.storage.createStaging('INC-7');
      for (const [path, content] of Object.entries(files)) await writePrivateFile(join(dir, path), content);
      return dir;
    }

    it('stages in a private directory and publishes every file, nested ones included', async () => {
      const dir = await stage({ 'manifest.json': '{"m":1}\n', 'raw/history.jsonl': '{"ts":"1.0"}\n' });
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      const reservation = await fixture.storage.reserve('INC-7');
      expect(reservation.version).toBe(1);
      await fixture.storage.publish(reservation, dir);
      await fixture.storage.discardStaging(dir);
      expect(await fixture.read(reservation.location, 'manifest.json')).toBe('{"m":1}\n');
      expect(await fixture.read(reservation.location, 'raw/history.jsonl')).toBe('{"ts":"1.0"}\n');
      await expect(stat(dir)).rejects.toThrow(/ENOENT/);
      expect((await fixture.storage.versions('INC-7')).map((v) => v.version)).toEqual([1]);
    });

    it('gives concurrent archivers distinct versions, and a re-archive the next one', async () => {
      const reservations = await Promise.all([1, 2, 3, 4].map(() => fixture.storage.reserve('INC-7')));
      expect(reservations.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
      expect(new Set(reservations.map((r) => r.location)).size).toBe(4);
      expect((await fixture.storage.reserve('INC-7')).version).toBe(5);
      expect((await fixture.storage.reserve('INC-8')).version).toBe(1);
    });

    it('never overwrites a published bundle', async () => {
      const reservation = await fixture.storage.reserve('INC-7');
      await fixture.storage.publish(reservation, await stage({ 'manifest.json': '{"v":"first"}\n' }));
      const again = await stage({ 'manifest.json': '{"v":"second"}\n' });
      await expect(fixture.storage.publish(reservation, again)).rejects.toBeInstanceOf(BundleExistsError);
      expect(await fixture.read(reservation.location, 'manifest.json')).toBe('{"v":"first"}\n');
      await fixture.storage.discardStaging(again);
    });

    it('a publish that fails mid-way leaves no counted version, and the next archive gets that number', async () => {
      const dir = await stage({ 'a.jsonl': 'a\n', 'b.jsonl': 'b\n', 'manifest.json': '{"m":1}\n' });
      const reservation = await fixture.storage.reserve('INC-7');
      if (fixture.failPublishMidway) fixture.failPublishMidway();
      else await chmod(join(dir, 'b.jsonl'), 0o000).then(() => rm(join(dir, 'manifest.json')));
      const failed = await fixture.storage.publish(reservation, dir).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!fixture.failPublishMidway) {
        // a local publish is one rename: it cannot fail half-way, only as a whole; a bundle without
        // its manifest is what a failed archive never publishes (the service releases the claim)
        expect(failed).toBeUndefined();
        await fixture.storage.release?.(reservation);
      } else {
        expect(failed).toBeInstanceOf(Error);
        await fixture.storage.discardStaging(dir);
      }
      expect(await fixture.storage.versions('INC-7')).toEqual([]);
      if (fixture.failPublishMidway) {
        expect(await fixture.read(reservation.location, 'a.jsonl')).toBeUndefined();
        expect((await fixture.storage.reserve('INC-7')).version).toBe(reservation.version);
      }
    });

    it('releases a reserved version that was never published: nothing is left at it', async () => {
      const reservation = await fixture.storage.reserve('INC-7');
      await fixture.storage.release?.(reservation);
      expect(await fixture.storage.versions('INC-7')).toEqual([]);
      expect((await fixture.storage.reserve('INC-7')).version).toBe(1);
    });

    it('refuses incident ids that could escape the store', async () => {
      await expect(fixture.storage.reserve('../etc')).rejects.toThrow(/unsafe incident id/);
    });
  });
}
