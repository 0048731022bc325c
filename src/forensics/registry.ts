import { ConfigError } from '../config/errors.js';
import type { QuellConfig } from '../config/schema.js';
import { BUILT_IN_COLLECTORS } from './collectors/index.js';
import type { AnyCollector } from './contract.js';

/**
 * The registry built from config at start-up: each configured collector bound to its built-in
 * collector, validated settings and secret values read from the environment. A missing variable
 * stops start-up naming the collector, the slot and the variable. `agent-permissions` gets its
 * identities (and their secrets, as `<action>.<slot>`) from `containment.actions`.
 */
export interface ResolvedCollector {
  name: string;
  collector: AnyCollector;
  settings: unknown;
  secrets: Readonly<Record<string, string>>;
  auto: readonly string[];
  afterContainment: boolean;
  maxRecords: number;
}

export class ForensicsRegistry {
  constructor(readonly collectors: ReadonlyMap<string, ResolvedCollector>) {}
  get(name: string): ResolvedCollector | undefined {
    return this.collectors.get(name);
  }
  get names(): string[] {
    return [...this.collectors.keys()];
  }
}

export function buildForensicsRegistry(config: QuellConfig, env: NodeJS.ProcessEnv): ForensicsRegistry {
  const out = new Map<string, ResolvedCollector>();
  const missing: string[] = [];
  for (const [name, entry] of Object.entries(config.forensics.collectors)) {
    const collector = BUILT_IN_COLLECTORS.get(entry.collector)!;
    const secrets: Record<string, string> = {};
    for (const [slot, variable] of Object.entries(entry.secrets)) {
      const value = env[variable];
      if (value) secrets[slot] = value;
      else
        missing.push(
          `forensics.collectors.${name}.secrets.${slot}: environment variable ${variable} is not set`,
        );
    }
    let settings: unknown;
    if (collector.id === 'agent-permissions') {
      const identities = Object.entries(config.containment.actions).map(([action, a]) => {
        for (const [slot, variable] of Object.entries(a.secrets))
          if (env[variable]) secrets[`${action}.${slot}`] = env[variable]!;
        return { action, adapter: a.adapter, settings: a.settings as Record<string, unknown> };
      });
      settings = collector.settingsSchema.parse({ identities });
    } else settings = collector.settingsSchema.parse(entry.settings);
    out.set(name, {
      name,
      collector,
      settings,
      secrets,
      auto: entry.auto,
      afterContainment: entry.afterContainment,
      maxRecords: entry.maxRecords ?? config.forensics.maxRecords,
    });
  }
  if (missing.length)
    throw new ConfigError(`Forensic collector secrets are missing:\n  - ${missing.join('\n  - ')}`);
  return new ForensicsRegistry(out);
}
