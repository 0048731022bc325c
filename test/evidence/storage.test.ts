import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalEvidenceStorage } from '../../src/evidence/storage/local.js';
import { S3EvidenceStorage } from '../../src/evidence/storage/s3.js';
import { signRequest } from '../../src/evidence/storage/sigv4.js';
import { FakeS3, S3_ENDPOINT } from './fake-s3.js';
import { tempEvidenceDir } from './helpers.js';
import { describeStorageConformance } from './storage-conformance.js';

describeStorageConformance('local directory', async () => {
  const temp = await tempEvidenceDir();
  return {
    storage: new LocalEvidenceStorage(join(temp.dir, 'store')),
    read: (location, path) => readFile(join(location, path), 'utf8').catch(() => undefined),
    close: temp.remove,
  };
});

const S3_CONFIG = {
  endpoint: S3_ENDPOINT,
  region: 'eu-west-1',
  bucket: 'quell-evidence',
  prefix: 'bundles',
  pathStyle: true,
  accessKeyIdEnv: 'QUELL_S3_ACCESS_KEY_ID',
  secretAccessKeyEnv: 'QUELL_S3_SECRET_ACCESS_KEY',
};

describeStorageConformance('S3-compatible store', async () => {
  const temp = await tempEvidenceDir();
  const s3 = new FakeS3('quell-evidence', 'AKIDQUELLTEST', 2);
  const storage = S3EvidenceStorage.fromConfig(S3_CONFIG, temp.dir, {
    QUELL_S3_ACCESS_KEY_ID: 'AKIDQUELLTEST',
    QUELL_S3_SECRET_ACCESS_KEY: 'test-secret-key',
  });
  return {
    storage,
    async read(location, path) {
      const key = `${location.replace('s3://quell-evidence/', '')}${path}`;
      return s3.objects.get(key)?.toString('utf8');
    },
    async close() {
      s3.close();
      await temp.remove();
    },
  };
});

describe('S3 requests', () => {
  it('signs with AWS Signature V4 exactly as AWS documents it (GET Object example)', () => {
    const headers = signRequest(
      {
        method: 'GET',
        host: 'examplebucket.s3.amazonaws.com',
        path: '/test.txt',
        headers: { Range: 'bytes=0-9' },
        payloadSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        at: new Date('2013-05-24T00:00:00Z'),
        region: 'us-east-1',
      },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('reserves with a conditional PUT, uploads the manifest last, all with If-None-Match and no secret in sight', async () => {
    const temp = await tempEvidenceDir();
    const s3 = new FakeS3('quell-evidence', 'AKIDQUELLTEST');
    try {
      const storage = S3EvidenceStorage.fromConfig(S3_CONFIG, temp.dir, {
        QUELL_S3_ACCESS_KEY_ID: 'AKIDQUELLTEST',
        QUELL_S3_SECRET_ACCESS_KEY: 'test-secret-key',
      });
      const dir = await storage.createStaging('INC-3');
      const { writePrivateFile } = await import('../../src/evidence/files.js');
      await writePrivateFile(join(dir, 'manifest.json'), '{}\n');
      await writePrivateFile(join(dir, 'manifest.json.sha256'), 'x  manifest.json\n');
      await writePrivateFile(join(dir, 'transcript.md'), '# t\n');
      await writePrivateFile(join(dir, 'raw/history.jsonl'), '{}\n');
      const reservation = await storage.reserve('INC-3');
      expect(reservation.location).toBe('s3://quell-evidence/bundles/INC-3/v1/');
      await storage.publish(reservation, dir);
      expect(s3.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
        'GET /quell-evidence/?list-type=2&prefix=bundles%2FINC-3%2Freservations%2F',
        'PUT /quell-evidence/bundles/INC-3/reservations/v1',
        'PUT /quell-evidence/bundles/INC-3/v1/raw/history.jsonl',
        'PUT /quell-evidence/bundles/INC-3/v1/transcript.md',
        'PUT /quell-evidence/bundles/INC-3/v1/manifest.json',
        'PUT /quell-evidence/bundles/INC-3/v1/manifest.json.sha256',
      ]);
      for (const call of s3.calls.filter((c) => c.method === 'PUT')) {
        expect(call.headers['if-none-match']).toBe('*');
        expect(call.headers.authorization).toMatch(
          /^AWS4-HMAC-SHA256 Credential=AKIDQUELLTEST\/\d{8}\/eu-west-1\/s3\/aws4_request,SignedHeaders=content-length;(content-type;)?host;if-none-match;x-amz-content-sha256;x-amz-date,Signature=[0-9a-f]{64}$/,
        );
      }
      expect(JSON.stringify(s3.calls)).not.toContain('test-secret-key');
    } finally {
      s3.close();
      await temp.remove();
    }
  });

  it('says which environment variables are missing instead of starting without credentials', () => {
    expect(() => S3EvidenceStorage.fromConfig(S3_CONFIG, '/tmp', {})).toThrow(
      'evidence.storage.s3 needs credentials in QUELL_S3_ACCESS_KEY_ID and QUELL_S3_SECRET_ACCESS_KEY',
    );
  });
});
