import { WebClient } from '@slack/web-api';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatUnavailableError } from '../../src/chat/port.js';
import { SharedPacer } from '../../src/jobs/pacer.js';
import { BACKGROUND_CLIENT_OPTIONS, REQUEST_CLIENT_OPTIONS, SlackWebChat } from '../../src/slack/web-chat.js';
import { openTestRedis } from '../helpers/redis.js';

let env: Awaited<ReturnType<typeof openTestRedis>>;
const replicas: { disconnect(): void }[] = [];
beforeEach(async () => {
  env = await openTestRedis();
});
afterEach(async () => {
  for (const r of replicas.splice(0)) r.disconnect();
  await env.cleanup();
});

/** A pacer as another Quell process holds it: its own connection, the same Redis and prefix. */
function replicaPacer(): SharedPacer {
  const connection = env.redis.duplicate();
  replicas.push(connection);
  return new SharedPacer(connection, `${env.prefix}:pace`);
}

const oneASecond = { perMinute: 60, burst: 1 };

describe('shared pacer (Redis, across replicas)', () => {
  it('two replicas share one channel’s one message per second', async () => {
    const [a, b] = [replicaPacer(), replicaPacer()];
    const waits: number[] = [];
    for (const pacer of [a, b, a, b]) {
      const slot = await pacer.reserve('chat.postMessage:C0INCIDENT1', oneASecond, 10_000);
      expect(slot.granted).toBe(true);
      waits.push(slot.waitMs);
    }
    // slots one second apart, whichever replica asked (a little slack for the test's own time)
    expect(waits[0]).toBe(0);
    for (let i = 1; i < 4; i++) {
      expect(waits[i]).toBeGreaterThan(i * 1_000 - 100);
      expect(waits[i]).toBeLessThanOrEqual(i * 1_000);
    }
    // another channel is not slowed by the busy one
    expect((await b.reserve('chat.postMessage:C0OTHER0001', oneASecond, 0)).waitMs).toBe(0);
  });

  it('a 429 seen by one replica holds that method back on the other, and nothing else', async () => {
    const [a, b] = [replicaPacer(), replicaPacer()];
    const tier3 = { perMinute: 50, burst: 50 };
    await a.penalize('conversations.history', tier3, 3_000);
    const held = await b.reserve('conversations.history', tier3, 500);
    expect(held.granted).toBe(false);
    expect(held.waitMs).toBeGreaterThan(2_500);
    // refused means nothing was reserved: the wait has not grown
    expect((await b.reserve('conversations.history', tier3, 500)).waitMs).toBeLessThanOrEqual(held.waitMs);
    expect(await b.reserve('chat.postMessage:C0INCIDENT1', oneASecond, 0)).toEqual({
      granted: true,
      waitMs: 0,
    });
    expect(await b.reserve('chat.update', tier3, 0)).toEqual({ granted: true, waitMs: 0 });
  });

  it('allows a burst, then paces', async () => {
    const pacer = replicaPacer();
    const rate = { perMinute: 60, burst: 3 };
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push((await pacer.reserve('pins.add', rate, 5_000)).waitMs);
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(900);
  });
});

describe('the Web API client under rate limits and hangs', () => {
  const api = () => nock('https://slack.com').post(/\/api\/.*/);

  function chat(mode: 'request' | 'background', pacer: SharedPacer, timeoutMs = 2_000) {
    const base = mode === 'background' ? BACKGROUND_CLIENT_OPTIONS : REQUEST_CLIENT_OPTIONS;
    return new SlackWebChat(new WebClient('xoxb-test', { ...base, timeout: timeoutMs }), {
      mode,
      timeoutMs,
      pacer,
    });
  }

  it('one 429 on conversations.history does not pause chat.postMessage', async () => {
    const history = nock('https://slack.com')
      .post('/api/conversations.history')
      .reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '2' })
      .post('/api/conversations.history')
      .reply(200, { ok: true, messages: [{ ts: '1.000001' }], has_more: false });
    nock('https://slack.com')
      .post('/api/chat.postMessage')
      .reply(200, { ok: true, channel: 'C0INCIDENT1', ts: '1700000000.000100' });
    const quell = chat('request', replicaPacer());
    const started = Date.now();
    const page = quell.channelHistoryPage('C0INCIDENT1', { limit: 100 });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the 429 has been seen
    const post = await quell.postMessage('C0INCIDENT1', { text: 'Update' });
    expect(post.ts).toBe('1700000000.000100');
    expect(Date.now() - started).toBeLessThan(1_000);
    // the same page was re-requested after the Retry-After, not skipped
    expect((await page).messages).toEqual([{ ts: '1.000001' }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(history.isDone()).toBe(true);
  });

  it('a 429 on posting to one channel slows that channel on every replica, not the others', async () => {
    nock('https://slack.com')
      .post('/api/chat.postMessage', (body) => body.channel === 'C0BUSY00001')
      .reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '30' })
      .post('/api/chat.postMessage', (body) => body.channel === 'C0CALM00001')
      .reply(200, { ok: true, channel: 'C0CALM00001', ts: '1700000000.000200' });
    const [a, b] = [chat('background', replicaPacer()), chat('background', replicaPacer())];
    const limited = await a.postMessage('C0BUSY00001', { text: 'x' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ChatUnavailableError);
    expect((limited as ChatUnavailableError).retryAfterMs).toBe(30_000);
    // replica b does not even call Slack for the busy channel: it is told when to come back
    const refused = await b.postMessage('C0BUSY00001', { text: 'y' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChatUnavailableError);
    expect((refused as ChatUnavailableError).reason).toBe('ratelimited');
    expect((refused as ChatUnavailableError).retryAfterMs).toBeGreaterThan(29_000);
    expect((await b.postMessage('C0CALM00001', { text: 'z' })).ts).toBe('1700000000.000200');
  });

  it('a hung call fails within its timeout as "unreachable" (retryable, fate unknown)', async () => {
    api().delay(5_000).reply(200, { ok: true });
    const started = Date.now();
    const error = await chat('background', replicaPacer(), 400)
      .updateMessage('C0INCIDENT1', '1700000000.000100', { text: 'summary' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatUnavailableError);
    expect((error as ChatUnavailableError).reason).toBe('unreachable');
    expect(Date.now() - started).toBeLessThan(1_500);
    nock.abortPendingRequests();
  });
});
