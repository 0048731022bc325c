import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatMessage, ChatUnavailableError } from '../../src/chat/port.js';
import type { Incident } from '../../src/incidents/model.js';
import { SummaryRenderer } from '../../src/incidents/summary-render.js';
import { createLogger } from '../../src/logging/logger.js';
import { openTestRedis } from '../helpers/redis.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Slack's pinned summary as Slack keeps it: whichever chat.update arrives last is shown. `plan`
 * decides, per call, how long Slack takes and whether it answers 503 instead.
 */
class PinnedSummary {
  shown?: string;
  readonly applied: string[] = [];
  readonly attempts: string[] = [];
  plan: (text: string) => { delayMs?: number; fail?: boolean } = () => ({});
  async updateMessage(_channel: string, _ts: string, message: ChatMessage): Promise<void> {
    this.attempts.push(message.text);
    const { delayMs = 0, fail = false } = this.plan(message.text);
    await sleep(delayMs);
    if (fail) throw new ChatUnavailableError('chat.update', 'http_503');
    this.shown = message.text;
    this.applied.push(message.text);
  }
}

let env: Awaited<ReturnType<typeof openTestRedis>>;
let incident: Incident;
let slack: PinnedSummary;
const retries: string[] = [];
beforeEach(async () => {
  env = await openTestRedis();
  slack = new PinnedSummary();
  retries.length = 0;
  incident = {
    id: 'INC-7',
    channelId: 'C0INCIDENT7',
    summaryTs: '1700000000.000100',
    version: 1,
  } as Incident;
});
afterEach(() => env.cleanup());

/** A replica's renderer: every one shares the Redis lease and marks. */
function renderer(): SummaryRenderer {
  return new SummaryRenderer({
    redis: env.redis,
    keyPrefix: env.prefix,
    load: async () => ({ ...incident }),
    chat: slack,
    views: { summary: (i) => ({ text: `v${i.version}` }) },
    logger: createLogger('silent'),
    retryLater: async (id) => retries.push(id),
  });
}

describe('the versioned summary render', () => {
  it('a render slowed by Slack is never applied after a newer one', async () => {
    slack.plan = (text) => ({ delayMs: text === 'v1' ? 400 : 0 });
    const first = renderer().refresh(incident.id);
    await sleep(50); // v1 is on its way to Slack
    incident = { ...incident, version: 2 };
    expect(await renderer().refresh(incident.id)).toBe('queued'); // another replica, same incident
    expect(await first).toBe('applied');
    expect(slack.applied).toEqual(['v1', 'v2']);
    expect(slack.shown).toBe('v2');
  });

  it('a render refused with 503 is retried later with the latest state, never the old one', async () => {
    slack.plan = (text) => ({ fail: text === 'v1' });
    await expect(renderer().refresh(incident.id)).rejects.toBeInstanceOf(ChatUnavailableError);
    expect(retries).toEqual(['INC-7']); // the corrective pass is scheduled
    incident = { ...incident, version: 2 };
    expect(await renderer().refresh(incident.id)).toBe('applied');
    expect(slack.attempts).toEqual(['v1', 'v2']);
    expect(slack.shown).toBe('v2');
    expect(await renderer().shownVersion(incident.id, incident.summaryTs!)).toBe(2);
  });

  it('sends nothing when Slack already shows this version', async () => {
    await renderer().refresh(incident.id);
    expect(await renderer().refresh(incident.id)).toBe('current');
    expect(slack.attempts).toEqual(['v1']);
  });

  it('many replicas refreshing at once: applied versions only go up, and the latest ends up shown', async () => {
    slack.plan = () => ({ delayMs: Math.random() * 30 });
    const replicas = [renderer(), renderer(), renderer()];
    const runs: Promise<unknown>[] = [];
    for (let v = 2; v <= 20; v++) {
      incident = { ...incident, version: v };
      runs.push(replicas[v % 3]!.refresh(incident.id));
      await sleep(Math.random() * 15);
    }
    await Promise.all(runs);
    const versions = slack.applied.map((t) => Number(t.slice(1)));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(slack.shown).toBe('v20');
    expect(slack.applied.length).toBeLessThan(19); // stale versions were skipped, not sent
  });
});
