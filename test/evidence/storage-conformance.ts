import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../src/evidence/files.js';
import { BundleExistsError, type EvidenceStorage } from '../../src/evidence/storage/port.js';

export interface StorageFixture {
  storage: EvidenceStorage;
  /** The published bytes of a bundle file, or undefined when absent. */
  read(location: string, path: string): Promise<string | undefined>;
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

    it('refuses incident ids that could escape the store', async () => {
      await expect(fixture.storage.reserve('../etc')).rejects.toThrow(/unsafe incident id/);
    });
  });
}
