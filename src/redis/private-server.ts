import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private redis-server on a free port: for tests, benchmarks and local mode without a Redis of its own. */
export interface PrivateRedis {
  url: string;
  port: number;
  /** Its working directory (AOF, a Cluster node's nodes.conf): a restart on the same port and dir resumes it. */
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function redisServerBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!found)
    throw new Error(
      'redis-server is not installed. Install it (apt-get install redis-server, brew install redis) and run the tests again.',
    );
  return found;
}

/** Starts redis-server with persistence as asked (AOF for restart tests, none by default). */
export async function startPrivateRedis(
  options: {
    appendonly?: boolean;
    dir?: string;
    port?: number;
    /** More redis-server arguments (cluster mode, replicaof); a config file's path goes first. */
    args?: readonly string[];
    configFile?: string;
    /** The log line that says it serves (a sentinel never prints the server's "Ready"). */
    readyWhen?: string;
  } = {},
): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'quell-redis-'));
  const child = spawn(
    redisServerBinary(),
    [
      ...(options.configFile ? [options.configFile] : []),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      options.appendonly ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(options.readyWhen ?? 'Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    process: child,
    async stop() {
      // a process killed by a test (SIGKILL) has exited already: there is nothing to wait for
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
