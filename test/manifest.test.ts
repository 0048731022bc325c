/**
 * manifest.yml against the code, both ways: every scope, event, command and shortcut the code uses
 * is declared, and every declared one is used (an unused scope is a permission Quell asks a
 * workspace for and never needs). "Used" comes from the Web API methods the code calls (mapped to
 * scopes below, checked against Slack's per-method reference when the copy is present) and from
 * the listeners the boundary registers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LISTENERS } from '../src/slack/listeners/index.js';

const manifest = parse(readFileSync('manifest.yml', 'utf8'));
const REFERENCE = '../shared/slack-reference';
const SCHEMA_PATH = `${REFERENCE}/slackapi__manifest-schema/schemas/manifest.schema.1.0.0.json`;
const METHODS_SUMMARY = `${REFERENCE}/derived/methods-summary.json`;

/**
 * Web API method → the bot scopes Quell relies on for it (null: no scope needed). Slack lists the
 * scopes each method accepts and checks the one of the conversation's kind: `channels:*` for the
 * public incident channels, `groups:*` for the private ones, so methods used on both list both.
 * The reference test below checks each pick against Slack's list.
 */
const SCOPE_FOR: Record<string, string | readonly string[] | null> = {
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.update': 'chat:write',
  // not in the reference copy; docs.slack.dev/reference/methods/chat.getPermalink: no scope required
  'chat.getPermalink': null,
  'conversations.create': ['channels:manage', 'groups:write'],
  'conversations.setTopic': ['channels:manage', 'groups:write'],
  'conversations.setPurpose': ['channels:manage', 'groups:write'],
  'conversations.invite': ['channels:manage', 'groups:write'],
  'conversations.archive': ['channels:manage', 'groups:write'],
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'conversations.info': 'channels:read',
  // Quell reads members only of private incident channels (who may see a private incident)
  'conversations.members': 'groups:read',
  // findChannel lists public and private channels
  'conversations.list': ['channels:read', 'groups:read'],
  'conversations.join': 'channels:join',
  'conversations.open': 'im:write',
  'pins.add': 'pins:write',
  // the evidence bundle's pins, bookmarks and shared files (src/slack/evidence-reads.ts)
  'pins.list': 'pins:read',
  'bookmarks.list': 'bookmarks:read',
  'files.info': 'files:read',
  'bookmarks.add': 'bookmarks:write',
  'users.info': 'users:read',
  'users.list': 'users:read',
  'users.lookupByEmail': 'users:read.email',
  'usergroups.users.list': 'usergroups:read',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'views.open': null,
  'views.push': null,
  'views.update': null,
  'views.publish': null,
  'auth.test': null,
};

/**
 * Bolt event type → the manifest's bot events and the scopes they need (docs.slack.dev/reference/events).
 * Bolt's `message` listener hears `message.channels` (public incident channels) and
 * `message.groups` (private ones).
 */
const EVENTS: Record<string, { botEvents: string[]; scopes: string[] }> = {
  app_home_opened: { botEvents: ['app_home_opened'], scopes: [] },
  message: {
    botEvents: ['message.channels', 'message.groups'],
    scopes: ['channels:history', 'groups:history'],
  },
};

const scopeList = (scope: string | readonly string[] | null | undefined): readonly string[] =>
  scope === null || scope === undefined ? [] : typeof scope === 'string' ? [scope] : scope;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Web API methods the product calls: `client.x.y(…)` and `apiCall('x.y')`; the local emulator serves them, it does not call them. */
