import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * What the emulator learns from Quell's app manifest, as Slack would from an installed app:
 * slash commands, shortcuts, subscribed bot events and granted scopes. Reading manifest.yml keeps
 * the local workspace in step as commands and events are added.
 */
const manifestSchema = z.object({
  features: z
    .object({
      bot_user: z.object({ display_name: z.string() }).partial().optional(),
      slash_commands: z
        .array(
          z.object({
            command: z.string(),
            description: z.string().default(''),
            usage_hint: z.string().optional(),
            should_escape: z.boolean().default(false),
          }),
        )
        .default([]),
      shortcuts: z
        .array(
          z.object({
            name: z.string(),
            type: z.enum(['message', 'global']),
            callback_id: z.string(),
            description: z.string().default(''),
          }),
        )
        .default([]),
    })
    .prefault({}),
  oauth_config: z
    .object({ scopes: z.object({ bot: z.array(z.string()).default([]) }).prefault({}) })
    .prefault({}),
  settings: z
    .object({
      event_subscriptions: z.object({ bot_events: z.array(z.string()).default([]) }).optional(),
    })
    .prefault({}),
});

export interface AppManifest {
  botName: string;
  commands: { command: string; description: string; usage_hint?: string; should_escape: boolean }[];
  shortcuts: { name: string; type: 'message' | 'global'; callback_id: string; description: string }[];
  botEvents: string[];
  scopes: string[];
}

export const DEFAULT_MANIFEST_PATH = fileURLToPath(new URL('../../../manifest.yml', import.meta.url));

export function parseManifest(text: string): AppManifest {
  const manifest = manifestSchema.parse(parse(text) ?? {});
  return {
    botName: manifest.features.bot_user?.display_name ?? 'Quell',
    commands: manifest.features.slash_commands,
    shortcuts: manifest.features.shortcuts,
    botEvents: manifest.settings.event_subscriptions?.bot_events ?? [],
    scopes: manifest.oauth_config.scopes.bot,
  };
}

export function loadManifest(path = DEFAULT_MANIFEST_PATH): AppManifest {
  return parseManifest(readFileSync(path, 'utf8'));
}
