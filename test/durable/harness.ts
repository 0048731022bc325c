import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainmentStore } from '../../src/containment/store.js';
import type { Incident } from '../../src/incidents/model.js';
import { IncidentStore } from '../../src/incidents/store.js';
import type { TimelineEvent } from '../../src/incidents/timeline.js';
import { SlackEmulator } from '../../src/local/emulator/emulator.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { redisKeys } from '../../src/redis/keys.js';
import { openTestRedis, testRedisUrl } from '../helpers/redis.js';

/**
 * Crash tests with real processes: Quell replicas are child processes (`node --import tsx
 * src/main.ts`, HTTP mode) on the private test Redis under a prefix of their own, against the local
 * Slack emulator in this process and a local kill-switch webhook standing in for a containment
 * target. A replica started with `crashAt` dies with SIGKILL at that crash point
 * (QUELL_CRASH_AT, src/jobs/crash-points.ts); another replica then takes the job over.
 */

export const ALICE = LOCAL_IDS.alice;
export const ANNOUNCEMENTS = LOCAL_IDS.announcements;
const WEBHOOK_SECRET_ENV = 'QUELL_TEST_KILL_SWITCH_SECRET';

/** Locks of dead workers expire fast, so another replica takes their jobs in a few seconds. */
function configYaml(prefix: string, targetUrl: string): string {
  return `
redis: { keyPrefix: "${prefix}" }
workspace: { teamIds: ["${LOCAL_IDS.team}"], appId: "${LOCAL_IDS.app}" }
channels: { announcement: "${ANNOUNCEMENTS}" }
jobs: { lockDuration: 1s }
resolution: { postmortem: { onResolve: false } }
containment:
  actions:
    kill-switch:
      adapter: webhook
      description: Engage the helpdesk agent's kill switch
      settings: { url: "${targetUrl}/kill", verifyUrl: "${targetUrl}/kill/state", undoUrl: "${targetUrl}/kill/undo" }
      secrets: { signingSecret: ${WEBHOOK_SECRET_ENV} }
    tools-off:
      adapter: webhook
      description: Turn the agent's outbound tools off
      settings: { url: "${targetUrl}/tools", verifyUrl: "${targetUrl}/tools/state", undoUrl: "${targetUrl}/tools/undo" }
      secrets: { signingSecret: ${WEBHOOK_SECRET_ENV} }
  playbooks:
    stop-agent:
      description: Kill switch, then tools off
      steps: [[kill-switch], [tools-off]]
`;
}

/** A kill-switch receiver: records every request; GET …/state answers whether it is engaged. */
export class KillSwitchTarget {
  readonly received: { method: string; path: string; body: string }[] = [];
  private readonly engaged = new Set<string>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<KillSwitchTarget> {
    let target!: KillSwitchTarget;
    const server = createServer((req, res) => void target.handle(req, res));
    target = new KillSwitchTarget(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return target;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests that changed something (not the state reads). */
  actions(): { method: string; path: string; body: string }[] {
    return this.received.filter((r) => r.method === 'POST');
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '').split('?')[0]!;
    this.received.push({ method: req.method ?? '', path, body: Buffer.concat(chunks).toString() });
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && path.endsWith('/state')) {
      res.end(JSON.stringify({ active: this.engaged.has(path.replace(/\/state$/, '')) }));
      return;
    }
    this.engaged.add(path);
    res.end('{"ok":true}');
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export interface Replica {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the signal or exit code once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

export class CrashWorld {
  private readonly replicas: Replica[] = [];

  private constructor(
    readonly slack: SlackEmulator,
    readonly target: KillSwitchTarget,
    readonly redis: Awaited<ReturnType<typeof openTestRedis>>,
    private readonly configPath: string,
  ) {}

  static async start(): Promise<CrashWorld> {
    const redis = await openTestRedis();
    const slack = await SlackEmulator.start();
    const target = await KillSwitchTarget.start();
    const dir = mkdtempSync(join(tmpdir(), 'quell-crash-'));
    const configPath = join(dir, 'quell.config.yml');
    writeFileSync(configPath, configYaml(redis.prefix, target.url));
    return new CrashWorld(slack, target, redis, configPath);
  }

  get prefix(): string {
    return this.redis.prefix;
  }

  /** Starts a replica and points Slack's deliveries at it once it answers /healthz. */
  async replica(options: { crashAt?: string } = {}): Promise<Replica> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SLACK_BOT_TOKEN: this.slack.botToken,
        SLACK_SIGNING_SECRET: this.slack.signingSecret,
        SLACK_API_URL: this.slack.apiUrl,
        REDIS_URL: testRedisUrl(),
        QUELL_CONFIG: this.configPath,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        [WEBHOOK_SECRET_ENV]: 'whsec-test-0123456789abcdef',
        ...(options.crashAt ? { QUELL_CRASH_AT: options.crashAt } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => {
      output += d;
    });
    child.stderr!.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const url = `http://127.0.0.1:${port}`;
    const replica: Replica = {
      child,
      url,
      output: () => output,
      exited,
      async kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
    this.replicas.push(replica);
    await waitForHealth(url, exited, () => output);
    this.slack.setRequestUrl(`${url}/slack/events`);
    return replica;
  }

  /** The incidents stored under this world's prefix. */
  async incidents(): Promise<Incident[]> {
    const store = new IncidentStore(this.redis.redis, redisKeys(this.prefix));
    const ids = await this.redis.redis.zrange(redisKeys(this.prefix).allIncidents, 0, -1);
    const found = await Promise.all(ids.map((id) => store.get(id)));
    return found.filter((i): i is Incident => i !== undefined);
  }

  /** Declares an incident from #general and waits until its summary is posted; returns the incident. */
  async declared(text: string): Promise<Incident> {
    await this.slack.sendCommand({ user: ALICE, channel: 'C0GENERAL', text, command: '/incident' });
    const [incident] = await until(
      async () => {
        const all = await this.incidents();
        return all[0]?.summaryTs ? all : undefined;
      },
      40_000,
      'the declare',
    );
    return incident!;
  }

  timeline(incidentId: string): Promise<TimelineEvent[]> {
    return new IncidentStore(this.redis.redis, redisKeys(this.prefix)).timeline(incidentId);
  }

  containment(): ContainmentStore {
    return new ContainmentStore(this.redis.redis, this.prefix);
  }

  /** Channels Quell created (not the seeded ones). */
  incidentChannels() {
    return this.slack.channels().filter((c) => c.creator === LOCAL_IDS.bot && !c.is_im);
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.kill()));
    await this.slack.close();
    await this.target.close();
    await this.redis.cleanup();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForHealth(
  url: string,
  exited: Promise<unknown>,
  output: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`Quell exited during start-up:\n${output()}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Quell did not answer /healthz within ${timeoutMs} ms:\n${output()}`);
}

/** Polls `check` until it returns a value (not undefined/false) or throws its last error at the deadline. */
export async function until<T>(
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
