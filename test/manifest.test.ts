import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS, SHORTCUTS } from '../src/slack/ids.js';

const manifest = parse(readFileSync('manifest.yml', 'utf8'));
const SCHEMA_PATH = '../shared/slack-reference/slackapi__manifest-schema/schemas/manifest.schema.1.0.0.json';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('manifest.yml', () => {
  it('declares every slash command and shortcut the code registers', () => {
    const commands = manifest.features.slash_commands.map((c: { command: string }) => c.command);
    for (const command of Object.values(COMMANDS)) expect(commands).toContain(command);
    const shortcuts = manifest.features.shortcuts.map((s: { callback_id: string }) => s.callback_id);
    for (const id of Object.values(SHORTCUTS)) expect(shortcuts).toContain(id);
  });

  it('has the bot scope for every Web API method the code calls', () => {
    // method → the scope this app relies on for it (Slack's method reference lists the accepted scopes)
    const scopeFor: Record<string, string> = {
      'conversations.create': 'channels:manage',
      'conversations.setTopic': 'channels:manage',
      'conversations.setPurpose': 'channels:manage',
      'conversations.invite': 'channels:manage',
      'conversations.archive': 'channels:manage',
      'conversations.history': 'channels:history',
      'conversations.replies': 'channels:history',
      'conversations.info': 'channels:read',
      'chat.postMessage': 'chat:write',
      'chat.postEphemeral': 'chat:write',
      'chat.update': 'chat:write',
      'pins.add': 'pins:write',
      'bookmarks.add': 'bookmarks:write',
      'users.info': 'users:read',
      'users.list': 'users:read',
      'usergroups.users.list': 'usergroups:read',
      'files.getUploadURLExternal': 'files:write',
      'files.completeUploadExternal': 'files:write',
    };
    const code = sourceFiles('src')
      .filter((f) => !f.startsWith(join('src', 'local')))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    for (const [method, scope] of Object.entries(scopeFor)) {
      const [group, name] = method.split('.') as [string, string];
      if (code.includes(`${group}.${name}(`)) expect(scopes, `${method} needs ${scope}`).toContain(scope);
    }
    expect(scopes).toContain('commands');
  });

  it('points commands and interactivity at Bolt’s /slack/events path', () => {
    for (const command of manifest.features.slash_commands) expect(command.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.features.slash_commands.every((c: { should_escape: boolean }) => c.should_escape)).toBe(
      true,
    );
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
