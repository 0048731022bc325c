/**
 * `npm run bench -- <name> [args]` runs bench/<name>.ts; with no name, lists the benchmarks.
 * Each benchmark prints its own figures and ratios; none is part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'support.ts'].includes(f))
  .map((f) => f.replace(/\.ts$/, ''));

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(
    `${name ? `unknown benchmark "${name}"\n` : ''}usage: npm run bench -- <${available.join('|')}> [args]`,
  );
  process.exit(name ? 2 : 0);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...args], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
