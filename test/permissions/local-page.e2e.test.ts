import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAGE_TOKEN_HEADER } from '../../src/local/emulator/http/page-guard.js';
import { LOCAL_IDS } from '../../src/local/seed.js';
import { startLocalSlack } from '../helpers/local-slack.js';

/**
 * The local workspace page's API, attacked the ways a page on another site could: an `<img>` GET,
 * a no-cors form POST, a cross-origin fetch, a DNS-rebound Host. None may run `/incident declare`.
 */
const I = LOCAL_IDS;
const DECLARE = { as: I.alice, channel: I.support, text: '/incident declare sev1 Cross-site declare' };

describe('local page API: only this page, from this machine, with this run’s token', () => {
  let local: Awaited<ReturnType<typeof startLocalSlack>>;
  let base: string;
  let token: string;
  let seeded: number;

  beforeEach(async () => {
    local = await startLocalSlack();
    base = local.slack.url;
    const ws = (await (await fetch(`${base}/ui/api/workspace?as=${I.alice}`)).json()) as {
      pageToken: string;
    };
    token = ws.pageToken;
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    seeded = local.slack.messages(I.support).length;
  });

  afterEach(async () => {
    await local.stop();
  });

  const post = (headers: Record<string, string>, body: unknown = DECLARE) =>
    fetch(`${base}/ui/api/send`, { method: 'POST', headers, body: JSON.stringify(body) });

  async function nothingChanged() {
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(local.slack.messages(I.support)).toHaveLength(seeded);
    expect(local.slack.channels().filter((c) => c.name.startsWith('inc-'))).toEqual([]);
  }

  it('refuses a GET that would change state (an <img src>), a POST without the token, and a cross-origin POST', async () => {
    const img = await fetch(
      `${base}/ui/api/send?as=${I.alice}&channel=${I.support}&text=${encodeURIComponent(DECLARE.text)}`,
    );
    expect(img.status).toBe(403);
    // a no-cors form POST: text/plain, no custom header
    const form = await post({ 'content-type': 'text/plain' });
    expect(form.status).toBe(403);
    const noToken = await post({ 'content-type': 'application/json' });
    expect(noToken.status).toBe(403);
    const crossOrigin = await post({
      'content-type': 'application/json',
      origin: 'https://evil.example',
      [PAGE_TOKEN_HEADER]: token,
    });
    expect(crossOrigin.status).toBe(403);
    expect(await crossOrigin.json()).toMatchObject({ ok: false, error: 'forbidden' });
    const wrongToken = await post({
      'content-type': 'application/json',
      [PAGE_TOKEN_HEADER]: 'f'.repeat(48),
    });
    expect(wrongToken.status).toBe(403);
    await nothingChanged();
  });

  it('refuses another Host (DNS rebinding), also for reads', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${base}/ui/api/workspace?as=${I.alice}`);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          headers: { host: 'rebound.evil.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('this page, same origin, with the token: the message is sent', async () => {
    const ok = await post(
      { 'content-type': 'application/json', origin: base, [PAGE_TOKEN_HEADER]: token },
      { as: I.alice, channel: I.support, text: 'hello from the page' },
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true });
    const texts = local.slack.messages(I.support).map((m) => (m as { text: string }).text);
    expect(texts).toHaveLength(seeded + 1);
    expect(texts).toContain('hello from the page');
  });
});
