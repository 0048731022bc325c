import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../../src/local/emulator/emulator.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { freePort } from '../../src/redis/private-server.js';
import { eventually } from '../helpers/eventually.js';
import { testRedisUrl } from '../helpers/redis.js';

/** The production build, run as production runs it: `node dist/main.js`, no tsx, no dev dependencies loaded. */
function startBuilt(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  return { child, output: () => output };
}

async function readyz(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
  return response.status;
}

function configFile(prefix: string, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'quell-build-'));
  const path = join(dir, 'quell.config.yml');
  writeFileSync(path, `redis: { keyPrefix: "${prefix}" }\n${extra}`);
  return path;
}

async function metricsText(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

const declareAcks =
  /quell_slack_ack_duration_seconds_count\{surface="command",name="\/incident declare"\} 1\b/;

describe('the production build', () => {
  let running: ChildProcess | undefined;
  let emulator: SlackEmulator | undefined;

  beforeAll(() => {
    const build = spawnSync(process.execPath, ['src/cli/build.mjs'], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    expect(existsSync('dist/main.js')).toBe(true);
    expect(existsSync('dist/main.js.map')).toBe(true);
    expect(existsSync('dist/local/page/index.html')).toBe(true);
  }, 180_000);

  afterEach(async () => {
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((resolve) => running!.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    }
    running = undefined;
    await emulator?.close();
    emulator = undefined;
  });

  it('runs in local mode: the page takes a declare and Quell opens the incident', async () => {
    const [pagePort, quellPort, opsPort] = [await freePort(), await freePort(), await freePort()];
    const quell = startBuilt({
      QUELL_MODE: 'local',
      QUELL_CONFIG: configFile(`build-local-${Date.now() % 100_000}`),
      REDIS_URL: testRedisUrl(),
      QUELL_LOCAL_PORT: String(pagePort),
      PORT: String(quellPort),
      QUELL_OPS_PORT: String(opsPort),
    });
    running = quell.child;
    await eventually(() => expect(quell.output()).toContain('local workspace ready'), 30_000);
    await eventually(async () => expect(await readyz(opsPort)).toBe(200), 10_000);

    const base = `http://127.0.0.1:${pagePort}`;
    const workspace = (await (await fetch(`${base}/ui/api/workspace?as=${LOCAL_IDS.alice}`)).json()) as {
      pageToken: string;
    };
    const sent = await fetch(`${base}/ui/api/send`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: base,
        'x-quell-page-token': workspace.pageToken,
      },
      body: JSON.stringify({
        as: LOCAL_IDS.alice,
        channel: LOCAL_IDS.support,
        text: '/incident declare sev2 Built agent refunded $4,200',
      }),
    });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ command: true, status: 200, error: null });
    await eventually(async () => {
      const text = await metricsText(opsPort);
      expect(text).toMatch(declareAcks);
      expect(text).toMatch(/quell_slack_api_calls_total\{method="conversations.create",outcome="ok"\} 1\b/);
      expect(text).toMatch(/quell_slack_api_calls_total\{method="pins.add",outcome="ok"\} 1\b/);
    }, 10_000);
  }, 60_000);

  it('runs in HTTP mode against the emulator: a signed declare opens the incident channel', async () => {
    emulator = await SlackEmulator.start();
    const slack = emulator;
    const [quellPort, opsPort] = [await freePort(), await freePort()];
    const quell = startBuilt({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: testRedisUrl(),
      QUELL_CONFIG: configFile(
        `build-http-${Date.now() % 100_000}`,
        `workspace: { teamIds: ["${LOCAL_IDS.team}"], appId: "${LOCAL_IDS.app}" }\nchannels: { announcement: "${LOCAL_IDS.announcements}" }\n`,
      ),
      PORT: String(quellPort),
      QUELL_OPS_PORT: String(opsPort),
    });
    running = quell.child;
    await eventually(async () => expect(await readyz(opsPort)).toBe(200), 30_000).catch((error) => {
      throw new Error(`${(error as Error).message}\n${quell.output()}`);
    });
    slack.setRequestUrl(`http://127.0.0.1:${quellPort}/slack/events`);
    const before = new Set(slack.channels().map((c) => c.id));
    const ack = await slack.sendCommand({
      user: LOCAL_IDS.alice,
      channel: LOCAL_IDS.support,
      command: '/incident',
      text: 'declare sev2 Built agent issued refunds',
    });
    expect(ack.error).toBeUndefined();
    const channel = await slack.waitFor(
      () => slack.channels().find((c) => !before.has(c.id) && !c.is_im && c.pins.length > 0),
      10_000,
    );
    expect(channel.name).toMatch(/^inc-/);
    expect(await metricsText(opsPort)).toMatch(declareAcks);
  }, 60_000);
});
