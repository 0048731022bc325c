import { afterEach, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../../../src/local/emulator/emulator.js';
import { loadManifest } from '../../../src/local/emulator/manifest.js';

/** Slack checks the scope of the conversation's kind: groups:* for private channels, channels:* for public. */

const call = async (slack: SlackEmulator, method: string, params: Record<string, unknown>) =>
  (await fetch(`${slack.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${slack.botToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  }).then((r) => r.json())) as Record<string, unknown>;

describe('emulator: scopes of private channels', () => {
  let slack: SlackEmulator | undefined;
  afterEach(async () => {
    await slack?.close();
    slack = undefined;
  });

  const withScopes = async (scopes: string[]) => {
    const manifest = { ...loadManifest(), scopes };
    slack = await SlackEmulator.start({ manifest });
    return slack;
  };

  it('refuses a private channel without groups:write, and its history without groups:history', async () => {
    const s = await withScopes(['chat:write', 'channels:manage', 'channels:history']);
    expect(
      await call(s, 'conversations.create', { name: 'inc-private-one', is_private: true }),
    ).toMatchObject({
      ok: false,
      error: 'missing_scope',
      needed: 'groups:write',
    });
    expect(s.channel('inc-private-one')).toBeUndefined();
    const publicOne = await call(s, 'conversations.create', { name: 'inc-public-one' });
    expect(publicOne).toMatchObject({ ok: true, channel: { is_private: false } });
    const hidden = s.addChannel({ name: 'secops', isPrivate: true, members: [s.bot.id] });
    expect(await call(s, 'conversations.history', { channel: hidden.id })).toMatchObject({
      ok: false,
      error: 'missing_scope',
      needed: 'groups:history',
    });
    expect(await call(s, 'conversations.members', { channel: hidden.id })).toMatchObject({
      error: 'missing_scope',
      needed: 'groups:read',
    });
    // chat:write belongs to no conversation kind: posting works either way
    expect(await call(s, 'chat.postMessage', { channel: hidden.id, text: 'hi' })).toMatchObject({ ok: true });
  });

  it('with Quell’s manifest, creates, reads and lists the members of a private channel', async () => {
    const s = await withScopes(loadManifest().scopes);
    const created = await call(s, 'conversations.create', { name: 'inc-private-two', is_private: true });
    expect(created).toMatchObject({ ok: true, channel: { is_private: true, is_group: true } });
    const id = (created.channel as { id: string }).id;
    expect(await call(s, 'conversations.history', { channel: id })).toMatchObject({ ok: true });
    expect(await call(s, 'conversations.members', { channel: id })).toMatchObject({
      ok: true,
      members: [s.bot.id],
    });
  });
});
