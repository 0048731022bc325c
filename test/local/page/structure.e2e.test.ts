import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The local page is plain ES modules for the browser (no bundler): each one is type-checked from its
 * JSDoc (`// @ts-check`, tsconfig.page.json), small, free of import cycles, and everything
 * index.html loads exists (the emulator serves the page folder's files by name).
 */

const PAGE = join(process.cwd(), 'src', 'local', 'page');
const files = readdirSync(PAGE);
const modules = files.filter((f) => f.endsWith('.js'));
const read = (file: string) => readFileSync(join(PAGE, file), 'utf8');
const importsOf = (file: string) =>
  [...read(file).matchAll(/^import [^;]*? from '\.\/([\w.-]+)';$/gm)].map((m) => m[1] ?? '');

describe('the local page modules', () => {
  it('are all type-checked and none is over 500 lines', () => {
    expect(modules.length).toBeGreaterThan(10);
    for (const file of [...modules, ...files.filter((f) => f.endsWith('.css'))]) {
      const text = read(file);
      if (file.endsWith('.js')) expect(text.startsWith('// @ts-check\n'), file).toBe(true);
      expect(text.split('\n').length, file).toBeLessThanOrEqual(500);
    }
  });

  it('import only files that exist, without cycles', () => {
    const graph = new Map(modules.map((m) => [m, importsOf(m)]));
    for (const [file, imports] of graph)
      for (const target of imports) expect(modules, `${file} imports ${target}`).toContain(target);
    const cycle = (start: string, path: string[]): string[] | undefined => {
      for (const next of graph.get(start) ?? []) {
        if (next === path[0]) return [...path, next];
        if (!path.includes(next)) {
          const found = cycle(next, [...path, next]);
          if (found) return found;
        }
      }
      return undefined;
    };
    for (const file of modules) expect(cycle(file, [file]), `cycle from ${file}`).toBeUndefined();
  });

  it('are all reachable from index.html, which loads only existing files', () => {
    const html = read('index.html');
    const assets = [...html.matchAll(/"\/assets\/([\w.-]+)"/g)].map((m) => m[1] ?? '');
    for (const asset of assets) expect(files, asset).toContain(asset);
    expect(assets).toContain('app.js');
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const next of importsOf(file)) visit(next);
    };
    visit('app.js');
    // types.js holds JSDoc typedefs only: imported by type, never loaded
    expect(modules.filter((m) => !reached.has(m))).toEqual(['types.js']);
    expect(files.filter((f) => f.endsWith('.css')).filter((f) => !assets.includes(f))).toEqual([]);
  });

  it('pass tsc with checkJs (tsconfig.page.json)', { timeout: 60_000 }, async () => {
    const tsc = join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc');
    const run = promisify(execFile);
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.page.json'], {
      cwd: process.cwd(),
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    expect(result.stdout).toBe('');
  });
});
