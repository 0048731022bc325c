import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFiles } from '../../src/evidence/files.js';
import { canonicalJson } from '../../src/evidence/seal/canonical-json.js';
import { generateSigningKey, loadPublicKey } from '../../src/evidence/seal/signing.js';
import type { ArchiveOutcome } from '../../src/evidence/service.js';
import { S3EvidenceStorage } from '../../src/evidence/storage/s3.js';
import { verifyBundle } from '../../src/evidence/verify.js';
import { SlackWebChat } from '../../src/slack/web-chat.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { openTestRedis } from '../helpers/redis.js';
import { TEST_BOT_TOKEN, TestClock, testServices } from '../helpers/services.js';
import { FakeS3 } from './fake-s3.js';
import { FakeTsa } from './fake-tsa.js';
import { evidenceConfig, message, tempEvidenceDir } from './helpers.js';

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'evidence', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', ...env },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The CLI run without blocking this process (the fake S3 answers from here). */
function cliAsync(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'evidence', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('a signed, timestamped bundle and `quell evidence verify`', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let tsa: FakeTsa;
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;
  let outcome: ArchiveOutcome;
  let bundle: string;
  let keyFile: string;
  const key = generateSigningKey();

  beforeEach(async () => {
    env = await openTestRedis();
    storage = await tempEvidenceDir();
    tsa = await new FakeTsa().start();
    slack = new FakeSlackApi({ users: [{ id: 'U0ALICE', name: 'Alice' }] });
    const clock = new TestClock();
    const config = evidenceConfig(
      env.prefix,
      storage.dir,
      `  uploadToChannel: false\n  signing:\n    privateKeyEnv: QUELL_EVIDENCE_SIGNING_KEY\n  timestamp:\n    url: ${tsa.url}`,
    );
    const services = testServices(env.redis, config, clock, {
      chat: new SlackWebChat(new WebClient(TEST_BOT_TOKEN)),
      secrets: { QUELL_EVIDENCE_SIGNING_KEY: key.privateKeyPem },
    });
    await services.incidents.declare({
      title: 'Leak',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k',
    });
    slack.seedChannel('C0INC0001', [message(60, 'U0ALICE', 'first'), message(120, 'U0ALICE', 'second')]);
    clock.advance(600_000);
    outcome = await services.evidence.archive({ incidentId: 'INC-1', actor: 'U0ALICE', trigger: 'command' });
    bundle = outcome.reservation.location;
    keyFile = join(storage.dir, 'evidence-public.pem');
    await writeFile(keyFile, key.publicKeyPem);
  });

  afterEach(async () => {
    slack.close();
    await tsa.close();
    await env.cleanup();
    await storage.remove();
  });

  it('writes canonical manifest bytes, an Ed25519 signature and an RFC 3161 token over them', async () => {
    const bytes = await readFile(join(bundle, 'manifest.json'));
    const manifest = JSON.parse(bytes.toString('utf8'));
    expect(bytes.toString('utf8')).toBe(canonicalJson(manifest));
    expect(sha256(bytes)).toBe(outcome.manifestSha256);
    expect(manifest.signing).toEqual({ algorithm: 'Ed25519', keyId: key.keyId });
    expect(manifest.timestampAuthority).toBe(tsa.url);
    expect(tsa.requests).toHaveLength(1);
    const report = await verifyBundle(bundle, {
      publicKey: loadPublicKey(key.publicKeyPem),
      tsaCertificate: tsa.certificateDer,
    });
    expect(report).toMatchObject({ ok: true, signature: 'valid', changed: [], problems: [] });
    expect(report.timestamp?.genTime.toISOString()).toBe('2026-11-21T15:00:05.000Z');

    const result = cli(['verify', bundle, '--public-key', keyFile, '--expect', outcome.manifestSha256]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`signature: valid (Ed25519, key ${key.keyId})`);
    expect(result.stdout).toContain('timestamp: 2026-11-21T15:00:05.000Z by the TSA');
  });

  it('fails a consistently rewritten bundle (file, manifest and its hash file) against the public key', async () => {
    // the forger appends to the timeline, rehashes it in the manifest, recanonicalizes and rewrites the checksum
    await appendFile(join(bundle, 'timeline.jsonl'), '{"forged":true}\n');
    const manifest = JSON.parse(await readFile(join(bundle, 'manifest.json'), 'utf8'));
    const timelineBytes = await readFile(join(bundle, 'timeline.jsonl'));
    for (const f of manifest.files)
      if (f.path === 'timeline.jsonl')
        Object.assign(f, { sha256: sha256(timelineBytes), bytes: timelineBytes.length });
    const forged = canonicalJson(manifest);
    await writeFile(join(bundle, 'manifest.json'), forged);
    await writeFile(join(bundle, 'manifest.json.sha256'), `${sha256(forged)}  manifest.json\n`);

    // every hash now agrees: only the timestamp, the signature (or the recorded hash) catch it
    const unanchored = await verifyBundle(bundle);
    expect(unanchored.changed).toEqual(['manifest.json.tsr']);
    const result = cli(['verify', bundle, '--public-key', keyFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'the signature in manifest.json.sig does not match manifest.json for the given public key',
    );
    expect(result.stderr).toContain('CHANGED  manifest.json');
    expect(result.stderr).toContain('CHANGED  manifest.json.tsr');
    // someone else's key is named as such
    const other = generateSigningKey();
    await writeFile(keyFile, other.publicKeyPem);
    expect(cli(['verify', bundle, '--public-key', keyFile]).stderr).toContain(
      `signed with key ${key.keyId}, not the given public key ${other.keyId}`,
    );
  });

  it('names the checksum file as what changed when one of its hex digits flips, and a changed file by name', async () => {
    const checksum = await readFile(join(bundle, 'manifest.json.sha256'), 'utf8');
    await writeFile(
      join(bundle, 'manifest.json.sha256'),
      `${checksum[0] === 'a' ? 'b' : 'a'}${checksum.slice(1)}`,
    );
    const flipped = cli(['verify', bundle, '--public-key', keyFile]);
    expect(flipped.code).toBe(1);
    expect(flipped.stderr).toContain('CHANGED  manifest.json.sha256');
    expect(flipped.stderr).not.toContain('CHANGED  manifest.json\n');
    await writeFile(join(bundle, 'manifest.json.sha256'), checksum);

    const path = join(bundle, 'raw/history.jsonl');
    const bytes = await readFile(path);
    bytes[10] = bytes[10]! ^ 0x01;
    await writeFile(path, bytes);
    const changed = cli(['verify', bundle, '--public-key', keyFile]);
    expect(changed.code).toBe(1);
    expect(changed.stderr.trim().split('\n')).toEqual([
      'CHANGED  raw/history.jsonl',
      `${bundle}: FAILED verification`,
    ]);
  });

  it('fails a forged timestamp: a token for other bytes, or one whose signature was altered', async () => {
    const manifest = await readFile(join(bundle, 'manifest.json'));
    await writeFile(
      join(bundle, 'manifest.json.tsr'),
      await tsa.token(createHash('sha256').update('other bytes').digest()),
    );
    const other = await verifyBundle(bundle, { publicKey: loadPublicKey(key.publicKeyPem) });
    expect(other.ok).toBe(false);
    expect(other.problems).toContain(
      'manifest.json.tsr: the timestamp covers other bytes than manifest.json',
    );

    const token = await tsa.token(createHash('sha256').update(manifest).digest());
    token[token.length - 5] = token[token.length - 5]! ^ 0xff; // inside the RSA signature
    await writeFile(join(bundle, 'manifest.json.tsr'), token);
    const altered = await verifyBundle(bundle, { publicKey: loadPublicKey(key.publicKeyPem) });
    expect(altered.problems).toContain(
      "manifest.json.tsr: the TSA's signature on the timestamp does not verify",
    );
    expect(cli(['verify', bundle]).code).toBe(1);
  });

  it('exit codes: 0 ok, 1 tampered (added, removed), 2 bad usage, a missing path or an unreadable key', async () => {
    expect(cli(['verify', bundle]).code).toBe(0);
    await writeFile(join(bundle, 'raw/extra.jsonl'), '{}\n');
    await rm(join(bundle, 'users.json'));
    const tampered = cli(['verify', bundle]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('ADDED    raw/extra.jsonl');
    expect(tampered.stderr).toContain('REMOVED  users.json');
    expect(cli(['verify']).code).toBe(2);
    expect(cli(['verify', bundle, '--expect', 'nothex']).code).toBe(2);
    expect(cli(['verify', bundle, '--unknown']).code).toBe(2);
    const missing = cli(['verify', join(storage.dir, 'no-such-bundle')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the bundle at');
    expect(missing.stderr).toContain('ENOENT');
    expect(cli(['verify', bundle, '--public-key', join(storage.dir, 'absent.pem')]).code).toBe(2);
    expect(cli(['verify', 's3://Bad_Bucket/x']).code).toBe(2);
  });

  it('keygen prints a private key for the environment and the public key to publish', () => {
    const result = cli(['keygen']);
    expect(result.code).toBe(0);
    const privateLine = result.stdout.split('\n').find((l) => l.startsWith('QUELL_EVIDENCE_SIGNING_KEY='))!;
    expect(privateLine).toMatch(/^QUELL_EVIDENCE_SIGNING_KEY=[A-Za-z0-9+/=]{40,}$/);
    expect(result.stdout).toContain('-----BEGIN PUBLIC KEY-----');
    expect(cli(['keygen', 'extra']).code).toBe(2);
  });

  it('verifies a bundle in S3 (fake S3 checking signatures) and names what changed there', async () => {
    const credentials = { accessKeyId: 'AKIDVERIFY', secretAccessKey: 'verify-secret' };
    const s3 = await new FakeS3('quell-evidence', credentials).start();
    try {
      const store = S3EvidenceStorage.fromConfig(
        {
          endpoint: s3.endpoint,
          region: 'eu-west-1',
          bucket: 'quell-evidence',
          prefix: 'bundles',
          pathStyle: true,
          maxAttempts: 2,
          partSizeMb: 5,
          accessKeyIdEnv: 'K',
          secretAccessKeyEnv: 'S',
        } as never,
        storage.dir,
        { K: credentials.accessKeyId, S: credentials.secretAccessKey },
      );
      const staging = await store.createStaging('INC-1');
      for (const file of await listFiles(bundle)) {
        await mkdir(dirname(join(staging, file)), { recursive: true });
        await copyFile(join(bundle, file), join(staging, file));
      }
      const reservation = await store.reserve('INC-1');
      await store.publish(reservation, staging);
      const awsEnv = {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: 'eu-west-1',
      };
      const ok = await cliAsync(
        ['verify', reservation.location, '--endpoint', s3.endpoint, '--public-key', keyFile],
        awsEnv,
      );
      expect(ok.stderr).not.toContain('FAILED');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`${reservation.location}: OK · INC-1 bundle v1`);

      s3.objects.get('bundles/INC-1/v1/timeline.jsonl')!.body = Buffer.from('{}\n');
      const changed = await cliAsync(['verify', reservation.location, '--endpoint', s3.endpoint], awsEnv);
      expect(changed.code).toBe(1);
      expect(changed.stderr).toContain('CHANGED  timeline.jsonl');
      const denied = await cliAsync(['verify', reservation.location, '--endpoint', s3.endpoint], {
        ...awsEnv,
        AWS_SECRET_ACCESS_KEY: 'wrong',
      });
      expect(denied.code).toBe(2);
      expect(denied.stderr).toContain('SignatureDoesNotMatch');
      expect(s3.problems).toContain('ListObjectsV2: signature mismatch');
    } finally {
      await s3.close();
    }
  });
});
