import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { EvidenceSink } from '../evidence/index.js';
import type { RunSummary } from './run.js';

/**
 * Runs are kept on this host under `<staging>/<incident id>/forensics/<collector>/<run>/` until the
 * evidence bundle is built; then every file is streamed into the bundle through the public
 * `EvidenceSink` (same relative path, so `forensics/<collector>/<run>/…` in the signed manifest).
 */
export class ForensicsStaging {
  constructor(private readonly root: string) {}

  directory(incidentId: string): string {
    return join(this.root, incidentId.replace(/[^A-Za-z0-9_-]/g, '_'));
  }

  /** Every run of the incident, oldest first. */
  async runs(incidentId: string): Promise<RunSummary[]> {
    const base = join(this.directory(incidentId), 'forensics');
    const out: RunSummary[] = [];
    for (const name of await list(base))
      for (const run of await list(join(base, name))) {
        const text = await readFile(join(base, name, run, 'run.json'), 'utf8').catch(() => undefined);
        if (text) out.push(JSON.parse(text) as RunSummary);
      }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** The events files of every finished run (those with a run.json). */
  async eventFiles(incidentId: string): Promise<string[]> {
    const base = join(this.directory(incidentId), 'forensics');
    return (await this.runs(incidentId)).map((r) => join(base, r.name, r.run, 'events.jsonl'));
  }

  /** Streams every staged file into the bundle and names every run's gaps there. */
  async copyInto(incidentId: string, sink: EvidenceSink): Promise<number> {
    const base = join(this.directory(incidentId), 'forensics');
    let files = 0;
    for (const name of await list(base))
      for (const path of await walk(join(base, name))) {
        await sink.writeFile(
          name,
          relative(join(base, name), path).split('\\').join('/'),
          createReadStream(path),
        );
        files++;
      }
    for (const run of await this.runs(incidentId))
      for (const gap of run.gaps)
        sink.recordGap({
          source: `forensics.${run.name}`,
          what: `${gap.what} (run ${run.run})`,
          reason: gap.reason,
        });
    return files;
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out.sort();
}
