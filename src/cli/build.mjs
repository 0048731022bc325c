// The production build: TypeScript from src/ to dist/ (source maps, tsconfig.build.json) and the
// local page copied as is. `--if-stale` (what `npm start` runs) builds only when dist/ is missing or
// older than src/, so a fresh clone's `npm start` builds once and later starts are immediate.
// Plain JavaScript, because it runs before anything is built.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.built';
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** The newest modification time under `path` (a file or a directory tree). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function stale() {
  if (!existsSync(STAMP) || !existsSync('dist/main.js')) return true;
  const builtAt = statSync(STAMP).mtimeMs;
  return INPUTS.some((input) => existsSync(input) && newest(input) > builtAt);
}

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);

console.error('quell: building dist/ (tsc -p tsconfig.build.json)…');
const startedAt = Date.now();
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('quell: the build failed (type errors above); dist/ was not marked as built.');
  process.exit(tsc.status ?? 1);
}
// the emulator serves the page from next to its own module (dist/local/page)
rmSync('dist/local/page', { recursive: true, force: true });
cpSync('src/local/page', 'dist/local/page', { recursive: true });
writeFileSync(STAMP, `${new Date(startedAt).toISOString()}\n`);
console.error(`quell: built dist/ in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
