import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { parseConfigText } from '../../src/config/load.js';
import { createEvidenceService } from '../../src/evidence/index.js';
import type { Incident } from '../../src/incidents/model.js';
import { IncidentService } from '../../src/incidents/service.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { SlackEmulator } from '../../src/local/emulator/emulator.js';
import { createLogger } from '../../src/logging/logger.js';
import { redisKeys } from '../../src/redis/keys.js';
import { incidentViews } from '../../src/slack/blocks/incident.js';
import { SlackEvidenceReads } from '../../src/slack/evidence-reads.js';
import { SlackWebChat } from '../../src/slack/web-chat.js';
import { openTestRedis } from '../helpers/redis.js';
import { expectGivenUpOnHang } from '../helpers/slack-hang.js';
import { tempEvidenceDir } from './helpers.js';

const CHANNEL = 'C0SOURCES1';
const AGENT_CHANNEL = 'C0SUPPORT1';

/**
 * The bundle's Slack sources beyond the transcript, read from the local Slack (which checks each
 * method's scope as Slack does): pins, bookmarks, shared files' bytes with their hashes (a size
 * cap: above it metadata only, named as a gap), people's emails and bot/deleted flags, joins, and
 * the agent's bot-user messages in another channel during the incident window.
 */
describe('evidence sources read from Slack', () => {
  let env: Awaited<ReturnType<typeof openTestRedis>>;
  let slack: SlackEmulator;
  let storage: Awaited<ReturnType<typeof tempEvidenceDir>>;

  beforeEach(async () => {
    env = await openTestRedis();
    storage = await tempEvidenceDir();
    slack = await SlackEmulator.start({ seed: false });
    slack.addUser({
      id: 'U0SRCALICE',
      name: 'alice',
      real_name: 'Alice Archer',
      email: 'alice@example.com',
    } as never);
    slack.addUser({
      id: 'U0SRCAGENT',
      name: 'refund-agent',
      real_name: 'Refund Agent',
      is_bot: true,
    } as never);
    slack.addChannel({ id: CHANNEL, name: 'inc-sources', members: [slack.bot.id, 'U0SRCALICE'] });
    slack.addChannel({ id: AGENT_CHANNEL, name: 'support', members: [slack.bot.id, 'U0SRCAGENT'] });
  });

  afterEach(async () => {
    await slack.close();
    await env.cleanup();
    await storage.remove();
  });

  it('collects pins, bookmarks, files (capped), profiles and the agent bot’s messages elsewhere', async () => {
    const config = parseConfigText(
      `redis:\n  keyPrefix: ${env.prefix}\nevidence:\n  storage:\n    directory: ${JSON.stringify(storage.dir)}\n  uploadToChannel: false\n  files:\n    maxBytes: 1000\n  agentBotChannels: [${AGENT_CHANNEL}]\n  agentBotUserId: U0SRCAGENT\n`,
      'sources-test',
    );
    const web = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl });
    const chat = new SlackWebChat(web);
    const logger = createLogger('silent');
    const store = new IncidentStore(env.redis, redisKeys(env.prefix));
    const incidents = new IncidentService({
      store,
      chat,
      views: incidentViews(config),
      config,
      clock: systemClock,
      logger,
    });
    const createdAt = new Date(Date.now() - 3600_000).toISOString();
    const incident: Incident = {
      id: 'INC-1',
      seq: 1,
      title: 'Sources',
      description: '',
      severity: 'sev2',
      status: 'monitoring',
      drill: true,
      channelId: CHANNEL,
      channelName: 'inc-sources',
      roles: { commander: 'U0SRCALICE' },
      agent: {},
      declaredBy: 'U0SRCALICE',
      createdAt,
      updatedAt: createdAt,
      nextUpdateDueAt: null,
      version: 0,
    };
    await store.create(incident, {
      incidentId: 'INC-1',
      at: createdAt,
      actor: 'U0SRCALICE',
      kind: 'declared',
      text: 'Declared',
      data: {},
    });
    await store.linkChannel(CHANNEL, 'INC-1');

    const old = Math.floor(Date.now() / 1000) - 7200; // before the incident: not in the window
    slack.seedMessages(AGENT_CHANNEL, [
      { user: 'U0SRCAGENT', ts: `${old}.000100`, text: 'before the incident' },
      { user: 'U0SRCAGENT', ts: `${old + 5400}.000100`, text: 'Your refund of $4,000 was sent' },
      { user: 'U0SRCALICE', ts: `${old + 5500}.000100`, text: 'a person, not the agent' },
    ]);
    const { ts } = await chat.postMessage(CHANNEL, { text: 'containment plan' });
    await chat.pinMessage(CHANNEL, ts);
    // a person added it (Quell itself has no bookmarks:write)
    slack.workspace.channels.get(CHANNEL)!.bookmarks.push({
      id: 'Bk0RUNBOOK',
      title: 'Runbook',
      type: 'link',
      link: 'https://runbooks.example.com/refunds',
    });
    const small = Buffer.from('tool call: refund_api amount=4000\n');
    await chat.shareFiles(
      CHANNEL,
      [
        { filename: 'tool-log.txt', title: 'tool log', content: small },
        { filename: 'dump.bin', title: 'dump', content: Buffer.alloc(2000, 1) },
      ],
      'logs',
    );

    const evidence = createEvidenceService({
      config,
      chat,
      incidents,
      store,
      redis: env.redis,
      clock: systemClock,
      logger,
      reads: SlackEvidenceReads.create({ token: slack.botToken, slackApiUrl: slack.apiUrl }),
    });
    const outcome = await evidence.archive({ incidentId: 'INC-1', actor: 'U0SRCALICE', trigger: 'command' });
    const bundle = outcome.reservation.location;
    const jsonl = async (file: string) =>
      (await readFile(join(bundle, file), 'utf8'))
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));

    expect((await jsonl('pins.jsonl')).map((p) => p.message?.ts)).toEqual([ts]);
    expect((await jsonl('bookmarks.jsonl')).map((b) => b.title)).toEqual(['Runbook']);
    const files = await jsonl('files.jsonl');
    const log = files.find((f) => f.name === 'tool-log.txt')!;
    expect(await readFile(join(bundle, log.path))).toEqual(small);
    expect(outcome.manifest.files).toContainEqual({
      path: log.path,
      bytes: small.length,
      sha256: log.sha256,
      collector: 'slack.files',
    });
    const dump = files.find((f) => f.name === 'dump.bin')!;
    expect(dump.skipped).toBe('2000 bytes is over the 1000-byte cap (evidence.files.maxBytes)');
    expect(outcome.manifest.gaps).toContainEqual({
      source: 'slack.files',
      what: `${dump.id} (dump.bin)`,
      reason: dump.skipped,
    });

    const users = JSON.parse(await readFile(join(bundle, 'users.json'), 'utf8'));
    expect(users).toContainEqual(
      expect.objectContaining({
        id: 'U0SRCALICE',
        name: 'Alice Archer',
        email: 'alice@example.com',
        isBot: false,
        deleted: false,
      }),
    );

    const agent = await jsonl(`agent-bot/${AGENT_CHANNEL}.jsonl`);
    expect(agent.map((m) => m.text)).toEqual(['Your refund of $4,000 was sent']);
    expect(outcome.manifest.channels).toEqual([
      { id: CHANNEL, role: 'incident' },
      { id: AGENT_CHANNEL, role: 'agent-bot' },
    ]);
    expect(outcome.manifest.counts).toMatchObject({
      pins: 1,
      bookmarks: 1,
      filesDownloaded: 1,
      filesMetadataOnly: 1,
      agentBotMessages: 1,
    });
  });

  it('a hanging pins.list is given up after three bounded tries (then a gap), not half an hour of retries', async () => {
    const reads = SlackEvidenceReads.create({
      token: slack.botToken,
      slackApiUrl: slack.apiUrl,
      timeoutMs: 200,
    });
    // three tries of 200 ms and two short pauses
    await expectGivenUpOnHang(slack, 'pins.list', () => reads.pins(CHANNEL), {
      tries: 3,
      withinMs: 6_000,
      hangMs: 2_000,
    });
  });
});
