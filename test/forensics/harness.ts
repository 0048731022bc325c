import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_COLLECTORS, type RunSummary, runCollector } from '../../src/forensics/index.js';
import { AGENT, WINDOW } from './fixtures.js';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'quell-forensics-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs one built-in collector as the job does, into `dir`, with no real waiting. */
export async function collectOnce(
  dir: string,
  collector: string,
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
  options: { maxRecords?: number; name?: string; run?: string } = {},
): Promise<{ summary: RunSummary; file: (name: string) => Promise<string>; sleeps: number[] }> {
  const definition = BUILT_IN_COLLECTORS.get(collector)!;
  const sleeps: number[] = [];
  const name = options.name ?? collector;
  const run = options.run ?? 'run-1';
  const summary = await runCollector({
    resolved: {
      name,
      collector: definition,
      settings: definition.settingsSchema.parse(settings),
      secrets,
      auto: [],
      afterContainment: false,
      maxRecords: options.maxRecords ?? 1000,
    },
    directory: dir,
    run,
    trigger: 'command',
    window: WINDOW,
    agent: AGENT,
    timeoutMs: 2_000,
    now: () => new Date('2026-11-21T14:00:00Z'),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { summary, sleeps, file: (f) => readFile(join(dir, 'forensics', name, run, f), 'utf8') };
}
