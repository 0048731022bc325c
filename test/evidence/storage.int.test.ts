import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../src/evidence/files.js';
import { LocalEvidenceStorage } from '../../src/evidence/storage/local.js';
import { S3EvidenceStorage } from '../../src/evidence/storage/s3.js';
import { s3ClientFor } from '../../src/evidence/storage/s3-client.js';
import { crc32Base64, decodeAwsChunked, FakeS3 } from './fake-s3.js';
import { tempEvidenceDir } from './helpers.js';
import { describeStorageConformance } from './storage-conformance.js';

const CREDENTIALS = { accessKeyId: 'AKIDQUELLTEST', secretAccessKey: 'test-secret-key/with+chars' };
const ENV = {
  QUELL_S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  QUELL_S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
};

function s3Config(endpoint: string, extra: Record<string, unknown> = {}) {
  return {
    endpoint,
    region: 'eu-west-1',
    bucket: 'quell-evidence',
    prefix: 'bundles',
    pathStyle: true,
    accessKeyIdEnv: 'QUELL_S3_ACCESS_KEY_ID',
    secretAccessKeyEnv: 'QUELL_S3_SECRET_ACCESS_KEY',
    maxAttempts: 3,
    partSizeMb: 5,
    ...extra,
  };
}

describeStorageConformance('local directory', async () => {
  const temp = await tempEvidenceDir();
  return {
    storage: new LocalEvidenceStorage(join(temp.dir, 'store')),
    read: (location, path) => readFile(join(location, path), 'utf8').catch(() => undefined),
    close: temp.remove,
  };
});

describeStorageConformance('S3 through the AWS SDK (fake S3 checking signatures and checksums)', async () => {
  const temp = await tempEvidenceDir();
  const s3 = await new FakeS3('quell-evidence', CREDENTIALS, { pageSize: 2 }).start();
  const storage = S3EvidenceStorage.fromConfig(s3Config(s3.endpoint), temp.dir, ENV);
  return {
    storage,
    read: async (location, path) => s3.text(`${location.replace('s3://quell-evidence/', '')}${path}`),
    // the second upload of a publish answers 500 (after the SDK's own retries)
    failPublishMidway: () => void s3.fail('PutObject', 500, 'InternalError', 3, 2),
    async close() {
      expect(s3.problems).toEqual([]);
      await s3.close();
      await temp.remove();
    },
  };
});

