import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/redis/private-server.js';
import { eventually } from '../helpers/eventually.js';
import { testRedisUrl } from '../helpers/redis.js';

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('quell config check', () => {
  it('accepts a valid file and prints the cadences', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quell-cli-'));
    const path = join(dir, 'quell.config.yml');
    writeFileSync(path, 'severities:\n  sev1:\n    cadence: 10m\n');
    const result = run('src/cli/main.ts', ['config', 'check', path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `${path}: OK (SEV1: every 10 min, SEV2: every 30 min, SEV3: every 1 h, SEV4: no updates)`,
    );
  });

  it('names the bad field on stderr with a non-zero exit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quell-cli-'));
    const path = join(dir, 'quell.config.yml');
    writeFileSync(path, 'incidents:\n  idPrefix: inc\n');
    const result = run('src/cli/main.ts', ['config', 'check', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('incidents.idPrefix: must be 1-10 upper-case letters or digits (line 2)');
    expect(result.stdout).toBe('');
  });

  it('explains unknown commands', () => {
    const result = run('src/cli/main.ts', ['conifg', 'chek']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "conifg chek"');
    expect(result.stderr).toContain('quell config check [path]');
  });
});

describe('start-up failures', () => {
  const slackEnv = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'shh' };

  it('stops with the Redis URL named when Redis is unreachable', async () => {
    const port = await freePort();
    const result = run('src/main.ts', [], { ...slackEnv, REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Cannot reach Redis at redis://:***@127.0.0.1:${port}`);
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('stops on an invalid config file, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quell-cli-'));
    const path = join(dir, 'bad.yml');
    writeFileSync(path, 'severities:\n  sev2:\n    cadence: soon\n');
    const result = run('src/main.ts', [], { ...slackEnv, QUELL_CONFIG: path });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'severities.sev2.cadence: "soon" is not a cadence; use none or a duration such as 15m or 1h (line 3)',
    );
  });

  it('stops on invalid environment variables, naming them', () => {
    const result = run('src/main.ts', [], { SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'SLACK_SIGNING_SECRET: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)',
    );
  });
});

describe('shutdown', () => {
  it('SIGTERM stops the local workspace through the one shutdown handler and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quell-cli-'));
    const config = join(dir, 'quell.config.yml');
    const prefix = `sigterm${Date.now() % 100_000}`;
    writeFileSync(config, `redis:\n  keyPrefix: ${prefix}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        QUELL_CONFIG: config,
        REDIS_URL: testRedisUrl(),
        QUELL_LOCAL_PORT: '0',
        PORT: String(await freePort()),
      },
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await eventually(() => expect(stdout).toContain('local workspace ready'), 20_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('"signal":"SIGTERM"');
    expect(stdout).toContain('shutting down');
    const redis = new Redis(testRedisUrl());
    const keys = await redis.keys(`*${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }, 30_000);

  it('names a bad local-mode variable at start-up', () => {
    const result = run('src/main.ts', [], { QUELL_LOCAL_PORT: 'sixty' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('QUELL_LOCAL_PORT');
  });
});
