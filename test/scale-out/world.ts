import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { systemClock } from '../../src/clock.js';
import { parseConfigText } from '../../src/config/load.js';
import type { Incident } from '../../src/incidents/model.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { SlackEmulator } from '../../src/local/emulator/emulator.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { createLogger } from '../../src/logging/logger.js';
import { redisKeys } from '../../src/redis/keys.js';
import { createServices, type Services } from '../../src/services.js';
import { SlackWebChat } from '../../src/slack/web-chat.js';
import { openTestRedis, testRedisUrl } from '../helpers/redis.js';

/**
 * Several real Quell processes (`node --import tsx src/main.ts`, HTTP mode) on the private test
 * Redis under a prefix of their own, against the local Slack emulator in this process: for
 * scale-out and crash tests of the timers. Incidents can be seeded straight into Redis (with their
 * channels in the emulator), and every replica's start-up sweep schedules their prompts, so a
 * thousand incidents cost milliseconds instead of a thousand declares.
 */
export const ALICE = LOCAL_IDS.alice;

export interface QuellProcess {
  name: string;
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as `kill -9` or the OOM killer would: no shutdown, no drain. */
  kill(): Promise<void>;
}

export class QuellWorld {
  private readonly processes: QuellProcess[] = [];

  private constructor(
    readonly slack: SlackEmulator,
    readonly redis: Awaited<ReturnType<typeof openTestRedis>>,
    private readonly configPath: string,
    private readonly configText: string,
  ) {}

  /**
   * Quell's services in this process on the world's Redis and config, without workers: what a
   * replica's request path does (schedule prompts, declare) without starting one.
   */
  services(): Services {
    const chat = new SlackWebChat(
      new WebClient(this.slack.botToken, { slackApiUrl: this.slack.apiUrl, retryConfig: { retries: 0 } }),
    );
    return createServices({
      config: parseConfigText(this.configText, 'scale-out config'),
      logger: createLogger('silent'),
      clock: systemClock,
      redis: this.redis.redis,
      chat,
    });
  }

  /** `configYaml` is added to the world's own (prefix, workspace, announcement channel, fast locks). */
  static async start(configYaml: string): Promise<QuellWorld> {
    const redis = await openTestRedis();
    const slack = await SlackEmulator.start();
    const dir = mkdtempSync(join(tmpdir(), 'quell-scale-'));
    const configPath = join(dir, 'quell.config.yml');
    const configText = `redis: { keyPrefix: "${redis.prefix}" }
workspace: { teamIds: ["${LOCAL_IDS.team}"], appId: "${LOCAL_IDS.app}" }
channels: { announcement: "${LOCAL_IDS.announcements}" }
resolution: { postmortem: { onResolve: false } }
obligations: { proposeOnDeclare: false }
${configYaml}`;
    writeFileSync(configPath, configText);
    return new QuellWorld(slack, redis, configPath, configText);
  }

  get prefix(): string {
    return this.redis.prefix;
  }

  get store(): IncidentStore {
    return new IncidentStore(this.redis.redis, redisKeys(this.prefix));
  }

  /** Starts a Quell process and waits until it answers /healthz (its workers have started). */
  async quell(name: string, options: { crashAt?: string } = {}): Promise<QuellProcess> {
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
        QUELL_OPS_PORT: '0',
        LOG_LEVEL: 'warn',
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
    const quell: QuellProcess = {
      name,
      child,
      url: `http://127.0.0.1:${port}`,
      output: () => output,
      exited,
      async kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
    this.processes.push(quell);
    // a process armed to crash may reach its crash point while it starts (its first prompt is due)
    const armed = options.crashAt !== undefined;
    await waitForHealth(quell, armed);
    return quell;
  }

  /** Slack delivers commands and interactions to this process (a load balancer's choice). */
  route(to: QuellProcess): void {
    this.slack.setRequestUrl(`${to.url}/slack/events`);
  }

  /**
   * Incidents straight into Redis, each with its own channel in the emulator (Quell's bot a
   * member), the update of incident `i` due at `dueAt(i)`.
   */
  async seed(count: number, dueAt: (i: number) => Date): Promise<Incident[]> {
    const store = this.store;
    const now = new Date().toISOString();
    const incidents: Incident[] = [];
    for (let i = 0; i < count; i++) {
      const seq = 100_000 + i;
      const channel = this.slack.addChannel({ name: `inc-seed-${seq}`, members: [LOCAL_IDS.bot, ALICE] });
      incidents.push({
        id: `INC-${seq}`,
        seq,
        title: `Seeded incident ${seq}`,
        description: '',
        severity: 'sev1',
        status: 'investigating',
        drill: false,
        channelId: channel.id,
        channelName: channel.name,
        roles: { commander: ALICE },
        agent: {},
        declaredBy: ALICE,
        createdAt: now,
        updatedAt: now,
        nextUpdateDueAt: dueAt(i).toISOString(),
        version: 0,
      });
    }
    for (let i = 0; i < incidents.length; i += 100)
      await Promise.all(
        incidents.slice(i, i + 100).map(async (incident) => {
          await store.create(incident, {
            incidentId: incident.id,
            at: now,
            actor: ALICE,
            kind: 'declared',
            text: 'declared SEV1',
            data: {},
          });
          await store.linkChannel(incident.channelId!, incident.id);
        }),
      );
    return incidents;
  }

  /** Update prompts in a channel, by their marker (`quell_prompt_<due ms>`): marker → how many. */
  prompts(channelId: string): Map<string, number> {
    const seen = new Map<string, number>();
    for (const message of this.slack.messages(channelId)) {
      const blocks = (message.blocks ?? []) as { block_id?: string }[];
      for (const block of blocks)
        if (block.block_id?.startsWith('quell_prompt_'))
          seen.set(block.block_id, (seen.get(block.block_id) ?? 0) + 1);
    }
    return seen;
  }

  /** Every incident stored under this world's prefix. */
  async incidents(): Promise<Incident[]> {
    const ids = await this.redis.redis.zrange(redisKeys(this.prefix).allIncidents, 0, -1);
    const found = await Promise.all(ids.map((id) => this.store.get(id)));
    return found.filter((i): i is Incident => i !== undefined);
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill()));
    await this.slack.close();
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

async function waitForHealth(quell: QuellProcess, mayCrash: boolean, timeoutMs = 40_000): Promise<void> {
  let gone: NodeJS.Signals | null | undefined;
  void quell.exited.then(({ signal }) => {
    gone = signal;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone === 'SIGKILL' && mayCrash) return;
    if (gone !== undefined) throw new Error(`${quell.name} exited during start-up:\n${quell.output()}`);
    try {
      const response = await fetch(`${quell.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${quell.name} did not answer /healthz within ${timeoutMs} ms:\n${quell.output()}`);
}