describe('S3 through the AWS SDK', () => {
  async function open(options: { objectLock?: boolean } = {}, extra: Record<string, unknown> = {}) {
    const temp = await tempEvidenceDir();
    const s3 = await new FakeS3('quell-evidence', CREDENTIALS, options).start();
    const storage = S3EvidenceStorage.fromConfig(s3Config(s3.endpoint, extra), temp.dir, ENV);
    const stage = async (files: Record<string, string | Buffer>) => {
      const dir = await storage.createStaging('INC-3');
      for (const [path, content] of Object.entries(files)) await writePrivateFile(join(dir, path), content);
      return dir;
    };
    const close = async () => {
      await s3.close();
      await temp.remove();
    };
    return { s3, storage, stage, close };
  }

  it('retries 503 SlowDown, checksums every upload (CRC32), uploads the manifest last, all conditional', async () => {
    const { s3, storage, stage, close } = await open();
    try {
      const dir = await stage({
        'manifest.json': '{}',
        'manifest.json.sha256': 'x  manifest.json\n',
        'raw/history.jsonl': '{}\n',
        'transcript.md': '# t\n',
      });
      s3.fail('PutObject', 503, 'SlowDown', 1, 1); // the first file upload is throttled once
      const reservation = await storage.reserve('INC-3');
      expect(reservation.location).toBe('s3://quell-evidence/bundles/INC-3/v1/');
      await storage.publish(reservation, dir);
      expect(
        s3.calls.map((c) => `${c.operation} ${c.status} ${decodeURIComponent(c.path.split('?')[0]!)}`),
      ).toEqual([
        'ListObjectsV2 200 /quell-evidence/',
        'PutObject 200 /quell-evidence/bundles/INC-3/reservations/v1',
        'PutObject 503 /quell-evidence/bundles/INC-3/v1/raw/history.jsonl',
        'PutObject 200 /quell-evidence/bundles/INC-3/v1/raw/history.jsonl',
        'PutObject 200 /quell-evidence/bundles/INC-3/v1/transcript.md',
        'PutObject 200 /quell-evidence/bundles/INC-3/v1/manifest.json',
        'PutObject 200 /quell-evidence/bundles/INC-3/v1/manifest.json.sha256',
      ]);
      for (const call of s3.calls.filter((c) => c.operation === 'PutObject')) {
        expect(call.headers['if-none-match']).toBe('*');
        expect(call.headers['x-amz-checksum-crc32']).toMatch(/^[A-Za-z0-9+/]{6}==$/);
      }
      expect(s3.objects.get('bundles/INC-3/v1/transcript.md')!.checksumCrc32).toBe(
        crc32Base64(Buffer.from('# t\n')),
      );
      expect(JSON.stringify(s3.calls)).not.toContain(CREDENTIALS.secretAccessKey);
      expect(s3.problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('streams large files as multipart uploads with per-part checksums, Object Lock retention and SSE-KMS', async () => {
    const { s3, storage, stage, close } = await open(
      { objectLock: true },
      {
        objectLock: { mode: 'COMPLIANCE', retainDays: 365 },
        serverSideEncryption: { kind: 'aws:kms', kmsKeyId: 'alias/quell-evidence' },
      },
    );
    try {
      const big = Buffer.alloc(11 * 1024 * 1024, 0x61);
      const dir = await stage({ 'manifest.json': '{}', 'raw/history.jsonl': big });
      const reservation = await storage.reserve('INC-3');
      await storage.publish(reservation, dir);
      const ops = s3.calls.map((c) => c.operation);
      expect(ops.filter((o) => o === 'UploadPart')).toHaveLength(3);
      expect(ops).toContain('CompleteMultipartUpload');
      const stored = s3.objects.get('bundles/INC-3/v1/raw/history.jsonl')!;
      expect(stored.body.equals(big)).toBe(true);
      expect(stored).toMatchObject({
        lockMode: 'COMPLIANCE',
        sse: 'aws:kms',
        kmsKeyId: 'alias/quell-evidence',
      });
      expect(new Date(stored.retainUntil!).getTime()).toBeGreaterThan(Date.now() + 364 * 86_400_000);
      const complete = s3.calls.find((c) => c.operation === 'CompleteMultipartUpload')!;
      expect(complete.headers['if-none-match']).toBe('*');
      expect(s3.problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('a 500 mid-way on an Object Lock bucket: locked objects stay, the version is marked INCOMPLETE and never counted', async () => {
    const { s3, storage, stage, close } = await open(
      { objectLock: true },
      { objectLock: { mode: 'GOVERNANCE', retainDays: 30 } },
    );
    try {
      const dir = await stage({ 'manifest.json': '{}', 'a.jsonl': 'a\n', 'b.jsonl': 'b\n' });
      s3.fail('PutObject', 500, 'InternalError', 3, 2); // a.jsonl lands, b.jsonl fails every attempt
      const reservation = await storage.reserve('INC-3');
      await expect(storage.publish(reservation, dir)).rejects.toThrow(
        /S3 uploading v1 failed: InternalError \(HTTP 500\)/,
      );
      expect(s3.text('bundles/INC-3/v1/INCOMPLETE')).toContain('has no manifest');
      expect(await storage.versions('INC-3')).toEqual([]);
      expect((await storage.reserve('INC-3')).version).toBe(2);
    } finally {
      await close();
    }
  });

  it('accepts the SDK streaming a body with aws-chunked encoding and a trailing CRC32, decoded and checked', async () => {
    const { s3, close } = await open();
    try {
      const client = s3ClientFor(s3Config(s3.endpoint) as never, ENV);
      const body = Buffer.from('streamed evidence line\n'.repeat(1000));
      await client.send(
        new PutObjectCommand({
          Bucket: 'quell-evidence',
          Key: 'x/streamed.jsonl',
          Body: Readable.from([body]),
          ContentLength: body.length,
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      const put = s3.calls.at(-1)!;
      expect(put.headers['content-encoding']).toContain('aws-chunked');
      expect(put.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');
      expect(s3.objects.get('x/streamed.jsonl')!.body.equals(body)).toBe(true);
      expect(s3.problems).toEqual([]);

      const chunked = Buffer.from(
        `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${crc32Base64(Buffer.from('hellx'))}\r\n\r\n`,
      );
      const decoded = decodeAwsChunked(chunked);
      expect(decoded.body.toString()).toBe('hello');
      // the trailer names another body's checksum: the fake compares it and would answer BadDigest
      expect(decoded.trailers['x-amz-checksum-crc32']).not.toBe(crc32Base64(decoded.body));
    } finally {
      await close();
    }
  });

  it('uses the standard credential chain when no key variables are named, and refuses half a pair', async () => {
    const { s3, close } = await open();
    try {
      const previous = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
      process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
      try {
        const { accessKeyIdEnv: _a, secretAccessKeyEnv: _b, ...chain } = s3Config(s3.endpoint);
        const storage = S3EvidenceStorage.fromConfig(chain as never, '/tmp', {});
        expect((await storage.reserve('INC-9')).version).toBe(1);
        expect(s3.problems).toEqual([]);
      } finally {
        process.env.AWS_ACCESS_KEY_ID = previous.id;
        process.env.AWS_SECRET_ACCESS_KEY = previous.secret;
        if (previous.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
        if (previous.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      }
      expect(() => S3EvidenceStorage.fromConfig(s3Config(s3.endpoint) as never, '/tmp', {})).toThrow(
        'evidence.storage.s3 names QUELL_S3_ACCESS_KEY_ID and QUELL_S3_SECRET_ACCESS_KEY, but they are not set',
      );
    } finally {
      await close();
    }
  });
});
