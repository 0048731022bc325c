import { spawnSync } from 'node:child_process';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/evidence/manifest.js';
import { FakeSlackApi } from '../helpers/fake-slack-api.js';
import { openTestRedis } from '../helpers/redis.js';
import { TestClock } from '../helpers/services.js';
import { evidenceConfig, evidenceServices, message, tempEvidenceDir } from './helpers.js';

function cli(args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'evidence', 'verify', ...args],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 20_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('verifying an evidence bundle', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: FakeSlackApi;
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;
  let bundle: string;
  let manifestSha256: string;

  beforeEach(async () => {
    env = await openTestRedis();
    storage = await tempEvidenceDir();
    slack = new FakeSlackApi({ users: [{ id: 'U0ALICE', name: 'Alice' }] });
    const clock = new TestClock();
    const services = evidenceServices(
      env.redis,
      evidenceConfig(env.prefix, storage.dir, '  uploadToChannel: false'),
      clock,
    );
    await services.incidents.declare({
      title: 'Leak',
      severity: 'sev2',
      declaredBy: 'U0ALICE',
      idempotencyKey: 'k',
    });
    slack.seedChannel('C0INC0001', [message(60, 'U0ALICE', 'first'), message(120, 'U0ALICE', 'second')]);
    clock.advance(600_000);
    const outcome = await services.evidence.archive({
      incidentId: 'INC-1',
      actor: 'U0ALICE',
      trigger: 'command',
    });
    bundle = outcome.reservation.location;
    manifestSha256 = outcome.manifest.manifestSha256;
    expect(slack.callsTo('files.getUploadURLExternal')).toEqual([]);
  });

  afterEach(async () => {
    slack.close();
    await env.cleanup();
    await storage.remove();
  });

  it('passes an untouched bundle, with exit code 0', async () => {
    expect((await verifyBundle(bundle, manifestSha256)).ok).toBe(true);
    const result = cli([bundle, '--expect', manifestSha256]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `${bundle}: OK · INC-1 bundle v1 · 9 files match · manifest SHA-256 ${manifestSha256}`,
    );
  });

  it('fails when a single byte of a file changed, naming the file, with a non-zero exit', async () => {
    const path = join(bundle, 'raw/history.jsonl');
    const bytes = await readFile(path);
    bytes[10] = bytes[10]! ^ 0x01;
    await writeFile(path, bytes);
    const report = await verifyBundle(bundle);
    expect(report).toMatchObject({
      ok: false,
      changed: ['raw/history.jsonl'],
      added: [],
      removed: [],
      problems: [],
    });
    const result = cli([bundle]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CHANGED  raw/history.jsonl');
    expect(result.stderr).toContain('FAILED verification');
  });

  it('reports added and removed files', async () => {
    await writeFile(join(bundle, 'raw/extra.jsonl'), '{}\n');
    await rm(join(bundle, 'users.json'));
    const report = await verifyBundle(bundle);
    expect(report).toMatchObject({
      ok: false,
      added: ['raw/extra.jsonl'],
      removed: ['users.json'],
      changed: [],
    });
    const result = cli([bundle]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ADDED    raw/extra.jsonl');
    expect(result.stderr).toContain('REMOVED  users.json');
  });

  it('catches an edited manifest, and a consistently rewritten one against the recorded hash', async () => {
    const path = join(bundle, 'manifest.json');
    const original = await readFile(path, 'utf8');
    await writeFile(path, original.replace('"sev2"', '"sev3"'));
    const edited = await verifyBundle(bundle);
    expect(edited.ok).toBe(false);
    expect(edited.problems[0]).toMatch(/manifest.json was changed/);
    expect(edited.changed).toEqual(['manifest.json']);

    // a forger who rewrites a file AND recomputes every hash is caught by the hash recorded at archive time
    const forged = JSON.parse(original);
    const { sealManifest, hashFiles } = await import('../../src/evidence/manifest.js');
    await appendFile(join(bundle, 'timeline.jsonl'), '{"forged":true}\n');
    forged.files = await hashFiles(
      bundle,
      forged.files.map((f: { path: string }) => f.path),
    );
    const { manifestSha256: _drop, ...body } = forged;
    const sealed = sealManifest(body);
    await writeFile(path, sealed.text);
    await writeFile(join(bundle, 'manifest.json.sha256'), sealed.checksum);
    expect((await verifyBundle(bundle)).ok).toBe(true);
    const pinned = await verifyBundle(bundle, manifestSha256);
    expect(pinned.ok).toBe(false);
    expect(pinned.problems[0]).toContain(`not the expected ${manifestSha256}`);
  });

  it('refuses bad usage with exit code 2 and a missing manifest with exit code 1', async () => {
    expect(cli([]).code).toBe(2);
    expect(cli([bundle, '--expect', 'nothex']).code).toBe(2);
    const missing = cli([storage.dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read manifest.json: ENOENT');
  });
});
