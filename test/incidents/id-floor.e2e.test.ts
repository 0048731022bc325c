import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalEvidenceStorage } from '../../src/evidence/storage/local.js';
import { type LocalQuell, startLocalQuell } from '../../src/local/harness.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { createLogger } from '../../src/logging/logger.js';
import { type Runtime, startQuell } from '../../src/runtime.js';
import { tempEvidenceDir } from '../evidence/helpers.js';
import { openTestRedis } from '../helpers/redis.js';
import { testConfig } from '../helpers/services.js';

/**
 * Redis loses its data under a running deployment (flushed, replaced, failed over to an empty
 * replica): the incident channels Quell created and the evidence store still hold the ids it gave
 * out. After a restart the next declare must get an id above every one of them.
 */
describe('incident ids are never reused after Redis loses its data', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let evidence: Awaited<ReturnType<typeof tempEvidenceDir>>;
  let local: LocalQuell;
  let restarted: Runtime | undefined;

  beforeEach(async () => {
    env = await openTestRedis();
    evidence = await tempEvidenceDir();
    local = await startLocalQuell({
      config: testConfig(env.prefix, `evidence:\n  storage:\n    directory: ${evidence.dir}\n`),
      redis: env.redis,
      logger: createLogger('silent'),
    });
  });

  afterEach(async () => {
    await restarted?.stop();
    restarted = undefined;
    await local.stop();
    await evidence.remove();
    await env.cleanup();
  });

  /**
   * Every key of this deployment gone while it runs, as after a FLUSHALL (other tests' keys are left
   * alone); a set-up step still finishing may write a key or two afterwards, as it would for real.
   */
  async function emptyRedis(): Promise<void> {
    const keys = await env.redis.keys(`*${env.prefix}*`);
    if (keys.length) await env.redis.del(...keys);
    expect(await local.runtime.services.store.currentSequence()).toBe(0);
  }

  /** Quell again (same workspace, same config), as a restarted replica: returns its request URL. */
  async function restartQuell(): Promise<Runtime> {
    await (restarted ?? local.runtime).stop();
    restarted = await startQuell({
      config: local.config,
      logger: createLogger('silent'),
      redis: env.redis,
      connection: {
        kind: 'http',
        botToken: local.slack.botToken,
        signingSecret: local.slack.signingSecret,
        host: '127.0.0.1',
      },
      slackApiUrl: local.slack.apiUrl,
      port: 0,
    });
    local.slack.setRequestUrl(`http://127.0.0.1:${restarted.port}/slack/events`);
    return restarted;
  }

  async function declare(title: string): Promise<string> {
    const before = new Set(local.slack.channels().map((c) => c.id));
    const ack = await local.slack.sendCommand({
      user: LOCAL_IDS.alice,
      channel: LOCAL_IDS.support,
      text: `declare sev2 ${title}`,
    });
    expect(ack.error).toBeUndefined();
    const channel = await local.slack.waitFor(
      () => local.slack.channels().find((c) => !before.has(c.id) && !c.is_im && c.pins.length > 0),
      10_000,
    );
    return /Incident ([A-Z]+-\d+):/.exec(String(channel.purpose.value))![1]!;
  }

  function announcements(): string[] {
    return local.slack.messages(LOCAL_IDS.announcements).map((m) => String(m.text));
  }

  it('advances past the incident channels (archived ones too) and says so in the announcement channel', async () => {
    expect([await declare('Agent refunded orders'), await declare('Agent emailed customers')]).toEqual([
      'INC-1',
      'INC-2',
    ]);
    expect(await declare('Agent looped on tickets')).toBe('INC-3');
    // the newest incident's channel was archived (resolved and tidied away in Slack)
    const newest = local.slack.channels().find((c) => String(c.purpose.value).includes('INC-3:'))!;
    newest.is_archived = true;

    await emptyRedis();
    const quell = await restartQuell();
    // the check runs beside start-up (Tier 2 listing can take minutes): a declare at once waits for it
    expect(await declare('Agent changed prices')).toBe('INC-4');
    expect(await quell.idFloor).toMatchObject({ before: 0, after: 3 });
    expect(announcements().filter((t) => t.includes('id counter'))).toEqual([
      expect.stringContaining(
        `was empty, but INC-3 already exists (Slack channel #${newest.name}, archived). So that no id is used twice, the next incident will be INC-4.`,
      ),
    ]);
  });

  it('advances past the evidence store when it holds a higher id than any channel', async () => {
    expect(await declare('Agent refunded orders')).toBe('INC-1');
    // a bundle of INC-7 from before (its channel was deleted, or made by an earlier workspace)
    const store = new LocalEvidenceStorage(evidence.dir);
    const reserved = await store.reserve('INC-7');
    await mkdir(join(reserved.location, 'raw'), { recursive: true });

    await emptyRedis();
    await restartQuell();
    expect(await declare('Agent changed prices')).toBe('INC-8');
    expect(announcements().at(-1)).toContain('INC-7 already exists (the evidence store (local))');

    // a restart with the counter already past every id changes nothing and says nothing
    const said = announcements().length;
    const again = await restartQuell();
    expect(await again.services.store.currentSequence()).toBe(8);
    expect(await declare('Agent leaked a document')).toBe('INC-9');
    expect(announcements().filter((t) => t.includes('id counter'))).toHaveLength(1);
    expect(announcements().length).toBeGreaterThanOrEqual(said);
  });

  it('a slow listing holds only new ids: start-up and the slash command ack do not wait for it', async () => {
    expect(await declare('Agent refunded orders')).toBe('INC-1');
    await emptyRedis();
    // Slack slow to list channels (a large workspace at Tier 2 takes minutes)
    local.slack.hang('conversations.list', { ms: 6_000 });
    const quell = await restartQuell();
    // whether the check is still running: a settled promise answers before the next macrotask
    const checking = () =>
      Promise.race([
        quell.idFloor!.then(() => false),
        new Promise<boolean>((resolve) => setImmediate(() => resolve(true))),
      ]);
    // start-up returned while the listing still hangs
    expect(await checking()).toBe(true);
    const ack = await local.slack.sendCommand({
      user: LOCAL_IDS.alice,
      channel: LOCAL_IDS.support,
      text: 'declare sev2 Agent changed prices',
    });
    // acknowledged at once, while the check still runs
    expect(ack.error).toBeUndefined();
    expect(await checking()).toBe(true);
    const channel = await local.slack.waitFor(
      () => local.slack.channels().find((c) => String(c.purpose.value).includes('Agent changed prices')),
      20_000,
    );
    // and the declare waited for it: the id is above the existing channel's
    expect(String(channel.purpose.value)).toContain('INC-2:');
    expect(await checking()).toBe(false);
  }, 40_000);
});
