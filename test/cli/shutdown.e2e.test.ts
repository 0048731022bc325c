import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type PrivateRedis, startPrivateRedis } from '../../src/redis/private-server.js';
import { eventually } from '../helpers/eventually.js';

/** Every process below `pid` (children, grandchildren...), from ps. */
function descendants(pid: number): number[] {
  const table = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const children = new Map<number, number[]>();
  for (const line of table.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let redis: PrivateRedis | undefined;
let quell: ChildProcess | undefined;
afterEach(async () => {
  if (quell?.pid && alive(quell.pid)) quell.kill('SIGKILL');
  await redis?.stop().catch(() => undefined);
});

describe('shutdown under npm start', () => {
  it('SIGTERM to `npm start` with Redis down ends the whole process tree within the drain timeout', async () => {
    redis = await startPrivateRedis();
    const dir = mkdtempSync(join(tmpdir(), 'quell-shutdown-'));
    const config = join(dir, 'quell.config.yml');
    const drainMs = 4_000;
    writeFileSync(
      config,
      `redis:\n  keyPrefix: shutdown${Date.now() % 100_000}\njobs:\n  drainTimeout: 4s\n`,
    );
    quell = spawn('npm', ['start', '--silent'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        // local mode: Quell against its local Slack, in the one node process npm starts
        QUELL_CONFIG: config,
        REDIS_URL: redis.url,
        QUELL_LOCAL_PORT: '0',
        PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    quell.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    quell.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    await eventually(() => expect(output).toContain('local workspace ready'), 30_000);
    const tree = [quell.pid!, ...descendants(quell.pid!)];
    // npm, and Quell's node below it (exec: no shell in between)
    expect(tree.length).toBeGreaterThanOrEqual(2);

    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 500)); // Quell notices Redis is gone
    const sentAt = Date.now();
    quell.kill('SIGTERM'); // what a container runtime sends to PID 1
    await eventually(() => expect(tree.filter(alive)).toEqual([]), drainMs + 1_000);
    expect(Date.now() - sentAt).toBeLessThanOrEqual(drainMs + 500);
    expect(output).toContain('"signal":"SIGTERM"');
  }, 60_000);
});
