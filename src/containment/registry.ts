import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import { BUILT_IN_ADAPTERS } from './adapters/index.js';
import type { ContainmentAuthorization, ContainmentConfig } from './config.js';
import type { AnyAdapter } from './contract.js';

/**
 * The registry built from config at start-up: each configured action bound to its adapter, its
 * validated settings and its secret values read from the environment. A missing variable stops
 * start-up with a message naming the action, the slot and the variable.
 */
export interface ResolvedAction {
  name: string;
  description: string;
  adapter: AnyAdapter;
  settings: unknown;
  defaultArgs: Record<string, unknown>;
  secrets: Readonly<Record<string, string>>;
  timeoutMs: number;
  irreversible: boolean;
  undoable: boolean;
  authorized: ContainmentAuthorization;
}

export interface ResolvedPlaybook {
  name: string;
  description: string;
  /** Groups run in order; the actions of one group run in parallel. */
  groups: string[][];
}

export class ContainmentRegistry {
  constructor(
    readonly actions: ReadonlyMap<string, ResolvedAction>,
    readonly playbooks: ReadonlyMap<string, ResolvedPlaybook>,
    readonly retries: number,
    /** How often controls in force are verified again while the incident is open. */
    readonly reverifyEveryMs = 5 * 60_000,
  ) {}

  action(name: string): ResolvedAction | undefined {
    return this.actions.get(name);
  }

  playbook(name: string): ResolvedPlaybook | undefined {
    return this.playbooks.get(name);
  }

  get isEmpty(): boolean {
    return this.actions.size === 0;
  }

  /** Each action's identity and what it may do (forensics: "what the agent was allowed to do"). */
  identities(): { action: string; adapter: string; identity: string }[] {
    return [...this.actions.values()].flatMap((a) => {
      const identity = a.adapter.describeIdentity?.(a.settings);
      return identity ? [{ action: a.name, adapter: a.adapter.id, identity }] : [];
    });
  }
}

/** A secret file's content; the message names the field and path, never the content. */
function readSecretFile(field: string, slot: string, path: string): string {
  try {
    const content = readFileSync(path, 'utf8').trim();
    if (!content) throw new Error('the file is empty');
    return content;
  } catch (error) {
    throw new ConfigError(
      `${field}: cannot read the ${slot} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** Environment variables the config names but the environment lacks, as config-check lines. */
export function missingSecretVariables(config: ContainmentConfig, env: NodeJS.ProcessEnv): string[] {
  const missing: string[] = [];
  for (const [name, action] of Object.entries(config.actions))
    for (const [slot, variable] of Object.entries(action.secrets))
      if (!env[variable])
        missing.push(
          `  - containment.actions.${name}.secrets.${slot}: environment variable ${variable} is not set`,
        );
  return missing;
}

export function buildContainmentRegistry(
  config: ContainmentConfig,
  env: NodeJS.ProcessEnv = process.env,
  adapters: ReadonlyMap<string, AnyAdapter> = BUILT_IN_ADAPTERS,
): ContainmentRegistry {
  const missing = missingSecretVariables(config, env);
  if (missing.length)
    throw new ConfigError(
      `Containment secrets are missing from the environment:\n${missing.join('\n')}\nSet them (the config file only names them), or remove the actions that need them.`,
    );
  const actions = new Map<string, ResolvedAction>();
  for (const [name, action] of Object.entries(config.actions)) {
    const adapter = adapters.get(action.adapter);
    if (!adapter)
      throw new ConfigError(`containment.actions.${name}.adapter: unknown adapter "${action.adapter}"`);
    const secrets: Record<string, string> = {};
    for (const [slot, variable] of Object.entries(action.secrets)) secrets[slot] = env[variable]!;
    for (const [slot, path] of Object.entries(adapter.fileSecrets?.(action.settings) ?? {}))
      secrets[slot] = readSecretFile(`containment.actions.${name}.settings`, slot, path);
    actions.set(name, {
      name,
      description: action.description ?? '',
      adapter,
      settings: action.settings,
      defaultArgs: action.args as Record<string, unknown>,
      secrets,
      timeoutMs: action.timeoutMs ?? config.timeout,
      irreversible: adapter.irreversible(action.settings),
      undoable: Boolean(adapter.undo) && (adapter.canUndo?.(action.settings) ?? true),
      authorized: action.authorized ?? config.authorized,
    });
  }
  const playbooks = new Map<string, ResolvedPlaybook>();
  for (const [name, playbook] of Object.entries(config.playbooks))
    playbooks.set(name, {
      name,
      description: playbook.description ?? '',
      groups: playbook.steps.map((step) => (typeof step === 'string' ? [step] : step)),
    });
  return new ContainmentRegistry(actions, playbooks, config.retries, config.reverify);
}

/** For `quell config check`: builds the registry (failing like start-up would) and summarizes it. */
export function checkContainmentConfig(
  config: ContainmentConfig,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const registry = buildContainmentRegistry(config, env);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return `containment: ${count(registry.actions.size, 'action')}, ${count(registry.playbooks.size, 'playbook')}, secrets present`;
}
