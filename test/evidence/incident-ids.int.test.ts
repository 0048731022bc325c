import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../src/evidence/files.js';
import { LocalEvidenceStorage } from '../../src/evidence/storage/local.js';
import type { EvidenceStorage } from '../../src/evidence/storage/port.js';
import { S3EvidenceStorage } from '../../src/evidence/storage/s3.js';
import { FakeS3 } from './fake-s3.js';
import { tempEvidenceDir } from './helpers.js';

/** What the id floor reads from the evidence store: every incident id it holds anything for. */
async function publishSome(storage: EvidenceStorage): Promise<void> {
  for (const id of ['INC-2', 'INC-11', 'INC-3']) {
    const reservation = await storage.reserve(id);
    const staging = await storage.createStaging(id);
    await writePrivateFile(join(staging, 'manifest.json'), '{}');
    await writePrivateFile(join(staging, 'raw/history.jsonl'), '');
    await storage.publish(reservation, staging);
  }
  // a version reserved and never published still used its id
  await storage.reserve('INC-40');
}

describe('the evidence store lists the incident ids it holds', () => {
  it('local: the incident folders (staging and other names left out)', async () => {
    const temp = await tempEvidenceDir();
    try {
      const storage = new LocalEvidenceStorage(join(temp.dir, 'store'));
      expect(await storage.incidentIds()).toEqual([]); // no folder yet
      await publishSome(storage);
      await storage.createStaging('INC-99'); // staging only: not an id the store holds
      expect((await storage.incidentIds()).sort()).toEqual(['INC-11', 'INC-2', 'INC-3', 'INC-40']);
    } finally {
      await temp.remove();
    }
  });

  it('S3: one listing by folder (Delimiter /) over every page', async () => {
    const temp = await tempEvidenceDir();
    const credentials = { accessKeyId: 'AKIDQUELLTEST', secretAccessKey: 'test-secret-key/with+chars' };
    const s3 = await new FakeS3('quell-evidence', credentials, { pageSize: 2 }).start();
    try {
      const storage = S3EvidenceStorage.fromConfig(
        {
          endpoint: s3.endpoint,
          region: 'eu-west-1',
          bucket: 'quell-evidence',
          prefix: 'bundles',
          pathStyle: true,
          accessKeyIdEnv: 'ID',
          secretAccessKeyEnv: 'SECRET',
          maxAttempts: 3,
          partSizeMb: 5,
        },
        temp.dir,
        { ID: credentials.accessKeyId, SECRET: credentials.secretAccessKey },
      );
      await publishSome(storage);
      expect((await storage.incidentIds()).sort()).toEqual(['INC-11', 'INC-2', 'INC-3', 'INC-40']);
      expect(s3.problems).toEqual([]);
    } finally {
      await s3.close();
      await temp.remove();
    }
  });
});