function calledMethods(code: string): Set<string> {
  const methods = new Set<string>();
  for (const m of code.matchAll(/\bclient\.([a-z]+(?:\.[a-zA-Z]+)+)\(/g)) methods.add(m[1]!);
  for (const m of code.matchAll(/\bapiCall\(\s*['"]([a-zA-Z.]+)['"]/g)) methods.add(m[1]!);
  return methods;
}

const productCode = sourceFiles('src')
  .filter((f) => !f.startsWith(join('src', 'local')))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');
const methods = calledMethods(productCode);
const registered = (kind: string) => LISTENERS.filter((l) => l.kind === kind).map((l) => l.id);

/**
 * Scopes a method needs only for a field the code reads from its answer: users.info returns
 * `profile.email` only with users:read.email (docs.slack.dev/reference/methods/users.info).
 */
const FIELD_SCOPES: readonly { scope: string; uses: RegExp; why: string }[] = [
  {
    scope: 'users:read.email',
    uses: /\bprofile\?\.email\b/,
    why: "users.info's profile.email (evidence users.json)",
  },
];

function usedScopes(): Map<string, string> {
  const why = new Map<string, string>();
  for (const field of FIELD_SCOPES) if (field.uses.test(productCode)) why.set(field.scope, field.why);
  for (const method of methods)
    for (const scope of scopeList(SCOPE_FOR[method])) why.set(scope, why.get(scope) ?? method);
  for (const event of registered('event'))
    for (const scope of EVENTS[event]?.scopes ?? []) why.set(scope, why.get(scope) ?? `${event} event`);
  // slash commands and shortcuts both need the commands scope
  if (registered('command').length || registered('shortcut').length) why.set('commands', 'slash commands');
  return why;
}

const declaredScopes: string[] = manifest.oauth_config.scopes.bot;

function unusedScopes(declared: readonly string[]): string[] {
  const used = usedScopes();
  return declared.filter((scope) => !used.has(scope));
}

describe('manifest.yml', () => {
  it('finds the Web API calls it reasons about', () => {
    expect(
      calledMethods("await this.client.usergroups.users.list({ usergroup }); web.apiCall('pins.add')"),
    ).toEqual(new Set(['usergroups.users.list', 'pins.add']));
    // the product certainly posts messages and opens modals: a scan that finds nothing is broken
    expect(methods).toContain('chat.postMessage');
    expect(methods).toContain('views.open');
    for (const method of methods) expect(SCOPE_FOR, `add ${method} to SCOPE_FOR`).toHaveProperty([method]);
  });

  it('declares the bot scope of every Web API method and event the code uses', () => {
    for (const [scope, usedBy] of usedScopes())
      expect(declaredScopes, `${usedBy} needs ${scope}`).toContain(scope);
  });

  it('declares no scope the code does not use', () => {
    expect(
      unusedScopes(declaredScopes),
      'declared in manifest.yml but used by no call, event or command',
    ).toEqual([]);
  });

  it('the two-way scope check fails on an unused scope', () => {
    const exact = [...usedScopes().keys()];
    expect(unusedScopes(exact)).toEqual([]);
    expect(unusedScopes([...exact, 'reactions:write'])).toEqual(['reactions:write']);
  });

  it('declares exactly the slash commands and shortcuts the code registers', () => {
    const commands = manifest.features.slash_commands.map((c: { command: string }) => c.command);
    expect([...commands].sort()).toEqual([...registered('command')].sort());
    const shortcuts = (manifest.features.shortcuts ?? []).map((s: { callback_id: string }) => s.callback_id);
    expect([...shortcuts].sort()).toEqual([...registered('shortcut')].sort());
  });

  it('subscribes to exactly the events the code listens to', () => {
    const events = registered('event');
    for (const event of events) expect(EVENTS, `add the ${event} event to EVENTS`).toHaveProperty([event]);
    const expected = events.flatMap((e) => EVENTS[e]!.botEvents).sort();
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(expected);
    if (events.includes('app_home_opened')) expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it('enables interactivity for the buttons, menus and forms the code handles', () => {
    expect(registered('action').length + registered('view').length).toBeGreaterThan(0);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('points commands and interactivity at Bolt’s /slack/events path', () => {
    for (const command of manifest.features.slash_commands) expect(command.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.features.slash_commands.every((c: { should_escape: boolean }) => c.should_escape)).toBe(
      true,
    );
  });

  it('picks, for each method, a scope Slack’s method reference accepts (when the reference copy is present)', () => {
    if (!existsSync(METHODS_SUMMARY)) {
      console.info(`method scopes: ${METHODS_SUMMARY} is absent here; SCOPE_FOR is used as written`);
      return;
    }
    const summary: Record<string, { bot_scopes_any_of: string[] | null }> = JSON.parse(
      readFileSync(METHODS_SUMMARY, 'utf8'),
    );
    for (const [method, scope] of Object.entries(SCOPE_FOR)) {
      const reference = summary[method];
      if (!reference) continue; // not in the copy (chat.getPermalink): the comment above cites the docs
      if (scope === null) expect(reference.bot_scopes_any_of, method).toBeNull();
      else
        for (const one of scopeList(scope)) expect(reference.bot_scopes_any_of ?? [], method).toContain(one);
    }
  });

  it('validates against Slack’s official manifest schema when the reference copy is present', () => {
    if (!existsSync(SCHEMA_PATH)) {
      console.info(
        `manifest schema check: ${SCHEMA_PATH} is absent here; the structural checks above still ran`,
      );
      return;
    }
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });
});
