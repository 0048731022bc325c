// Lets `npm start` and `npm test` work on a fresh clone with one command: checks the Node version,
// installs dependencies when node_modules is missing or older than package-lock.json, and (for the
// tests) that redis-server exists. Plain JavaScript without dependencies, because it runs before any.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const [major, minor, patch] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && (minor < 18 || (minor === 18 && patch < 1)))) {
  console.error(
    `quell: Node ${process.versions.node} is too old; install Node 20.18.1 or newer (https://nodejs.org).`,
  );
  process.exit(1);
}

// npm writes node_modules/.package-lock.json after every install: older than the lock file means stale
const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.error('quell: installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // ci: exactly the locked versions, and the lock file is never rewritten (git status stays clean)
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (process.argv.includes('--for-tests')) {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!found) {
    console.error(
      'quell: the tests start a private redis-server, and none is installed.\n' +
        '  Debian/Ubuntu: sudo apt-get install redis-server\n  macOS: brew install redis',
    );
    process.exit(1);
  }
}
